/**
 * How kfp-upgrade marks the cluster-scoped objects it applies (ClusterRoles, ClusterRoleBindings, CRDs, …) with the
 * namespaces of the KFP installs that use them. A label holds one value, so the label names one owner (the first
 * install that applied it) and an annotation lists every owner, comma-separated and sorted.
 */
export const OWNER_LABEL = "kfp-upgrade.kubeflow.org/namespace";
export const OWNERS_ANNOTATION = "kfp-upgrade.kubeflow.org/namespaces";
/** On CRDs: the KFP release whose CRD was applied last, so an older release never replaces a newer one's. */
export const APPLIED_BY_ANNOTATION = "kfp-upgrade.kubeflow.org/applied-by-release";

/** The owners an object's marks name (the annotation, else the label); empty for an object kfp-upgrade never marked. */
export function ownersFromMarks(metadata: {
  labels?: Record<string, string> | undefined;
  annotations?: Record<string, string> | undefined;
}): string[] {
  const listed = metadata.annotations?.[OWNERS_ANNOTATION];
  if (listed !== undefined) {
    return [
      ...new Set(
        listed
          .split(",")
          .map((owner) => owner.trim())
          .filter(Boolean),
      ),
    ].sort();
  }
  const label = metadata.labels?.[OWNER_LABEL];
  return label ? [label] : [];
}

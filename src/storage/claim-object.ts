import type { KubeObject } from "../model/kube-object.js";
import type { ResolvedStorage } from "./resolve-volume-storage.js";

export const DEFAULT_CLAIM_SIZE = "20Gi";

/**
 * The data PVC as it must be created for a storage mode. The release's own PVC (labels, size, access modes) is the
 * template; binding to a pre-created or GCP-disk PV uses `storageClassName: ""` plus `volumeName`, the one pattern
 * that has worked in every KFP era (kubeflow/pipelines#2826). The binder only binds a claim to a PV of the same
 * class, so a PV that has one (a dynamically provisioned PV re-attached by reinstall) gets a claim of that class.
 */
export function claimObject(options: {
  name: string;
  namespace: string;
  template: KubeObject | undefined;
  storage: ResolvedStorage;
  volumeName: string | null;
  /** `spec.storageClassName` of the PV named by `volumeName`; null or absent for none. */
  volumeClass?: string | null;
}): KubeObject {
  const templateSpec = (options.template?.spec ?? {}) as Record<string, unknown>;
  const resources = (templateSpec.resources as { requests?: { storage?: string } } | undefined)?.requests
    ?.storage;
  const spec: Record<string, unknown> = {
    accessModes: (templateSpec.accessModes as string[] | undefined) ?? ["ReadWriteOnce"],
    resources: { requests: { storage: resources ?? DEFAULT_CLAIM_SIZE } },
  };
  if (options.volumeName !== null) {
    spec.storageClassName = options.volumeClass ?? "";
    spec.volumeName = options.volumeName;
  } else if (options.storage.mode === "storageClass") {
    spec.storageClassName = options.storage.storageClass;
  }
  const labels = options.template?.metadata.labels;
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: {
      name: options.name,
      namespace: options.namespace,
      ...(labels ? { labels: { ...labels } } : {}),
    },
    spec,
  };
}

import type { KubeObject } from "../model/kube-object.js";

/**
 * Apply order as data: a bundle's objects go in this order whatever order its files list them in. Data objects
 * (PVs, PVCs) are not applied from here; the storage steps own them.
 */
export const APPLY_GROUPS = [
  { group: "namespace", kinds: ["Namespace"] },
  { group: "crds", kinds: ["CustomResourceDefinition"] },
  {
    group: "cluster",
    kinds: [
      "ClusterRole",
      "ClusterRoleBinding",
      "PriorityClass",
      "StorageClass",
      "MutatingWebhookConfiguration",
      "ValidatingWebhookConfiguration",
      "APIService",
    ],
  },
  { group: "rbac", kinds: ["ServiceAccount", "Role", "RoleBinding"] },
  { group: "secrets", kinds: ["Secret"] },
  { group: "config", kinds: ["ConfigMap"] },
  { group: "storage", kinds: ["PersistentVolume", "PersistentVolumeClaim"] },
  { group: "services", kinds: ["Service", "NetworkPolicy"] },
  { group: "workloads", kinds: ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"] },
] as const;

export type ApplyGroup = (typeof APPLY_GROUPS)[number]["group"] | "other";

const GROUP_OF_KIND = new Map<string, ApplyGroup>(
  APPLY_GROUPS.flatMap(({ group, kinds }) => kinds.map((kind) => [kind, group] as const)),
);

/** Kinds that hold data or credentials: never pruned, never deleted, never overwritten by an upgrade. */
export const PROTECTED_KINDS = new Set(["PersistentVolumeClaim", "PersistentVolume", "Secret", "Namespace"]);

/** Custom resources of other kinds (Application, Viewer, …) go last: their CRDs must be established first. */
export function applyGroupOf(object: KubeObject): ApplyGroup {
  return GROUP_OF_KIND.get(object.kind) ?? "other";
}

export const GROUP_ORDER: ApplyGroup[] = [...APPLY_GROUPS.map(({ group }) => group), "other"];

export function groupObjects(objects: KubeObject[]): Map<ApplyGroup, KubeObject[]> {
  const groups = new Map<ApplyGroup, KubeObject[]>(GROUP_ORDER.map((group) => [group, []]));
  for (const object of objects) groups.get(applyGroupOf(object))?.push(object);
  return groups;
}

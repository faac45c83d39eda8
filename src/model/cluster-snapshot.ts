import { z } from "zod";
import { dataWriterSchema } from "./data-writer.js";
import { volumeSourceSchema } from "./volume-source.js";

export { type VolumeSource, volumeSourceSchema } from "./volume-source.js";

/**
 * Everything a plan builder needs to know about the cluster, as plain data. Read by `snapshot()` in a few list
 * calls; pure code (plan, storage) only ever sees this, never the client. Secret *data* is never part of it.
 */
const ownerReferenceSchema = z.object({
  apiVersion: z.string(),
  kind: z.string(),
  name: z.string(),
  uid: z.string(),
});
export type OwnerReference = z.infer<typeof ownerReferenceSchema>;

export const deploymentStateSchema = z.object({
  name: z.string(),
  namespace: z.string(),
  uid: z.string(),
  labels: z.record(z.string(), z.string()),
  selector: z.record(z.string(), z.string()),
  containers: z.array(z.object({ name: z.string(), image: z.string() })),
  replicas: z.number(),
  readyReplicas: z.number(),
  availableReplicas: z.number(),
  updatedReplicas: z.number(),
  /** The PVCs its pod template mounts (`volumes[].persistentVolumeClaim.claimName`): which claim a data store uses. */
  claims: z.array(z.string()).default([]),
});
export type DeploymentState = z.infer<typeof deploymentStateSchema>;

export const claimStateSchema = z.object({
  name: z.string(),
  namespace: z.string(),
  uid: z.string(),
  phase: z.string(),
  volumeName: z.string().nullable(),
  storageClassName: z.string().nullable(),
  requestBytes: z.number(),
  accessModes: z.array(z.string()),
  ownerReferences: z.array(ownerReferenceSchema),
  deleting: z.boolean(),
});
export type ClaimState = z.infer<typeof claimStateSchema>;

export const volumeStateSchema = z.object({
  name: z.string(),
  uid: z.string(),
  phase: z.string(),
  claimRef: z.object({ namespace: z.string(), name: z.string(), uid: z.string().nullable() }).nullable(),
  capacityBytes: z.number(),
  accessModes: z.array(z.string()),
  /** null when the PV has none: treated as not Retain (switched explicitly), never assumed. */
  reclaimPolicy: z.string().nullable(),
  storageClassName: z.string().nullable(),
  source: volumeSourceSchema,
  ownerReferences: z.array(ownerReferenceSchema),
  /** What last wrote its data (the `kfp-upgrade.kubeflow.org/data-written-by` annotation); null when unrecorded. */
  dataWrittenBy: dataWriterSchema.nullable().default(null),
});
export type VolumeState = z.infer<typeof volumeStateSchema>;

export const objectStateSchema = z.object({
  apiVersion: z.string(),
  kind: z.string(),
  name: z.string(),
  namespace: z.string().nullable(),
  uid: z.string(),
  labels: z.record(z.string(), z.string()),
  ownerReferences: z.array(ownerReferenceSchema),
});
export type ObjectState = z.infer<typeof objectStateSchema>;

export const clusterSnapshotSchema = z.object({
  context: z.string().nullable(),
  namespace: z.object({
    name: z.string(),
    exists: z.boolean(),
    phase: z.string().nullable(),
  }),
  installedVersion: z.string().nullable(),
  /** Where `installedVersion` came from. */
  versionSource: z.enum(["appVersion", "image", "none"]),
  deployments: z.array(deploymentStateSchema),
  claims: z.array(claimStateSchema),
  volumes: z.array(volumeStateSchema),
  /** CRD name -> Established. */
  crds: z.array(
    z.object({
      name: z.string(),
      established: z.boolean(),
      /** Another tool that manages this CRD (Helm release, kapp app, …), from its labels and annotations. */
      managedBy: z.string().nullable().default(null),
    }),
  ),
  /** Namespaces other than this one that run a KFP API server (`deployment/ml-pipeline`). */
  otherInstalls: z.array(z.string()).default([]),
  /** Names only; data never leaves the kube layer. */
  secrets: z.array(z.string()),
  storageClasses: z.array(
    z.object({
      name: z.string(),
      isDefault: z.boolean(),
      provisioner: z.string(),
      reclaimPolicy: z.string(),
    }),
  ),
  csiDrivers: z.array(z.string()),
  /** `group/version` (or `v1`) strings the server serves, from discovery. */
  servedApiVersions: z.array(z.string()),
  /** Objects in the namespace (and KFP-labelled cluster-scoped ones) that a prune could consider. */
  objects: z.array(objectStateSchema),
});
export type ClusterSnapshot = z.infer<typeof clusterSnapshotSchema>;

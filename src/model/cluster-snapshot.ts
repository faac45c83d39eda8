import { z } from "zod";
import { dataWriterSchema } from "./data-writer.js";
import { objectOwnershipSchema } from "./field-owners.js";
import { runningServersSchema } from "./running-servers.js";
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
  /** Secrets the pod template references (env `valueFrom.secretKeyRef`, `envFrom.secretRef`), sorted. */
  secretRefs: z.array(z.string()).default([]),
  replicas: z.number(),
  readyReplicas: z.number(),
  availableReplicas: z.number(),
  updatedReplicas: z.number(),
  /** The PVCs its pod template mounts (`volumes[].persistentVolumeClaim.claimName`): which claim a data store uses. */
  claims: z.array(z.string()).default([]),
  /** `spec.strategy.type` (null: not set, which the API server defaults to RollingUpdate). */
  strategy: z.string().nullable().default(null),
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

export const clusterObjectStateSchema = z.object({
  apiVersion: z.string(),
  kind: z.string(),
  name: z.string(),
  /** Namespaces named by kfp-upgrade's marks (empty: never marked, e.g. applied by kubectl). */
  owners: z.array(z.string()),
  /** A ClusterRoleBinding's ServiceAccount subjects' namespaces, sorted; empty for other kinds. */
  subjectNamespaces: z.array(z.string()),
});
export type ClusterObjectState = z.infer<typeof clusterObjectStateSchema>;

export const helmReleaseStateSchema = z.object({
  name: z.string(),
  /** Where Helm keeps the release's records. */
  namespace: z.string(),
  /** `sh.helm.release.v1.<name>.v<N>` Secrets (or ConfigMaps with HELM_DRIVER=configmap), labelled owner=helm. */
  records: z.array(z.object({ kind: z.enum(["Secret", "ConfigMap"]), name: z.string(), uid: z.string() })),
});
export type HelmReleaseState = z.infer<typeof helmReleaseStateSchema>;

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
  /**
   * What runs on the data, read from the `mysql` and `ml-pipeline` Deployments: the MySQL series and the API server
   * version the plan starts from (the catalogue is only a fallback when there is no mysql Deployment).
   */
  running: runningServersSchema.default({ mysql: null, apiServer: null }),
  claims: z.array(claimStateSchema),
  volumes: z.array(volumeStateSchema),
  /** CRD name -> Established. */
  crds: z.array(
    z.object({
      name: z.string(),
      established: z.boolean(),
      /** Another tool that manages this CRD (Helm release, kapp app, …), from its labels and annotations. */
      managedBy: z.string().nullable().default(null),
      /** Versions the CRD serves (`spec.versions[].served`). */
      servedVersions: z.array(z.string()).default([]),
      /** `status.storedVersions`: versions objects were ever stored in; a CRD applied over it must keep them. */
      storedVersions: z.array(z.string()).default([]),
      /** The KFP release whose CRD kfp-upgrade applied last (annotation), null when unknown. */
      appliedByRelease: z.string().nullable().default(null),
      /** Namespaces of the installs whose kfp-upgrade applied it (its marks). */
      owners: z.array(z.string()).default([]),
    }),
  ),
  /** Namespaces other than this one that run a KFP API server (`deployment/ml-pipeline`). */
  otherInstalls: z.array(z.string()).default([]),
  /** Every namespace that exists (null: the user may not list namespaces, so every one may exist). */
  namespaces: z.array(z.string()).nullable().default(null),
  /**
   * The cluster-scoped objects of the kinds KFP installs besides CRDs (ClusterRole, ClusterRoleBinding,
   * PriorityClass), by name, with the installs that own them: kfp-upgrade's marks, and a binding's subjects.
   */
  clusterObjects: z.array(clusterObjectStateSchema).default([]),
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
  /** Objects in the namespace (and KFP- or owner-labelled cluster-scoped ones) that a prune could consider. */
  objects: z.array(objectStateSchema),
  /**
   * Who installed each object the snapshot reads (every object in the namespace, the Namespace, every CRD and every
   * cluster object of a kind KFP installs), from `managedFields`, labels and annotations; sorted by kind, namespace,
   * name.
   */
  ownership: z.array(objectOwnershipSchema).default([]),
  /**
   * Argo Workflows (argoproj.io/v1alpha1) of the namespace that have not finished: `status.phase` Running, Pending or
   * none yet; sorted by name. null when they could not be read (no permission to list them).
   */
  activeWorkflows: z
    .array(z.object({ name: z.string(), phase: z.string().nullable() }))
    .nullable()
    .default([]),
  /** The Helm releases the ownership marks name, with their release records (metadata only); sorted. */
  helmReleases: z.array(helmReleaseStateSchema).default([]),
});
export type ClusterSnapshot = z.infer<typeof clusterSnapshotSchema>;

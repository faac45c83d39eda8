import { z } from "zod";

/** The app's label on every VolumeSnapshot kfp-upgrade takes: `kfp-upgrade backups` lists them by it. */
export const BACKUP_OF_LABEL = "kfp-upgrade.kubeflow.org/backup-of";
export const BACKUP_ROLE_LABEL = "kfp-upgrade.kubeflow.org/role";
export const BACKUP_FROM_LABEL = "kfp-upgrade.kubeflow.org/from-version";
export const BACKUP_TO_LABEL = "kfp-upgrade.kubeflow.org/to-version";

const roleSchema = z.enum(["mysql", "objectStore", "legacyObjectStore"]);

/**
 * One volume to back up before a one-way step, by method (a discriminated union: `csi` is a VolumeSnapshot of the
 * claim through the cluster's snapshot controller; `gcp-snapshot` a Compute Engine snapshot of the persistent disk
 * the claim's PV wraps, taken with gcloud).
 */
export const backupTargetSchema = z.discriminatedUnion("method", [
  z.object({
    method: z.literal("csi"),
    role: roleSchema,
    claim: z.string(),
    /** The PV bound to the claim (its `spec.csi.driver` is `driver`). */
    volume: z.string(),
    driver: z.string(),
    /** The VolumeSnapshotClass whose `driver` is the PV's. */
    snapshotClass: z.string(),
    /** The VolumeSnapshot's name: the app, the role, the from/to versions and the plan's time. */
    name: z.string(),
  }),
  z.object({
    method: z.literal("gcp-snapshot"),
    role: roleSchema,
    claim: z.string(),
    /** The PV bound to the claim: in-tree `gcePersistentDisk` or CSI `pd.csi.storage.gke.io`. */
    volume: z.string(),
    project: z.string(),
    disk: z.string(),
    /** A zonal disk's zone; null for a regional disk. */
    zone: z.string().nullable(),
    /** A regional disk's region; null for a zonal disk. */
    region: z.string().nullable(),
    /** The snapshot's name (GCE rules: lowercase letters, digits, hyphens, at most 63, a letter first). */
    name: z.string(),
  }),
]);
export type BackupTarget = z.infer<typeof backupTargetSchema>;

/** A backup taken and ready, as the run's history entry records it. */
export const backupRecordSchema = z.discriminatedUnion("method", [
  z
    .object({
      method: z.literal("csi"),
      role: roleSchema,
      claim: z.string(),
      volume: z.string(),
      namespace: z.string(),
      /** The VolumeSnapshot. */
      snapshot: z.string(),
      snapshotClass: z.string(),
      /** `status.boundVolumeSnapshotContentName`, null when the controller did not set it. */
      content: z.string().nullable(),
      /** `status.restoreSize`: the smallest claim a restore needs; null when unknown. */
      restoreSize: z.string().nullable(),
      /** `status.creationTime`: when the storage took the point-in-time snapshot; null when unknown. */
      takenAt: z.string().nullable(),
    })
    .strict(),
  z
    .object({
      method: z.literal("gcp-snapshot"),
      role: roleSchema,
      claim: z.string(),
      volume: z.string(),
      namespace: z.string(),
      /** The Compute Engine snapshot (global to the project). */
      snapshot: z.string(),
      project: z.string(),
      disk: z.string(),
      zone: z.string().nullable(),
      region: z.string().nullable(),
      /** `diskSizeGb` of the snapshot: the smallest disk a restore needs, in GB; null when unknown. */
      diskSizeGb: z.string().nullable(),
      /** `creationTimestamp`; null when unknown. */
      takenAt: z.string().nullable(),
    })
    .strict(),
]);
export type BackupRecord = z.infer<typeof backupRecordSchema>;

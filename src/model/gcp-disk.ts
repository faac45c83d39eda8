import { z } from "zod";

/** One GCP persistent disk as gcloud described it (zonal: `zone`; regional: `region` and `replicaZones`). */
export const gcpDiskStateSchema = z.object({
  name: z.string(),
  project: z.string(),
  zone: z.string().nullable(),
  region: z.string().nullable(),
  /** Zone names (not URLs) a regional disk is replicated in; empty for a zonal disk. */
  replicaZones: z.array(z.string()),
  sizeBytes: z.number(),
  /** Names of the instances the disk is attached to (from `users` URLs). */
  users: z.array(z.string()),
  status: z.string().nullable(),
});
export type GcpDiskState = z.infer<typeof gcpDiskStateSchema>;

/** What the command layer found about one data disk before planning; `state` null: the disk does not exist. */
export const gcpDiskFindingSchema = z.object({
  role: z.enum(["mysql", "objectStore"]),
  disk: z.string(),
  project: z.string(),
  /** The zone it was looked up in (the app's zone). */
  zone: z.string(),
  state: gcpDiskStateSchema.nullable(),
  /** The gcloud command that shows the disk, for messages. */
  showCommand: z.string(),
});
export type GcpDiskFinding = z.infer<typeof gcpDiskFindingSchema>;

export const clusterNodeSchema = z.object({
  name: z.string(),
  /** The node's `topology.kubernetes.io/zone` label (or the older `failure-domain.beta.kubernetes.io/zone`). */
  zone: z.string().nullable(),
});
export type ClusterNode = z.infer<typeof clusterNodeSchema>;

/** Everything the plan needs to check GCP disks, read before planning (the plan builder does no I/O). */
export const gcpFindingsSchema = z.object({
  disks: z.array(gcpDiskFindingSchema),
  nodes: z.array(clusterNodeSchema),
});
export type GcpFindings = z.infer<typeof gcpFindingsSchema>;

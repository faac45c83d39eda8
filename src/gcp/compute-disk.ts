import { z } from "zod";
import type { GcpDiskState } from "../model/gcp-disk.js";

/**
 * A Compute Engine Disk as `gcloud compute disks describe --format=json` prints it: the API's Disk resource
 * (https://cloud.google.com/compute/docs/reference/rest/v1/disks, discovery document
 * https://compute.googleapis.com/$discovery/rest?version=v1, schema "Disk"). `sizeGb` is an int64, which the
 * API sends as a string; `zone`, `region`, `replicaZones` and `users` are URLs.
 */
export const computeDiskSchema = z.object({
  name: z.string(),
  sizeGb: z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform(Number),
  zone: z.string().optional(),
  region: z.string().optional(),
  replicaZones: z.array(z.string()).default([]),
  users: z.array(z.string()).default([]),
  status: z.string().optional(),
});
export type ComputeDisk = z.infer<typeof computeDiskSchema>;

const GIB = 1024 ** 3;

/** The last path segment of a Compute URL (`…/zones/us-central1-a` -> `us-central1-a`); a bare name stays. */
export function lastSegment(url: string): string {
  return url.split("/").filter(Boolean).at(-1) ?? url;
}

export function diskState(disk: ComputeDisk, project: string): GcpDiskState {
  return {
    name: disk.name,
    project,
    zone: disk.zone ? lastSegment(disk.zone) : null,
    region: disk.region ? lastSegment(disk.region) : null,
    replicaZones: disk.replicaZones.map(lastSegment),
    sizeBytes: disk.sizeGb * GIB,
    users: disk.users.map(lastSegment),
    status: disk.status ?? null,
  };
}

import { z } from "zod";
import { GcpError, isKfpError } from "../errors.js";
import { sleep } from "../sleep.js";
import { lastSegment } from "./compute-disk.js";
import type { Gcloud } from "./gcloud.js";

/**
 * A Compute Engine Snapshot as `gcloud compute snapshots describe NAME --format=json` prints it: the API's Snapshot
 * resource (https://cloud.google.com/compute/docs/reference/rest/v1/snapshots, discovery document
 * https://compute.googleapis.com/$discovery/rest?version=v1, schema "Snapshot"). `status` is one of CREATING,
 * DELETING, FAILED, READY, UPLOADING; `diskSizeGb` is an int64 (a string); `sourceDisk` is the disk's URL.
 */
export const computeSnapshotSchema = z.object({
  name: z.string(),
  status: z.string(),
  sourceDisk: z.string().optional(),
  diskSizeGb: z.union([z.string(), z.number()]).transform(String).optional(),
  creationTimestamp: z.string().optional(),
});
export type ComputeSnapshot = z.infer<typeof computeSnapshotSchema>;

/** The disk a snapshot is taken of: a zonal disk names its zone, a regional one its region. */
export interface SnapshotSource {
  disk: string;
  zone: string | null;
  region: string | null;
}

/** `gcloud compute snapshots describe NAME`; null when the project has no snapshot of that name. */
export async function describeSnapshot(gcloud: Gcloud, name: string): Promise<ComputeSnapshot | null> {
  try {
    return await gcloud.json(["compute", "snapshots", "describe", name], computeSnapshotSchema);
  } catch (error) {
    if (isKfpError(error) && error.code === "GCP_NOT_FOUND") return null;
    throw error;
  }
}

/**
 * `gcloud compute snapshots create NAME --source-disk DISK --source-disk-zone ZONE` (`--source-disk-region` for a
 * regional disk). gcloud waits for the API's operation; the snapshot may still be CREATING after it (poll with
 * `waitForSnapshotReady`). A permission failure names the role that may create snapshots.
 */
export async function createSnapshot(gcloud: Gcloud, name: string, source: SnapshotSource): Promise<void> {
  const where = source.zone
    ? ["--source-disk-zone", source.zone]
    : ["--source-disk-region", source.region ?? ""];
  try {
    await gcloud.json(
      ["compute", "snapshots", "create", name, "--source-disk", source.disk, ...where],
      z.unknown(),
    );
  } catch (error) {
    if (error instanceof GcpError && error.code === "GCP_PERMISSION_DENIED") {
      throw new GcpError(
        error.code,
        `the gcloud account may not create snapshots of disk ${source.disk} in project ${gcloud.project}; nothing was changed`,
        {
          command: error.command,
          details: error.details,
          hint: `\`gcloud auth list\` shows the account; it needs compute.snapshots.create and compute.disks.createSnapshot (e.g. roles/compute.storageAdmin): see \`gcloud projects get-iam-policy ${gcloud.project}\`. Or back up by hand and pass --no-backup.`,
        },
      );
    }
    if (error instanceof GcpError && error.code === "GCP_QUOTA") {
      throw new GcpError(
        error.code,
        `a GCP quota or rate limit of project ${gcloud.project} stopped the snapshot of disk ${source.disk}; nothing was changed`,
        {
          command: error.command,
          details: error.details,
          hint: `Wait a minute; \`gcloud compute project-info describe --project ${gcloud.project}\` shows the quotas (snapshots count against SNAPSHOTS), \`gcloud compute snapshots list --project ${gcloud.project}\` the snapshots that use it.`,
        },
      );
    }
    throw error;
  }
}

/** The disk a snapshot was taken of, from its `sourceDisk` URL (`…/zones/Z/disks/D` or `…/regions/R/disks/D`). */
export function snapshotSource(snapshot: ComputeSnapshot): SnapshotSource | null {
  const match = /\/(zones|regions)\/([^/]+)\/disks\/([^/]+)$/.exec(snapshot.sourceDisk ?? "");
  if (!match) return null;
  const [, scope, location = "", disk = ""] = match;
  return {
    disk: lastSegment(disk),
    zone: scope === "zones" ? location : null,
    region: scope === "regions" ? location : null,
  };
}

export interface SnapshotWait {
  ok: boolean;
  timedOut: boolean;
  snapshot: ComputeSnapshot | null;
}

/** Describes the snapshot every `intervalMs` until it is READY, FAILED or gone, or the timeout passes. */
export async function waitForSnapshotReady(
  gcloud: Gcloud,
  name: string,
  options: {
    timeoutSeconds: number;
    signal: AbortSignal;
    onProgress(status: string): void;
    intervalMs?: number;
    now?: () => number;
  },
): Promise<SnapshotWait> {
  const now = options.now ?? Date.now;
  const deadline = now() + options.timeoutSeconds * 1000;
  let last: string | undefined;
  for (;;) {
    options.signal.throwIfAborted();
    const snapshot = await describeSnapshot(gcloud, name);
    if (snapshot === null || snapshot.status === "FAILED") return { ok: false, timedOut: false, snapshot };
    if (snapshot.status === "READY") return { ok: true, timedOut: false, snapshot };
    if (snapshot.status !== last) options.onProgress(`status ${snapshot.status}`);
    last = snapshot.status;
    if (now() >= deadline) return { ok: false, timedOut: true, snapshot };
    await sleep(options.intervalMs ?? 2000, options.signal);
  }
}

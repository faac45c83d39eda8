import { isKfpError } from "../errors.js";
import type { GcpDiskState } from "../model/gcp-disk.js";
import { computeDiskSchema, diskState } from "./compute-disk.js";
import type { Gcloud } from "./gcloud.js";

export interface DescribedDisk {
  state: GcpDiskState | null;
  /** The command that shows the disk (the regional one when the disk is regional). */
  showCommand: string;
}

/** The region of a zone: `us-central1-a` -> `us-central1`. */
export function regionOf(zone: string): string {
  return zone.replace(/-[a-z]$/, "");
}

/**
 * `gcloud compute disks describe DISK --zone ZONE`; when there is no such zonal disk, the regional one of the
 * zone's region (`--region`), since a regional disk is replicated into the zone. `state` null: neither exists.
 */
export async function describeDisk(gcloud: Gcloud, disk: string, zone: string): Promise<DescribedDisk> {
  const zonal = ["compute", "disks", "describe", disk, "--zone", zone];
  const zonalCommand = `gcloud ${zonal.join(" ")} --project ${gcloud.project}`;
  const found = await describeOrNull(gcloud, zonal);
  if (found) return { state: diskState(found, gcloud.project), showCommand: zonalCommand };
  const regional = ["compute", "disks", "describe", disk, "--region", regionOf(zone)];
  const regionalFound = await describeOrNull(gcloud, regional);
  if (regionalFound) {
    return {
      state: diskState(regionalFound, gcloud.project),
      showCommand: `gcloud ${regional.join(" ")} --project ${gcloud.project}`,
    };
  }
  return {
    state: null,
    showCommand: `gcloud compute disks list --project ${gcloud.project} --filter=name=${disk}`,
  };
}

async function describeOrNull(gcloud: Gcloud, args: string[]) {
  try {
    return await gcloud.json(args, computeDiskSchema);
  } catch (error) {
    if (isKfpError(error) && error.code === "GCP_NOT_FOUND") return null;
    throw error;
  }
}

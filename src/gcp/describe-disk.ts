import { z } from "zod";
import { isKfpError } from "../errors.js";
import type { GcpDiskState } from "../model/gcp-disk.js";
import { computeDiskSchema, diskState } from "./compute-disk.js";
import type { Gcloud } from "./gcloud.js";

export interface DescribedDisk {
  state: GcpDiskState | null;
  /** The command that shows the disk where it is (its own zone, or its region when regional). */
  showCommand: string;
}

/**
 * `gcloud compute disks describe DISK --zone ZONE` (the app's zone); when there is no such disk there, `gcloud
 * compute disks list --filter=name=DISK` over the whole project, which finds it in another zone or as a regional
 * disk, so a refusal can say where it is. `state` null: the project has no disk of that name.
 */
export async function describeDisk(gcloud: Gcloud, disk: string, zone: string): Promise<DescribedDisk> {
  const zonal = ["compute", "disks", "describe", disk, "--zone", zone];
  const found = await describeOrNull(gcloud, zonal);
  if (found) return { state: diskState(found, gcloud.project), showCommand: showCommand(gcloud, found) };
  const listed = await gcloud.json(
    ["compute", "disks", "list", `--filter=name=${disk}`],
    z.array(computeDiskSchema),
  );
  const elsewhere = listed.find((candidate) => candidate.name === disk);
  if (elsewhere)
    return { state: diskState(elsewhere, gcloud.project), showCommand: showCommand(gcloud, elsewhere) };
  return {
    state: null,
    showCommand: `gcloud compute disks list --project ${gcloud.project} --filter=name=${disk}`,
  };
}

function showCommand(gcloud: Gcloud, disk: z.infer<typeof computeDiskSchema>): string {
  const state = diskState(disk, gcloud.project);
  const where = state.zone ? `--zone ${state.zone}` : `--region ${state.region}`;
  return `gcloud compute disks describe ${disk.name} ${where} --project ${gcloud.project}`;
}

async function describeOrNull(gcloud: Gcloud, args: string[]) {
  try {
    return await gcloud.json(args, computeDiskSchema);
  } catch (error) {
    if (isKfpError(error) && error.code === "GCP_NOT_FOUND") return null;
    throw error;
  }
}

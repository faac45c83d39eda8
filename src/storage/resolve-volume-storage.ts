import type { Platform, VolumeStorage } from "../app/kfp-app.js";
import { UsageError } from "../errors.js";

export type ResolvedStorage =
  | { mode: "pvName"; pvName: string; note: string | null }
  | { mode: "gcpDisk"; disk: string; note: string | null }
  | { mode: "storageClass"; storageClass: string; note: string | null }
  | { mode: "default"; note: string | null };

/**
 * Decides how one data volume is provided. As `kfctl.sh` did, a GCP disk wins over a PV name; the returned note
 * says so, and the plan prints it.
 */
export function resolveVolumeStorage(
  label: string,
  storage: VolumeStorage,
  platform: Platform,
): ResolvedStorage {
  if (storage.storageClass && (storage.pvName || storage.gcpDisk)) {
    throw new UsageError(
      "STORAGE_CONFLICT",
      `${label}: a StorageClass ("${storage.storageClass}") and ${storage.pvName ? `a PV name ("${storage.pvName}")` : `a GCP disk ("${storage.gcpDisk}")`} were both given`,
      { hint: "Choose one way to provide the volume: --*-pv, --*-pd or --storage-class." },
    );
  }
  if (storage.gcpDisk) {
    if (platform.type !== "gcp") {
      throw new UsageError(
        "PD_ON_NON_GCP",
        `${label}: GCP disk "${storage.gcpDisk}" was given, but this app's platform is "${platform.type}"`,
        {
          hint: "GCP persistent disks need platform gcp: run `kfp-upgrade params set platform gcp/PROJECT/ZONE`, or use --mysql-pv/--minio-pv.",
        },
      );
    }
    const note = storage.pvName
      ? `${label}: GCP disk "${storage.gcpDisk}" wins over PV name "${storage.pvName}" (as in kfctl's params)`
      : null;
    return { mode: "gcpDisk", disk: storage.gcpDisk, note };
  }
  if (storage.pvName) return { mode: "pvName", pvName: storage.pvName, note: null };
  if (storage.storageClass) return { mode: "storageClass", storageClass: storage.storageClass, note: null };
  return { mode: "default", note: null };
}

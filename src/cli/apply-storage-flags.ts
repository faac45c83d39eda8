import type { KfpApp, VolumeStorage } from "../app/kfp-app.js";
import { UsageError } from "../errors.js";
import type { StorageFlags } from "./global-options.js";

/**
 * Storage flags override the app's storage for the volume they name. `--storage-class` names both volumes, so it
 * conflicts with any PV or disk flag; a disk flag wins over a PV flag for the same volume, as in kfctl.
 */
export function applyStorageFlags(app: KfpApp, flags: StorageFlags): KfpApp {
  const conflicts = [
    flags.mysqlPv && `--mysql-pv ${flags.mysqlPv}`,
    flags.minioPv && `--minio-pv ${flags.minioPv}`,
    flags.mysqlPd && `--mysql-pd ${flags.mysqlPd}`,
    flags.minioPd && `--minio-pd ${flags.minioPd}`,
    flags.gcpDeployment && `--gcp-deployment ${flags.gcpDeployment}`,
  ].filter(Boolean);
  if (flags.storageClass && conflicts.length > 0) {
    throw new UsageError(
      "STORAGE_FLAGS_CONFLICT",
      `--storage-class ${flags.storageClass} conflicts with ${conflicts.join(", ")}: a volume is either bound to a named PV or disk, or provisioned by a StorageClass`,
      { hint: "Pass either --mysql-pv/--minio-pv (or --mysql-pd/--minio-pd), or --storage-class, not both." },
    );
  }
  const forVolume = (
    pv: string | undefined,
    pd: string | undefined,
    current: VolumeStorage,
  ): VolumeStorage => {
    if (flags.storageClass) return { storageClass: flags.storageClass };
    if (pv === undefined && pd === undefined) return current;
    return { ...(pv ? { pvName: pv } : {}), ...(pd ? { gcpDisk: pd } : {}) };
  };
  return {
    ...app,
    storage: {
      mysql: forVolume(flags.mysqlPv, flags.mysqlPd, app.storage.mysql),
      objectStore: forVolume(flags.minioPv, flags.minioPd, app.storage.objectStore),
    },
  };
}

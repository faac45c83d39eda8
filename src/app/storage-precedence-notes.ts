import { DATA_VOLUMES, type KfpApp } from "./kfp-app.js";

const KSONNET_NAMES = {
  mysql: { gcpDisk: "mysqlPd", pvName: "mysqlPvName" },
  objectStore: { gcpDisk: "minioPd", pvName: "minioPvName" },
} as const;

/**
 * The old tooling let a GCP disk win over a PV name (storage.libsonnet); kfp-app.yaml keeps both, so say which one
 * the plan will use.
 */
export function storagePrecedenceNotes(app: KfpApp): string[] {
  return DATA_VOLUMES.flatMap((volume) => {
    const { gcpDisk, pvName } = app.storage[volume];
    if (!gcpDisk || !pvName) return [];
    const names = KSONNET_NAMES[volume];
    return [
      `storage.${volume}: gcpDisk "${gcpDisk}" (${names.gcpDisk}) wins over pvName "${pvName}" (${names.pvName}), as in ksonnet; both are kept`,
    ];
  });
}

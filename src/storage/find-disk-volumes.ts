import type { VolumeState } from "../model/cluster-snapshot.js";

const CSI_HANDLE = /^projects\/([^/]+)\/(?:zones|regions)\/[^/]+\/disks\/([^/]+)$/;

/**
 * The PVs that wrap a GCP disk, whatever their names: in-tree `gcePersistentDisk.pdName`, or a CSI
 * `volumeHandle` `projects/P/zones/Z/disks/D` (or `regions/R`) of project P. A ksonnet- or kfctl-era PV
 * (`mysql-pv`, `minio-pv`) is found this way, so no second PV is created for its disk.
 */
export function findDiskVolumes(
  volumes: readonly VolumeState[],
  disk: { name: string; project: string },
): VolumeState[] {
  return volumes.filter((volume) => {
    const source = volume.source;
    if (source.type === "gcePersistentDisk") return source.pdName === disk.name;
    if (source.type !== "csi") return false;
    const match = CSI_HANDLE.exec(source.volumeHandle);
    return match !== null && match[1] === disk.project && match[2] === disk.name;
  });
}

import { describe, expect, it } from "vitest";
import type { VolumeState } from "../../../src/model/cluster-snapshot.js";
import type { VolumeSource } from "../../../src/model/volume-source.js";
import { findDiskVolumes } from "../../../src/storage/find-disk-volumes.js";

function volume(name: string, source: VolumeSource): VolumeState {
  return {
    name,
    uid: `uid-${name}`,
    phase: "Released",
    claimRef: null,
    capacityBytes: 20 * 2 ** 30,
    accessModes: ["ReadWriteOnce"],
    reclaimPolicy: "Retain",
    storageClassName: null,
    source,
    ownerReferences: [],
    dataWrittenBy: null,
  };
}

const VOLUMES = [
  volume("mysql-pv", { type: "gcePersistentDisk", pdName: "kf-storage-metadata-store" }),
  volume("csi-zonal", {
    type: "csi",
    driver: "pd.csi.storage.gke.io",
    volumeHandle: "projects/p/zones/us-central1-a/disks/kf-storage-artifact-store",
  }),
  volume("csi-regional", {
    type: "csi",
    driver: "pd.csi.storage.gke.io",
    volumeHandle: "projects/p/regions/us-central1/disks/regional",
  }),
  volume("other-project", {
    type: "csi",
    driver: "pd.csi.storage.gke.io",
    volumeHandle: "projects/q/zones/us-central1-a/disks/regional",
  }),
  volume("same-name-elsewhere", { type: "hostPath", path: "/disks/kf-storage-metadata-store" }),
];

describe("findDiskVolumes", () => {
  it.each([
    { disk: "kf-storage-metadata-store", found: ["mysql-pv"] },
    { disk: "kf-storage-artifact-store", found: ["csi-zonal"] },
    { disk: "regional", found: ["csi-regional"] },
    { disk: "unknown", found: [] },
  ])("finds the PVs of disk $disk by source, not by name", ({ disk, found }) => {
    expect(findDiskVolumes(VOLUMES, { name: disk, project: "p" }).map((v) => v.name)).toEqual(found);
  });
});

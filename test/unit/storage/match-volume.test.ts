import { describe, expect, it } from "vitest";
import type { VolumeState } from "../../../src/model/cluster-snapshot.js";
import type { KubeObject } from "../../../src/model/kube-object.js";
import { savedSourceMismatch, staleClaimRefMismatch } from "../../../src/storage/match-volume.js";

function volume(overrides: Partial<VolumeState> = {}): VolumeState {
  return {
    name: "kfp-minio",
    uid: "uid-1",
    phase: "Released",
    claimRef: { namespace: "kubeflow", name: "minio-pvc", uid: "old" },
    capacityBytes: 20 * 2 ** 30,
    accessModes: ["ReadWriteOnce"],
    reclaimPolicy: "Retain",
    storageClassName: null,
    source: { type: "hostPath", path: "/data/kfp-minio" },
    ownerReferences: [],
    dataWrittenBy: null,
    ...overrides,
  };
}

describe("staleClaimRefMismatch", () => {
  const cases = [
    { name: "the same claim", volume: volume(), claim: "minio-pvc", problem: null },
    {
      name: "the same claim in another namespace (a reinstall may move)",
      volume: volume({ claimRef: { namespace: "old-ns", name: "minio-pvc", uid: "old" } }),
      claim: "minio-pvc",
      problem: null,
    },
    {
      name: "the ksonnet claim name the same data had",
      volume: volume({ claimRef: { namespace: "kubeflow", name: "minio-pv-claim", uid: "old" } }),
      claim: "minio-pvc",
      problem: null,
    },
    {
      name: "the MinIO PV offered for MySQL (swapped flags)",
      volume: volume(),
      claim: "mysql-pv-claim",
      problem:
        'PV "kfp-minio" was last bound to claim kubeflow/minio-pvc (its stale claimRef), not to mysql-pv-claim: it holds another volume\'s data (were --mysql-pv and --minio-pv swapped?)',
    },
    {
      name: "a MinIO PV offered for SeaweedFS",
      volume: volume(),
      claim: "seaweedfs-pvc",
      problem:
        'PV "kfp-minio" was last bound to claim kubeflow/minio-pvc (its stale claimRef), not to seaweedfs-pvc: it holds another volume\'s data (were --mysql-pv and --minio-pv swapped?)',
    },
    {
      name: "an Available PV (no stale claimRef to read)",
      volume: volume({ phase: "Available", claimRef: null }),
      claim: "mysql-pv-claim",
      problem: null,
    },
    {
      name: "a Bound PV (checkVolumeFits refuses it on its own)",
      volume: volume({ phase: "Bound" }),
      claim: "mysql-pv-claim",
      problem: null,
    },
  ];
  it.each(cases)("$name", ({ volume, claim, problem }) => {
    expect(staleClaimRefMismatch(volume, { namespace: "kubeflow", name: claim })).toBe(problem);
  });
});

describe("savedSourceMismatch", () => {
  const saved = (spec: Record<string, unknown>): KubeObject => ({
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name: "kfp-minio" },
    spec: { capacity: { storage: "20Gi" }, accessModes: ["ReadWriteOnce"], ...spec },
  });
  const cases = [
    {
      name: "the same hostPath (its type does not matter)",
      saved: saved({ hostPath: { path: "/data/kfp-minio", type: "Directory" } }),
      cluster: volume(),
      problem: null,
    },
    {
      name: "another hostPath",
      saved: saved({ hostPath: { path: "/data/elsewhere" } }),
      cluster: volume(),
      problem:
        'PV "kfp-minio" in the cluster is hostPath /data/kfp-minio, but its saved definition in .kfp-upgrade/volumes/ is hostPath /data/elsewhere: a PV of the same name over other storage',
    },
    {
      name: "the same CSI handle",
      saved: saved({ csi: { driver: "pd.csi.storage.gke.io", volumeHandle: "projects/p/zones/z/disks/d" } }),
      cluster: volume({
        source: { type: "csi", driver: "pd.csi.storage.gke.io", volumeHandle: "projects/p/zones/z/disks/d" },
      }),
      problem: null,
    },
    {
      name: "another CSI disk",
      saved: saved({ csi: { driver: "pd.csi.storage.gke.io", volumeHandle: "projects/p/zones/z/disks/e" } }),
      cluster: volume({
        source: { type: "csi", driver: "pd.csi.storage.gke.io", volumeHandle: "projects/p/zones/z/disks/d" },
      }),
      problem:
        'PV "kfp-minio" in the cluster is csi pd.csi.storage.gke.io projects/p/zones/z/disks/d, but its saved definition in .kfp-upgrade/volumes/ is csi pd.csi.storage.gke.io projects/p/zones/z/disks/e: a PV of the same name over other storage',
    },
    {
      name: "another GCE PD",
      saved: saved({ gcePersistentDisk: { pdName: "disk-b" } }),
      cluster: volume({ source: { type: "gcePersistentDisk", pdName: "disk-a" } }),
      problem:
        'PV "kfp-minio" in the cluster is gcePersistentDisk disk-a, but its saved definition in .kfp-upgrade/volumes/ is gcePersistentDisk disk-b: a PV of the same name over other storage',
    },
    {
      name: "another NFS export",
      saved: saved({ nfs: { server: "10.0.0.2", path: "/b" } }),
      cluster: volume({ source: { type: "other", description: "nfs 10.0.0.2:/a" } }),
      problem:
        'PV "kfp-minio" in the cluster is nfs 10.0.0.2:/a, but its saved definition in .kfp-upgrade/volumes/ is nfs 10.0.0.2:/b: a PV of the same name over other storage',
    },
  ];
  it.each(cases)("$name", ({ saved, cluster, problem }) => {
    expect(savedSourceMismatch(saved, cluster)).toBe(problem);
  });
});

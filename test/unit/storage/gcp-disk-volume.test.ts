import { describe, expect, it } from "vitest";
import { GCE_PD_CSI_DRIVER, gcpDiskVolume } from "../../../src/storage/gcp-disk-volume.js";

const common = {
  volumeName: "kubeflow-mysql-pv-claim",
  disk: "my-kf-storage-metadata-store",
  project: "my-project",
  zone: "us-central1-a",
};

describe("gcpDiskVolume", () => {
  const cases = [
    {
      name: "CSI when the cluster has the PD CSI driver",
      useCsi: true,
      source: {
        csi: {
          driver: GCE_PD_CSI_DRIVER,
          volumeHandle: "projects/my-project/zones/us-central1-a/disks/my-kf-storage-metadata-store",
          fsType: "ext4",
        },
      },
    },
    {
      name: "in-tree gcePersistentDisk otherwise",
      useCsi: false,
      source: { gcePersistentDisk: { pdName: "my-kf-storage-metadata-store", fsType: "ext4" } },
    },
  ];
  it.each(cases)("$name", ({ useCsi, source }) => {
    expect(gcpDiskVolume({ ...common, useCsi })).toEqual({
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: {
        name: "kubeflow-mysql-pv-claim",
        labels: { "app.kubernetes.io/managed-by": "kfp-upgrade" },
      },
      spec: {
        capacity: { storage: "20Gi" },
        accessModes: ["ReadWriteOnce"],
        persistentVolumeReclaimPolicy: "Retain",
        storageClassName: "",
        ...source,
      },
    });
  });

  it("takes another capacity when asked", () => {
    const volume = gcpDiskVolume({ ...common, useCsi: false, capacity: "200Gi" });
    expect((volume.spec as { capacity: unknown }).capacity).toEqual({ storage: "200Gi" });
  });

  it("the driver name is the GKE PD CSI driver", () => {
    expect(GCE_PD_CSI_DRIVER).toBe("pd.csi.storage.gke.io");
  });
});

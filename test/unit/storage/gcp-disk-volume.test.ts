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

describe("gcpDiskVolume with the zones gcloud reported", () => {
  it("pins the PV to those zones with a node affinity", () => {
    const pv = gcpDiskVolume({ ...common, useCsi: false, zones: ["us-central1-a", "us-central1-b"] });
    expect((pv.spec as { nodeAffinity: unknown }).nodeAffinity).toEqual({
      required: {
        nodeSelectorTerms: [
          {
            matchExpressions: [
              {
                key: "topology.kubernetes.io/zone",
                operator: "In",
                values: ["us-central1-a", "us-central1-b"],
              },
            ],
          },
        ],
      },
    });
  });

  it("has no node affinity without zones", () => {
    expect(Object.keys(gcpDiskVolume({ ...common, useCsi: true }).spec as object)).not.toContain(
      "nodeAffinity",
    );
  });
});

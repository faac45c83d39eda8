import type { KubeObject } from "../model/kube-object.js";

export const GCE_PD_CSI_DRIVER = "pd.csi.storage.gke.io";

/**
 * A PV for an existing GCP persistent disk, declared at 20Gi ext4 like the ksonnet `storage.libsonnet` did (the
 * artifact disk is 200 GB, but the claim asks for 20Gi). CSI when the cluster has the PD CSI driver, in-tree
 * `gcePersistentDisk` otherwise. Retain, so the disk outlives the namespace. With `zones` (the zones gcloud says the
 * disk is in), a node affinity on `topology.kubernetes.io/zone`, so the scheduler puts its pod where the disk can
 * be attached (what the CSI provisioner sets on the PVs it creates).
 */
export function gcpDiskVolume(options: {
  volumeName: string;
  disk: string;
  project: string;
  zone: string;
  /** A regional disk: its CSI handle names the region, not a zone. */
  region?: string;
  useCsi: boolean;
  capacity?: string;
  zones?: readonly string[];
}): KubeObject {
  const source = options.useCsi
    ? {
        csi: {
          driver: GCE_PD_CSI_DRIVER,
          volumeHandle: `projects/${options.project}/${options.region ? `regions/${options.region}` : `zones/${options.zone}`}/disks/${options.disk}`,
          fsType: "ext4",
        },
      }
    : { gcePersistentDisk: { pdName: options.disk, fsType: "ext4" } };
  return {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name: options.volumeName, labels: { "app.kubernetes.io/managed-by": "kfp-upgrade" } },
    spec: {
      capacity: { storage: options.capacity ?? "20Gi" },
      accessModes: ["ReadWriteOnce"],
      persistentVolumeReclaimPolicy: "Retain",
      storageClassName: "",
      ...source,
      ...(options.zones && options.zones.length > 0
        ? {
            nodeAffinity: {
              required: {
                nodeSelectorTerms: [
                  {
                    matchExpressions: [
                      { key: "topology.kubernetes.io/zone", operator: "In", values: [...options.zones] },
                    ],
                  },
                ],
              },
            },
          }
        : {}),
    },
  };
}

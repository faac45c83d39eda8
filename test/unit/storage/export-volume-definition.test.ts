import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../src/model/kube-object.js";
import { exportVolumeDefinition } from "../../../src/storage/export-volume-definition.js";

/** A PV as the API server returns it after a default StorageClass provisioned and bound it. */
const provisioned: KubeObject = {
  apiVersion: "v1",
  kind: "PersistentVolume",
  metadata: {
    name: "pvc-3f1c",
    uid: "0b7c…",
    resourceVersion: "4711",
    creationTimestamp: "2026-01-01T00:00:00Z",
    generation: 1,
    selfLink: "/api/v1/persistentvolumes/pvc-3f1c",
    finalizers: ["kubernetes.io/pv-protection"],
    managedFields: [{ manager: "kube-controller-manager" }],
    labels: { topology: "zone-a" },
    annotations: {
      "pv.kubernetes.io/bound-by-controller": "yes",
      "pv.kubernetes.io/provisioned-by": "rancher.io/local-path",
    },
  },
  spec: {
    capacity: { storage: "20Gi" },
    accessModes: ["ReadWriteOnce"],
    persistentVolumeReclaimPolicy: "Delete",
    storageClassName: "standard",
    hostPath: { path: "/var/local-path/pvc-3f1c" },
    claimRef: { namespace: "kubeflow", name: "mysql-pv-claim", uid: "c-1", resourceVersion: "12" },
  },
  status: { phase: "Bound" },
};

describe("exportVolumeDefinition", () => {
  it("keeps what recreates the volume and drops what ties it to this cluster", () => {
    expect(exportVolumeDefinition(provisioned)).toEqual({
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: {
        name: "pvc-3f1c",
        labels: { topology: "zone-a" },
        annotations: { "pv.kubernetes.io/provisioned-by": "rancher.io/local-path" },
      },
      spec: {
        capacity: { storage: "20Gi" },
        accessModes: ["ReadWriteOnce"],
        persistentVolumeReclaimPolicy: "Retain",
        storageClassName: "standard",
        hostPath: { path: "/var/local-path/pvc-3f1c" },
      },
    });
  });

  it("drops annotations entirely when only the bound-by-controller one was there", () => {
    const exported = exportVolumeDefinition({
      ...provisioned,
      metadata: { name: "kfp-mysql", annotations: { "pv.kubernetes.io/bound-by-controller": "yes" } },
    });
    expect(exported.metadata).toEqual({ name: "kfp-mysql" });
  });

  it("does not change the object it was given", () => {
    const before = structuredClone(provisioned);
    exportVolumeDefinition(provisioned);
    expect(provisioned).toEqual(before);
  });
});

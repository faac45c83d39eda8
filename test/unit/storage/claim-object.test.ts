import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../src/model/kube-object.js";
import { claimObject } from "../../../src/storage/claim-object.js";
import type { ResolvedStorage } from "../../../src/storage/resolve-volume-storage.js";

/** The PVC as KFP's kustomize manifests ship it (every release from 0.5.1 to 2.17.0). */
const template: KubeObject = {
  apiVersion: "v1",
  kind: "PersistentVolumeClaim",
  metadata: {
    name: "mysql-pv-claim",
    namespace: "kubeflow",
    labels: { "application-crd-id": "kubeflow-pipelines" },
  },
  spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "20Gi" } } },
};

describe("claimObject", () => {
  const cases: {
    name: string;
    storage: ResolvedStorage;
    volumeName: string | null;
    volumeClass?: string | null;
    template?: KubeObject;
    spec: Record<string, unknown>;
  }[] = [
    {
      name: "a pre-created PV: empty storageClassName plus volumeName",
      storage: { mode: "pvName", pvName: "kfp-mysql", note: null },
      volumeName: "kfp-mysql",
      spec: {
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: "20Gi" } },
        storageClassName: "",
        volumeName: "kfp-mysql",
      },
    },
    {
      name: "a PV with a class (a provisioned PV re-attached by reinstall): the claim asks for that class",
      storage: { mode: "pvName", pvName: "pvc-0f3c", note: null },
      volumeName: "pvc-0f3c",
      volumeClass: "standard",
      spec: {
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: "20Gi" } },
        storageClassName: "standard",
        volumeName: "pvc-0f3c",
      },
    },
    {
      name: "a GCP disk PV binds the same way",
      storage: { mode: "gcpDisk", disk: "my-kf-storage-metadata-store", note: null },
      volumeName: "kubeflow-mysql-pv-claim",
      spec: {
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: "20Gi" } },
        storageClassName: "",
        volumeName: "kubeflow-mysql-pv-claim",
      },
    },
    {
      name: "a named StorageClass",
      storage: { mode: "storageClass", storageClass: "fast", note: null },
      volumeName: null,
      spec: {
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: "20Gi" } },
        storageClassName: "fast",
      },
    },
    {
      name: "the default StorageClass leaves storageClassName unset",
      storage: { mode: "default", note: null },
      volumeName: null,
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "20Gi" } } },
    },
    {
      name: "the template's size and access modes are kept",
      storage: { mode: "default", note: null },
      volumeName: null,
      template: {
        ...template,
        spec: { accessModes: ["ReadWriteMany"], resources: { requests: { storage: "50Gi" } } },
      },
      spec: { accessModes: ["ReadWriteMany"], resources: { requests: { storage: "50Gi" } } },
    },
  ];
  it.each(cases)("$name", ({ storage, volumeName, spec, ...rest }) => {
    const claim = claimObject({
      name: "mysql-pv-claim",
      namespace: "team-a",
      template: rest.template ?? template,
      storage,
      volumeName,
      volumeClass: rest.volumeClass ?? null,
    });
    expect(claim).toEqual({
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: {
        name: "mysql-pv-claim",
        namespace: "team-a",
        labels: { "application-crd-id": "kubeflow-pipelines" },
      },
      spec,
    });
  });

  it("without a template: 20Gi ReadWriteOnce and no labels (ksonnet-era releases ship no bundle)", () => {
    const claim = claimObject({
      name: "minio-pvc",
      namespace: "kubeflow",
      template: undefined,
      storage: { mode: "default", note: null },
      volumeName: null,
    });
    expect(claim).toEqual({
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: "minio-pvc", namespace: "kubeflow" },
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "20Gi" } } },
    });
  });

  it("does not share the template's labels object", () => {
    const claim = claimObject({
      name: "mysql-pv-claim",
      namespace: "kubeflow",
      template,
      storage: { mode: "default", note: null },
      volumeName: null,
    });
    expect(claim.metadata.labels).not.toBe(template.metadata.labels);
  });
});

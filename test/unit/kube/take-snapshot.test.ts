import { readFileSync } from "node:fs";
import path from "node:path";
import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { takeSnapshot } from "../../../src/kube/take-snapshot.js";
import { clusterSnapshotSchema } from "../../../src/model/cluster-snapshot.js";
import type { KubeObject } from "../../../src/model/kube-object.js";
import { FakeKubeClient } from "../../support/fake-kube-client.js";

const MANIFESTS = path.resolve(import.meta.dirname, "../../../../shared/kfp-manifests/2.5.0");
const GI = 2 ** 30;

function loadManifest(file: string): KubeObject[] {
  return (yaml.loadAll(readFileSync(path.join(MANIFESTS, file), "utf8")) as (KubeObject | null)[]).filter(
    (object): object is KubeObject => object !== null,
  );
}

/** What a real cluster shows after `kubectl apply` of KFP 2.5.0 onto two pre-created hostPath PVs. */
function kfp250(fake: FakeKubeClient): FakeKubeClient {
  const objects = [...loadManifest("cluster-scoped.yaml"), ...loadManifest("platform-agnostic.yaml")].map(
    (object) => withStatus(object),
  );
  fake.seed(objects);
  fake.seed([
    hostPathVolume("kfp-mysql", "/data/mysql"),
    hostPathVolume("kfp-minio", "/data/minio"),
    {
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: { name: "standard", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
      provisioner: "rancher.io/local-path",
      reclaimPolicy: "Delete",
    },
    {
      apiVersion: "storage.k8s.io/v1",
      kind: "CSIDriver",
      metadata: { name: "pd.csi.storage.gke.io" },
      spec: {},
    },
  ]);
  fake.bind({ namespace: "kubeflow", name: "mysql-pv-claim" }, "kfp-mysql");
  fake.bind({ namespace: "kubeflow", name: "minio-pvc" }, "kfp-minio");
  return fake;
}

function withStatus(object: KubeObject): KubeObject {
  if (object.kind === "Deployment") {
    const replicas = (object.spec as { replicas?: number }).replicas ?? 1;
    return {
      ...object,
      status: { replicas, readyReplicas: replicas, availableReplicas: replicas, updatedReplicas: replicas },
    };
  }
  if (object.kind === "CustomResourceDefinition") {
    return { ...object, status: { conditions: [{ type: "Established", status: "True" }] } };
  }
  if (object.kind === "Namespace") return { ...object, status: { phase: "Active" } };
  if (object.kind === "PersistentVolumeClaim") return { ...object, status: { phase: "Pending" } };
  return object;
}

function hostPathVolume(name: string, hostPath: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name },
    spec: {
      capacity: { storage: "20Gi" },
      accessModes: ["ReadWriteOnce"],
      persistentVolumeReclaimPolicy: "Retain",
      hostPath: { path: hostPath },
    },
    status: { phase: "Available" },
  };
}

describe("takeSnapshot of a KFP 2.5.0 install", () => {
  it("reads the installed version from pipeline-install-config", async () => {
    const snapshot = await takeSnapshot(kfp250(new FakeKubeClient()), { namespace: "kubeflow" });
    expect(snapshot).toMatchObject({
      context: "fake",
      namespace: { name: "kubeflow", exists: true, phase: "Active" },
      installedVersion: "2.5.0",
      versionSource: "appVersion",
    });
    expect(clusterSnapshotSchema.parse(snapshot)).toEqual(snapshot);
  });

  it("maps every Deployment with its images, selector and readiness", async () => {
    const snapshot = await takeSnapshot(kfp250(new FakeKubeClient()), { namespace: "kubeflow" });
    expect(snapshot.deployments).toHaveLength(14);
    expect(snapshot.deployments.find((deployment) => deployment.name === "ml-pipeline")).toMatchObject({
      namespace: "kubeflow",
      selector: { app: "ml-pipeline", "application-crd-id": "kubeflow-pipelines" },
      containers: [{ name: "ml-pipeline-api-server", image: "ghcr.io/kubeflow/kfp-api-server:2.5.0" }],
      replicas: 1,
      readyReplicas: 1,
      availableReplicas: 1,
      updatedReplicas: 1,
    });
  });

  it("maps the data claims to the PVs they are bound to", async () => {
    const fake = kfp250(new FakeKubeClient());
    const snapshot = await takeSnapshot(fake, { namespace: "kubeflow" });
    const mysqlVolume = fake.peek({ apiVersion: "v1", kind: "PersistentVolume", name: "kfp-mysql" });
    const mysqlClaim = fake.peek({
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      name: "mysql-pv-claim",
      namespace: "kubeflow",
    });
    expect(snapshot.claims.map((claim) => claim.name)).toEqual(["minio-pvc", "mysql-pv-claim"]);
    expect(snapshot.claims[1]).toEqual({
      name: "mysql-pv-claim",
      namespace: "kubeflow",
      uid: mysqlClaim?.metadata.uid,
      phase: "Bound",
      volumeName: "kfp-mysql",
      storageClassName: null,
      requestBytes: 20 * GI,
      accessModes: ["ReadWriteOnce"],
      ownerReferences: [],
      deleting: false,
    });
    expect(snapshot.volumes.find((volume) => volume.name === "kfp-mysql")).toEqual({
      name: "kfp-mysql",
      uid: mysqlVolume?.metadata.uid,
      phase: "Bound",
      claimRef: { namespace: "kubeflow", name: "mysql-pv-claim", uid: mysqlClaim?.metadata.uid },
      capacityBytes: 20 * GI,
      accessModes: ["ReadWriteOnce"],
      reclaimPolicy: "Retain",
      storageClassName: null,
      source: { type: "hostPath", path: "/data/mysql" },
      ownerReferences: [],
      dataWrittenBy: null,
    });
  });

  it("reads which claim each Deployment mounts (the object store in use comes from here)", async () => {
    const snapshot = await takeSnapshot(kfp250(new FakeKubeClient()), { namespace: "kubeflow" });
    const claims = Object.fromEntries(
      snapshot.deployments.filter((d) => d.claims.length > 0).map((d) => [d.name, d.claims]),
    );
    expect(claims).toEqual({ minio: ["minio-pvc"], mysql: ["mysql-pv-claim"] });
  });

  it("lists Secret names and never their data", async () => {
    const fake = kfp250(new FakeKubeClient());
    const snapshot = await takeSnapshot(fake, { namespace: "kubeflow" });
    expect(snapshot.secrets).toEqual(["mlpipeline-minio-artifact", "mysql-secret"]);
    expect(JSON.stringify(snapshot)).not.toContain(Buffer.from("minio123").toString("base64"));
    expect(fake.callsOf("list").map((call) => call.kind)).not.toContain("Secret");
  });

  it("reads CRDs, storage classes, CSI drivers and discovery", async () => {
    const snapshot = await takeSnapshot(kfp250(new FakeKubeClient()), { namespace: "kubeflow" });
    expect(snapshot.crds).toHaveLength(11);
    expect(snapshot.crds.every((crd) => crd.established)).toBe(true);
    expect(snapshot.storageClasses).toEqual([
      { name: "standard", isDefault: true, provisioner: "rancher.io/local-path", reclaimPolicy: "Delete" },
    ]);
    expect(snapshot.csiDrivers).toEqual(["pd.csi.storage.gke.io"]);
    // The Established CRDs add their group versions to discovery.
    expect(snapshot.servedApiVersions).toEqual(
      expect.arrayContaining(["v1", "apps/v1", "app.k8s.io/v1beta1"]),
    );
  });

  it("collects prune candidates in the namespace and KFP-labelled cluster-scoped objects", async () => {
    const snapshot = await takeSnapshot(kfp250(new FakeKubeClient()), { namespace: "kubeflow" });
    const counts: Record<string, number> = {};
    for (const object of snapshot.objects) counts[object.kind] = (counts[object.kind] ?? 0) + 1;
    // platform-agnostic.yaml: CM 5 Deploy 14 PVC 2 PC 1 Role 10 RB 10 Secret 2 Svc 8 SA 14, plus the
    // cluster-scoped file's cache-deployer SA (namespaced). Its ClusterRole/Binding and CRDs carry no
    // application-crd-id label in 2.5.0, so the label selection finds none of them.
    expect(counts).toEqual({
      ConfigMap: 5,
      Deployment: 14,
      PersistentVolumeClaim: 2,
      PriorityClass: 1,
      Role: 10,
      RoleBinding: 10,
      Secret: 2,
      Service: 8,
      ServiceAccount: 15,
    });
    expect(snapshot.objects.find((object) => object.kind === "PriorityClass")).toMatchObject({
      apiVersion: "scheduling.k8s.io/v1",
      name: "workflow-controller",
      namespace: null,
      labels: { "application-crd-id": "kubeflow-pipelines" },
    });
  });

  it("needs one discovery and one parallel round of reads", async () => {
    const fake = kfp250(new FakeKubeClient());
    await takeSnapshot(fake, { namespace: "kubeflow" });
    expect(fake.calls[0]?.method).toBe("servedApiVersions");
    // discovery, namespace, 8 full or metadata-only lists, 6 namespaced prune kinds (Application is served), 3
    // cluster-scoped kinds, 1 cluster-wide look for other KFP API servers, 1 list of namespaces (owner marks), 1 list
    // of the namespace's Argo Workflows (a hop into 2.18 drains them)
    expect(fake.requestCount()).toBe(22);
  });

  it("reads who installed every object it reads: the namespace's, the Namespace, all CRDs and KFP cluster kinds", async () => {
    const snapshot = await takeSnapshot(kfp250(new FakeKubeClient()), { namespace: "kubeflow" });
    const counts: Record<string, number> = {};
    for (const entry of snapshot.ownership) counts[entry.kind] = (counts[entry.kind] ?? 0) + 1;
    // The objects above plus the Namespace, 11 CRDs and the unlabelled ClusterRoles and ClusterRoleBindings.
    expect(counts).toMatchObject({
      ConfigMap: 5,
      CustomResourceDefinition: 11,
      Deployment: 14,
      Namespace: 1,
      PersistentVolumeClaim: 2,
      PriorityClass: 1,
      Secret: 2,
      ServiceAccount: 15,
    });
    expect(counts.ClusterRole).toBeGreaterThan(0);
    expect(counts.ClusterRoleBinding).toBeGreaterThan(0);
    expect(snapshot.helmReleases).toEqual([]);
  });

  it("reads the field managers kubectl left on an object", async () => {
    const fake = kfp250(new FakeKubeClient());
    fake.update(
      { apiVersion: "apps/v1", kind: "Deployment", name: "ml-pipeline", namespace: "kubeflow" },
      (object) => {
        object.metadata.annotations = { "kubectl.kubernetes.io/last-applied-configuration": "{}" };
        object.metadata.managedFields = [
          {
            manager: "kubectl-client-side-apply",
            operation: "Update",
            apiVersion: "apps/v1",
            fieldsType: "FieldsV1",
          },
          {
            manager: "kube-controller-manager",
            operation: "Update",
            apiVersion: "apps/v1",
            subresource: "status",
          },
        ];
      },
    );
    const snapshot = await takeSnapshot(fake, { namespace: "kubeflow" });
    expect(
      snapshot.ownership.find((entry) => entry.kind === "Deployment" && entry.name === "ml-pipeline"),
    ).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      name: "ml-pipeline",
      namespace: "kubeflow",
      managers: [
        {
          manager: "kubectl-client-side-apply",
          operation: "Update",
          apiVersion: "apps/v1",
          subresource: null,
        },
        {
          manager: "kube-controller-manager",
          operation: "Update",
          apiVersion: "apps/v1",
          subresource: "status",
        },
      ],
      lastApplied: true,
      helmRelease: null,
      argoCdApp: null,
      flux: null,
    });
  });

  it("reads the records of the Helm release the marks name, with two more requests per release", async () => {
    const fake = kfp250(new FakeKubeClient());
    fake.update(
      { apiVersion: "apps/v1", kind: "Deployment", name: "ml-pipeline", namespace: "kubeflow" },
      (object) => {
        object.metadata.labels = { ...object.metadata.labels, "app.kubernetes.io/managed-by": "Helm" };
        object.metadata.annotations = {
          "meta.helm.sh/release-name": "kfp",
          "meta.helm.sh/release-namespace": "kubeflow",
        };
      },
    );
    const record = (name: string, release: string, namespace = "kubeflow"): KubeObject => ({
      apiVersion: "v1",
      kind: "Secret",
      type: "helm.sh/release.v1",
      metadata: { name, namespace, labels: { owner: "helm", name: release, status: "deployed" } },
      data: { release: Buffer.from("H4sI-not-read").toString("base64") },
    });
    fake.seed([
      record("sh.helm.release.v1.kfp.v2", "kfp"),
      record("sh.helm.release.v1.kfp.v1", "kfp"),
      record("sh.helm.release.v1.other.v1", "other"),
      record("sh.helm.release.v1.kfp.v1", "kfp", "default"),
    ]);
    const snapshot = await takeSnapshot(fake, { namespace: "kubeflow" });
    expect(snapshot.helmReleases).toEqual([
      {
        name: "kfp",
        namespace: "kubeflow",
        records: [
          { kind: "Secret", name: "sh.helm.release.v1.kfp.v1", uid: expect.any(String) },
          { kind: "Secret", name: "sh.helm.release.v1.kfp.v2", uid: expect.any(String) },
        ],
      },
    ]);
    expect(fake.requestCount()).toBe(24);
    expect(JSON.stringify(snapshot)).not.toContain("H4sI");
  });

  it("keeps only the named claims when asked", async () => {
    const snapshot = await takeSnapshot(kfp250(new FakeKubeClient()), {
      namespace: "kubeflow",
      claimNames: ["mysql-pv-claim"],
    });
    expect(snapshot.claims.map((claim) => claim.name)).toEqual(["mysql-pv-claim"]);
    expect(snapshot.objects.filter((object) => object.kind === "PersistentVolumeClaim")).toHaveLength(2);
  });

  it("falls back to the api-server image tag without pipeline-install-config", async () => {
    const fake = kfp250(new FakeKubeClient());
    await fake.delete({
      apiVersion: "v1",
      kind: "ConfigMap",
      name: "pipeline-install-config",
      namespace: "kubeflow",
    });
    const snapshot = await takeSnapshot(fake, { namespace: "kubeflow" });
    expect(snapshot).toMatchObject({ installedVersion: "2.5.0", versionSource: "image" });
  });

  it("reports an Application that owns the claims", async () => {
    const fake = kfp250(new FakeKubeClient());
    fake.seed([
      {
        apiVersion: "app.k8s.io/v1beta1",
        kind: "Application",
        metadata: {
          name: "pipeline",
          namespace: "kubeflow",
          labels: { "application-crd-id": "kubeflow-pipelines" },
        },
      },
    ]);
    const application = fake.peek({
      apiVersion: "app.k8s.io/v1beta1",
      kind: "Application",
      name: "pipeline",
      namespace: "kubeflow",
    });
    const owner = {
      apiVersion: "app.k8s.io/v1beta1",
      kind: "Application",
      name: "pipeline",
      uid: String(application?.metadata.uid),
    };
    await fake.patch(
      { apiVersion: "v1", kind: "PersistentVolumeClaim", name: "mysql-pv-claim", namespace: "kubeflow" },
      { metadata: { ownerReferences: [owner] } },
      "merge",
    );
    const snapshot = await takeSnapshot(fake, { namespace: "kubeflow" });
    expect(snapshot.objects.find((object) => object.kind === "Application")).toMatchObject({
      name: "pipeline",
    });
    expect(snapshot.claims.find((claim) => claim.name === "mysql-pv-claim")?.ownerReferences).toEqual([
      owner,
    ]);
  });
});

describe("takeSnapshot elsewhere", () => {
  it("accepts a namespace that does not exist", async () => {
    const snapshot = await takeSnapshot(new FakeKubeClient(), { namespace: "kubeflow" });
    expect(snapshot).toMatchObject({
      namespace: { name: "kubeflow", exists: false, phase: null },
      installedVersion: null,
      versionSource: "none",
      deployments: [],
      claims: [],
      secrets: [],
      objects: [],
    });
  });

  it("shows a Terminating namespace", async () => {
    const fake = new FakeKubeClient().seed([
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "kubeflow" } },
    ]);
    await fake.delete({ apiVersion: "v1", kind: "Namespace", name: "kubeflow" });
    const snapshot = await takeSnapshot(fake, { namespace: "kubeflow" });
    expect(snapshot.namespace).toEqual({ name: "kubeflow", exists: true, phase: "Terminating" });
  });

  it("maps GCE disks, CSI volumes and anything else", async () => {
    const volume = (name: string, source: Record<string, unknown>): KubeObject => ({
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: { name },
      spec: { capacity: { storage: "10G" }, accessModes: ["ReadWriteOnce"], storageClassName: "", ...source },
    });
    const fake = new FakeKubeClient().seed([
      volume("a-gce", { gcePersistentDisk: { pdName: "kfp-mysql-disk", fsType: "ext4" } }),
      volume("b-csi", {
        csi: { driver: "pd.csi.storage.gke.io", volumeHandle: "projects/p/zones/z/disks/d" },
      }),
      volume("c-nfs", { nfs: { server: "10.0.0.2", path: "/exports/kfp" } }),
      volume("d-local", { local: { path: "/mnt/disks/ssd1" } }),
    ]);
    const snapshot = await takeSnapshot(fake, { namespace: "kubeflow" });
    expect(
      snapshot.volumes.map((entry) => [entry.name, entry.source, entry.capacityBytes, entry.phase]),
    ).toEqual([
      ["a-gce", { type: "gcePersistentDisk", pdName: "kfp-mysql-disk" }, 10e9, "Pending"],
      [
        "b-csi",
        { type: "csi", driver: "pd.csi.storage.gke.io", volumeHandle: "projects/p/zones/z/disks/d" },
        10e9,
        "Pending",
      ],
      ["c-nfs", { type: "other", description: "nfs 10.0.0.2:/exports/kfp" }, 10e9, "Pending"],
      ["d-local", { type: "other", description: "local /mnt/disks/ssd1" }, 10e9, "Pending"],
    ]);
    expect(
      snapshot.volumes.every((entry) => entry.storageClassName === null && entry.claimRef === null),
    ).toBe(true);
  });

  it("reads what last wrote a PV's data from its annotation, and never assumes a missing reclaim policy is Retain", async () => {
    const fake = new FakeKubeClient().seed([
      {
        apiVersion: "v1",
        kind: "PersistentVolume",
        metadata: {
          name: "a-recorded",
          annotations: {
            "kfp-upgrade.kubeflow.org/data-written-by":
              '{"kfpVersion":"2.14.4","mysqlSeries":"8.4","objectStore":"minio"}',
          },
        },
        spec: { capacity: { storage: "20Gi" }, hostPath: { path: "/data/a" } },
      },
      {
        apiVersion: "v1",
        kind: "PersistentVolume",
        metadata: { name: "b-garbled", annotations: { "kfp-upgrade.kubeflow.org/data-written-by": "{oops" } },
        spec: {
          capacity: { storage: "20Gi" },
          persistentVolumeReclaimPolicy: "Delete",
          hostPath: { path: "/b" },
        },
      },
    ]);
    const snapshot = await takeSnapshot(fake, { namespace: "kubeflow" });
    expect(snapshot.volumes.map((v) => [v.name, v.reclaimPolicy, v.dataWrittenBy])).toEqual([
      ["a-recorded", null, { kfpVersion: "2.14.4", mysqlSeries: "8.4", objectStore: "minio" }],
      ["b-garbled", "Delete", null],
    ]);
  });

  it("reads a ksonnet-era version from the api-server image", async () => {
    const fake = new FakeKubeClient().seed([
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "kubeflow" } },
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "ml-pipeline", namespace: "kubeflow" },
        spec: {
          selector: { matchLabels: { app: "ml-pipeline" } },
          template: {
            metadata: { labels: { app: "ml-pipeline" } },
            spec: {
              containers: [{ name: "ml-pipeline-api-server", image: "gcr.io/ml-pipeline/api-server:0.1.7" }],
            },
          },
        },
      },
    ]);
    const snapshot = await takeSnapshot(fake, { namespace: "kubeflow" });
    expect(snapshot).toMatchObject({ installedVersion: "0.1.7", versionSource: "image" });
  });
});

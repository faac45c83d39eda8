import { describe, expect, it } from "vitest";
import { PreflightRefusal } from "../../../src/errors.js";
import type { GcpDiskFinding, GcpDiskState, GcpFindings } from "../../../src/model/gcp-disk.js";
import type { KubeObject } from "../../../src/model/kube-object.js";
import { buildDeployPlan, type DeployPlanInput } from "../../../src/plan/build-deploy-plan.js";
import { planSchema } from "../../../src/plan/plan.js";
import { renderPlanText } from "../../../src/plan/render-plan-text.js";
import { requiredAccess } from "../../../src/plan/required-access.js";
import { redactSecrets } from "../../../src/redact.js";
import { sharedRelease } from "../../support/manifests.js";
import { aSnapshot } from "../../support/snapshot-builder.js";
import { anApp, indexOf, NOW, PV_APP, plannedObjects, stepsOf } from "./plan-inputs.js";

function deploy(input: Omit<DeployPlanInput, "command" | "now"> & { command?: DeployPlanInput["command"] }) {
  return buildDeployPlan({ command: "deploy", now: NOW, ...input });
}

function claimSpecs(plan: ReturnType<typeof deploy>) {
  return stepsOf(plan, "ensureClaim").map((step) => ({
    name: step.claim.metadata.name,
    namespace: step.claim.metadata.namespace,
    spec: step.claim.spec,
  }));
}

describe("deploy 2.5.0 into an empty cluster onto pre-created PVs", () => {
  const emptyCluster = () => aSnapshot().withVolume("kfp-mysql").withVolume("kfp-minio").build();

  it("renders the plan", async () => {
    const plan = deploy({ app: PV_APP, snapshot: emptyCluster(), release: await sharedRelease("2.5.0") });
    await expect(renderPlanText(plan, { color: false })).toMatchFileSnapshot(
      "__plans__/deploy-2.5.0-pv-names.txt",
    );
  });

  it("binds each claim to its PV with an empty storageClassName and volumeName", async () => {
    const plan = deploy({ app: PV_APP, snapshot: emptyCluster(), release: await sharedRelease("2.5.0") });
    expect(claimSpecs(plan)).toEqual([
      {
        name: "mysql-pv-claim",
        namespace: "kubeflow",
        spec: {
          accessModes: ["ReadWriteOnce"],
          resources: { requests: { storage: "20Gi" } },
          storageClassName: "",
          volumeName: "kfp-mysql",
        },
      },
      {
        name: "minio-pvc",
        namespace: "kubeflow",
        spec: {
          accessModes: ["ReadWriteOnce"],
          resources: { requests: { storage: "20Gi" } },
          storageClassName: "",
          volumeName: "kfp-minio",
        },
      },
    ]);
    expect(stepsOf(plan, "verifyBinding").at(-1)?.claims).toEqual([
      {
        role: "mysql",
        claim: "mysql-pv-claim",
        volumeName: "kfp-mysql",
        volumeUid: "uid-persistentvolume-kfp-mysql",
      },
      {
        role: "objectStore",
        claim: "minio-pvc",
        volumeName: "kfp-minio",
        volumeUid: "uid-persistentvolume-kfp-minio",
      },
    ]);
  });

  it("creates Secrets only if absent, and never applies a Secret or a data claim", async () => {
    const plan = deploy({ app: PV_APP, snapshot: emptyCluster(), release: await sharedRelease("2.5.0") });
    const objects = plannedObjects(plan);
    expect(objects.filter((o) => o.kind === "Secret")).toEqual([
      { step: "createIfAbsent", kind: "Secret", name: "mlpipeline-minio-artifact", namespace: "kubeflow" },
      { step: "createIfAbsent", kind: "Secret", name: "mysql-secret", namespace: "kubeflow" },
    ]);
    expect(objects.filter((o) => o.kind === "PersistentVolumeClaim").map((o) => o.step)).toEqual([
      "ensureClaim",
      "ensureClaim",
    ]);
    expect(objects.filter((o) => o.kind === "Namespace")).toEqual([]);
  });

  it("orders: namespace, CRDs then wait Established, cluster objects, config, claims, workloads, waits, verify, save", async () => {
    const release = await sharedRelease("2.5.0");
    const plan = deploy({ app: PV_APP, snapshot: emptyCluster(), release });
    const kinds = plan.steps.map((step) =>
      step.kind === "applyObjects" ? `apply:${step.group}` : step.kind,
    );
    expect(kinds).toEqual([
      "ensureNamespace",
      "apply:crds",
      "waitEstablished",
      "apply:cluster",
      "apply:rbac",
      "createIfAbsent",
      "apply:config",
      "ensureClaim",
      "ensureClaim",
      "apply:services",
      "apply:workloads",
      "waitBound",
      "waitRollout",
      "verifyBinding",
      "recordDataWriter",
      "saveVolumeDefinitions",
    ]);
    const crds = release.objects
      .filter((o) => o.kind === "CustomResourceDefinition")
      .map((o) => o.metadata.name);
    expect(stepsOf(plan, "waitEstablished")).toEqual([
      { id: "03-waitEstablished", kind: "waitEstablished", crds },
    ]);
    expect(stepsOf(plan, "waitRollout")[0]?.deployments).toHaveLength(14);
  });

  it("says what it deploys, where, and from which clock", async () => {
    const plan = deploy({ app: PV_APP, snapshot: emptyCluster(), release: await sharedRelease("2.5.0") });
    expect(plan).toMatchObject({
      apiVersion: "kfp-upgrade/v1",
      kind: "Plan",
      command: "deploy",
      namespace: "kubeflow",
      context: "test-context",
      from: null,
      to: "2.5.0",
      strategy: "manifests",
      hops: [{ from: null, to: "2.5.0", strategy: "manifests", reason: "install KFP 2.5.0" }],
      warnings: [],
      createdAt: "2026-01-02T03:04:05.000Z",
    });
  });
});

describe("deploy into a namespace other than the bundle's", () => {
  it("retargets every object, the DNS names in config, and says so", async () => {
    const app = anApp({
      namespace: "team-a",
      mysql: { pvName: "kfp-mysql" },
      objectStore: { pvName: "kfp-minio" },
    });
    const snapshot = aSnapshot("team-a").withVolume("kfp-mysql").withVolume("kfp-minio").build();
    const plan = deploy({ app, snapshot, release: await sharedRelease("2.5.0") });
    await expect(renderPlanText(plan, { color: false })).toMatchFileSnapshot(
      "__plans__/deploy-2.5.0-team-a.txt",
    );
    expect(plan.steps[0]).toEqual({
      id: "01-ensureNamespace",
      kind: "ensureNamespace",
      name: "team-a",
      exists: false,
    });
    const namespaces = new Set(plannedObjects(plan).map((o) => o.namespace));
    expect(namespaces).toEqual(new Set([undefined, "team-a"]));
    expect(plan.notes).toContain(
      'Release 2.5.0 was rendered for namespace "kubeflow"; it is installed into "team-a"',
    );
    const text = JSON.stringify(plan.steps);
    expect(text).toContain("minio-service.team-a:9000");
    expect(text).not.toMatch(/[a-z0-9-]\.kubeflow(:|\.svc|")/);
    expect(text).toContain("scheduledworkflows.kubeflow.org");
  });
});

describe("deploy 0.5.1 into a cluster that no longer serves apiextensions.k8s.io/v1beta1", () => {
  it("converts the CRDs, lists every conversion, and applies the Application after its CRD is Established", async () => {
    const snapshot = aSnapshot().withVolume("kfp-mysql").withVolume("kfp-minio").build();
    expect(snapshot.servedApiVersions).not.toContain("apiextensions.k8s.io/v1beta1");
    const plan = deploy({ app: PV_APP, snapshot, release: await sharedRelease("0.5.1") });
    await expect(renderPlanText(plan, { color: false })).toMatchFileSnapshot(
      "__plans__/deploy-0.5.1-converted.txt",
    );
    const crdStep = stepsOf(plan, "applyObjects").find((step) => step.group === "crds");
    expect(crdStep?.objects.map(({ object }) => object.apiVersion)).toEqual(
      Array(4).fill("apiextensions.k8s.io/v1"),
    );
    expect(plan.notes.filter((note) => note.startsWith("convert "))).toHaveLength(4);
    const established = indexOf(plan, (step) => step.kind === "waitEstablished");
    const application = indexOf(
      plan,
      (step) =>
        step.kind === "applyObjects" && step.objects.some(({ object }) => object.kind === "Application"),
    );
    expect(application).toBeGreaterThan(established);
  });
});

describe("deploy onto the default StorageClass", () => {
  it("lets the class provision both claims, then switches their PVs to Retain", async () => {
    const snapshot = aSnapshot().withDefaultStorageClass("standard").build();
    const plan = deploy({ app: anApp(), snapshot, release: await sharedRelease("2.5.0") });
    expect(claimSpecs(plan).map((claim) => claim.spec)).toEqual([
      { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "20Gi" } } },
      { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "20Gi" } } },
    ]);
    const waitBound = indexOf(plan, (step) => step.kind === "waitBound");
    expect(plan.steps[waitBound + 1]).toMatchObject({
      kind: "retainClaimVolumes",
      namespace: "kubeflow",
      claims: ["mysql-pv-claim", "minio-pvc"],
    });
    expect(plan.storage.map((s) => s.detail)).toEqual([
      "provisioned by StorageClass standard; its PV is switched to Retain once bound",
      "provisioned by StorageClass standard; its PV is switched to Retain once bound",
    ]);
    expect(renderPlanText(plan, { color: false })).toContain(
      "~ PVs bound to mysql-pv-claim, minio-pvc: reclaim policy -> Retain once bound",
    );
  });

  it("names a StorageClass when one is given", async () => {
    const snapshot = aSnapshot().withStorageClass("fast").build();
    const app = anApp({ mysql: { storageClass: "fast" }, objectStore: { storageClass: "fast" } });
    const plan = deploy({ app, snapshot, release: await sharedRelease("2.5.0") });
    expect(
      claimSpecs(plan).map((claim) => (claim.spec as { storageClassName: string }).storageClassName),
    ).toEqual(["fast", "fast"]);
    expect(stepsOf(plan, "retainClaimVolumes")[0]?.claims).toEqual(["mysql-pv-claim", "minio-pvc"]);
  });
});

describe("deploy onto GCP disks", () => {
  const gcpApp = anApp({
    platform: { type: "gcp", project: "my-project", zone: "us-central1-a" },
    mysql: { gcpDisk: "kf-storage-metadata-store", pvName: "ignored" },
    objectStore: { gcpDisk: "kf-storage-artifact-store" },
  });
  const cases = [
    {
      name: "CSI when the cluster has the PD CSI driver",
      snapshot: () => aSnapshot().withCsiDriver("pd.csi.storage.gke.io").build(),
      source: "csi",
    },
    {
      name: "in-tree gcePersistentDisk otherwise",
      snapshot: () => aSnapshot().build(),
      source: "gcePersistentDisk",
    },
  ];
  it.each(cases)(
    "creates a Retain PV per disk and binds the claim to it: $name",
    async ({ snapshot, source }) => {
      const plan = deploy({ app: gcpApp, snapshot: snapshot(), release: await sharedRelease("2.5.0") });
      const volumes = stepsOf(plan, "ensureVolume").map((step) => step.volume);
      expect(volumes.map((v) => v.metadata.name)).toEqual(["kubeflow-mysql-pv-claim", "kubeflow-minio-pvc"]);
      for (const volume of volumes) {
        const spec = volume.spec as Record<string, unknown>;
        expect(spec.persistentVolumeReclaimPolicy).toBe("Retain");
        expect(Object.keys(spec)).toContain(source);
      }
      expect(claimSpecs(plan).map((c) => (c.spec as { volumeName: string }).volumeName)).toEqual([
        "kubeflow-mysql-pv-claim",
        "kubeflow-minio-pvc",
      ]);
      expect(plan.notes).toContain(
        'MySQL volume (mysql-pv-claim): GCP disk "kf-storage-metadata-store" wins over PV name "ignored" (as in kfctl\'s params)',
      );
      // Volumes come before the claims that bind to them.
      expect(indexOf(plan, (s) => s.kind === "ensureVolume")).toBeLessThan(
        indexOf(plan, (s) => s.kind === "ensureClaim"),
      );
    },
  );
});

describe("deploy onto PVs that need care first", () => {
  it("switches a Delete-policy PV to Retain before anything else changes", async () => {
    const snapshot = aSnapshot()
      .withVolume("kfp-mysql", { reclaimPolicy: "Delete" })
      .withVolume("kfp-minio")
      .build();
    const plan = deploy({ app: PV_APP, snapshot, release: await sharedRelease("2.5.0") });
    expect(plan.steps.slice(0, 2)).toEqual([
      { id: "01-ensureNamespace", kind: "ensureNamespace", name: "kubeflow", exists: false },
      {
        id: "02-setReclaimPolicy",
        kind: "setReclaimPolicy",
        volume: "kfp-mysql",
        volumeUid: "uid-persistentvolume-kfp-mysql",
        from: "Delete",
        to: "Retain",
      },
    ]);
    expect(plan.warnings).toEqual([
      "MySQL volume (mysql-pv-claim): PV kfp-mysql has reclaim policy Delete; deleting its claim would destroy the data, so it is switched to Retain first",
    ]);
  });

  it("reinstall: reserves a Released PV for its new claim in place of the stale claimRef, before the claim is created", async () => {
    const snapshot = aSnapshot()
      .withReleasedVolume("kfp-mysql", "mysql-pv-claim")
      .withReleasedVolume("kfp-minio", "minio-pvc")
      .build();
    const plan = deploy({
      app: PV_APP,
      snapshot,
      release: await sharedRelease("2.5.0"),
      command: "reinstall",
    });
    await expect(renderPlanText(plan, { color: false })).toMatchFileSnapshot(
      "__plans__/reinstall-2.5.0-released.txt",
    );
    expect(stepsOf(plan, "releaseClaimRef")).toEqual([
      {
        id: expect.stringMatching(/-releaseClaimRef$/),
        kind: "releaseClaimRef",
        volume: "kfp-mysql",
        volumeUid: "uid-persistentvolume-kfp-mysql",
        staleClaim: { namespace: "kubeflow", name: "mysql-pv-claim", uid: "mysql-pv-claim-old-uid" },
        claim: { namespace: "kubeflow", name: "mysql-pv-claim" },
      },
      {
        id: expect.stringMatching(/-releaseClaimRef$/),
        kind: "releaseClaimRef",
        volume: "kfp-minio",
        volumeUid: "uid-persistentvolume-kfp-minio",
        staleClaim: { namespace: "kubeflow", name: "minio-pvc", uid: "minio-pvc-old-uid" },
        claim: { namespace: "kubeflow", name: "minio-pvc" },
      },
    ]);
    expect(indexOf(plan, (s) => s.kind === "releaseClaimRef")).toBeLessThan(
      indexOf(plan, (s) => s.kind === "ensureClaim"),
    );
  });

  it("reinstall into a new cluster: recreates the PVs from the saved definitions, reserved for their claims", async () => {
    const saved = (name: string): KubeObject => ({
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: { name },
      spec: {
        capacity: { storage: "20Gi" },
        accessModes: ["ReadWriteOnce"],
        persistentVolumeReclaimPolicy: "Retain",
        hostPath: { path: `/data/${name}` },
      },
    });
    const plan = deploy({
      app: anApp(),
      snapshot: aSnapshot().withDefaultStorageClass().build(),
      release: await sharedRelease("2.5.0"),
      savedVolumes: { mysql: saved("pvc-1111"), objectStore: saved("pvc-2222") },
      command: "reinstall",
    });
    const reserved = (name: string, claim: string): KubeObject => ({
      ...saved(name),
      spec: {
        ...(saved(name).spec as Record<string, unknown>),
        claimRef: { apiVersion: "v1", kind: "PersistentVolumeClaim", namespace: "kubeflow", name: claim },
      },
    });
    expect(stepsOf(plan, "ensureVolume").map((step) => [step.role, step.volume])).toEqual([
      ["mysql", reserved("pvc-1111", "mysql-pv-claim")],
      ["objectStore", reserved("pvc-2222", "minio-pvc")],
    ]);
    expect(claimSpecs(plan).map((c) => (c.spec as { volumeName: string }).volumeName)).toEqual([
      "pvc-1111",
      "pvc-2222",
    ]);
    expect(stepsOf(plan, "retainClaimVolumes")).toEqual([]);
    expect(plan.storage.map((s) => s.mode)).toEqual(["pvName", "pvName"]);
  });
});

describe("deploy refusals: every problem at once, before anything changes", () => {
  const release = () => sharedRelease("2.5.0");
  const cases = [
    {
      name: "the namespace is Terminating",
      app: PV_APP,
      snapshot: () =>
        aSnapshot().withNamespace("Terminating").withVolume("kfp-mysql").withVolume("kfp-minio").build(),
      problems: ['namespace "kubeflow" is Terminating; wait until it is gone'],
    },
    {
      name: "KFP is already installed",
      app: PV_APP,
      snapshot: () =>
        aSnapshot().withInstalledVersion("2.3.0").withVolume("kfp-mysql").withVolume("kfp-minio").build(),
      problems: [
        'KFP 2.3.0 is already installed in namespace "kubeflow"; use `kfp-upgrade upgrade` to change its version',
      ],
    },
    {
      name: "a PV does not exist",
      app: PV_APP,
      snapshot: () => aSnapshot().withVolume("kfp-mysql").build(),
      problems: [
        'object store volume (minio-pvc): PV "kfp-minio" does not exist in the cluster and no saved definition was found',
      ],
    },
    {
      name: "a PV is bound to another claim",
      app: PV_APP,
      snapshot: () =>
        aSnapshot()
          .withVolume("kfp-mysql", { claimRef: { namespace: "team-b", name: "db", uid: "c-9" } })
          .withVolume("kfp-minio")
          .build(),
      problems: ['MySQL volume (mysql-pv-claim): PV "kfp-mysql" is bound to another claim (team-b/db)'],
    },
    {
      name: "a PV is too small",
      app: PV_APP,
      snapshot: () =>
        aSnapshot().withVolume("kfp-mysql", { capacity: "10Gi" }).withVolume("kfp-minio").build(),
      problems: [
        'MySQL volume (mysql-pv-claim): PV "kfp-mysql" is too small: 10Gi < 20Gi requested by mysql-pv-claim',
      ],
    },
    {
      name: "a PV lacks the access mode",
      app: PV_APP,
      snapshot: () =>
        aSnapshot()
          .withVolume("kfp-mysql")
          .withVolume("kfp-minio", { accessModes: ["ReadOnlyMany"] })
          .build(),
      problems: [
        'object store volume (minio-pvc): PV "kfp-minio" does not offer access mode ReadWriteOnce (it has ReadOnlyMany)',
      ],
    },
    {
      name: "there is no default StorageClass",
      app: anApp(),
      snapshot: () => aSnapshot().withStorageClass("manual").build(),
      problems: [
        "MySQL volume (mysql-pv-claim): the cluster has no default StorageClass, so the claim would stay Pending (kubeflow/kubeflow#3481)",
        "object store volume (minio-pvc): the cluster has no default StorageClass, so the claim would stay Pending (kubeflow/kubeflow#3481)",
      ],
    },
    {
      name: "a named StorageClass does not exist",
      app: anApp({ mysql: { storageClass: "fast" }, objectStore: { storageClass: "fast" } }),
      snapshot: () => aSnapshot().withDefaultStorageClass().build(),
      problems: [
        'MySQL volume (mysql-pv-claim): StorageClass "fast" does not exist',
        'object store volume (minio-pvc): StorageClass "fast" does not exist',
      ],
    },
    {
      name: "a GCP disk on a generic platform",
      app: anApp({ mysql: { gcpDisk: "kf-storage-metadata-store" }, objectStore: { pvName: "kfp-minio" } }),
      snapshot: () => aSnapshot().withVolume("kfp-minio").build(),
      problems: [
        'MySQL volume (mysql-pv-claim): GCP disk "kf-storage-metadata-store" was given, but this app\'s platform is "generic"',
      ],
    },
    {
      name: "conflicting storage for one volume",
      app: anApp({
        mysql: { storageClass: "fast", pvName: "kfp-mysql" },
        objectStore: { pvName: "kfp-minio" },
      }),
      snapshot: () =>
        aSnapshot().withStorageClass("fast").withVolume("kfp-mysql").withVolume("kfp-minio").build(),
      problems: [
        'MySQL volume (mysql-pv-claim): a StorageClass ("fast") and a PV name ("kfp-mysql") were both given',
      ],
    },
    {
      name: "several problems",
      app: PV_APP,
      snapshot: () =>
        aSnapshot().withNamespace("Terminating").withVolume("kfp-mysql", { capacity: "1Gi" }).build(),
      problems: [
        'namespace "kubeflow" is Terminating; wait until it is gone',
        'MySQL volume (mysql-pv-claim): PV "kfp-mysql" is too small: 1Gi < 20Gi requested by mysql-pv-claim',
        'object store volume (minio-pvc): PV "kfp-minio" does not exist in the cluster and no saved definition was found',
      ],
    },
  ];
  it.each(cases)("$name", async ({ app, snapshot, problems }) => {
    const build = async () => deploy({ app, snapshot: snapshot(), release: await release() });
    await expect(build()).rejects.toThrow(PreflightRefusal);
    const error = (await build().catch((e: unknown) => e)) as PreflightRefusal;
    expect(error.exitCode).toBe(4);
    expect(error.hint).toBe("Nothing was changed. Fix the problems above and run the command again.");
    // One problem goes into the message; several go into the details, one per line.
    const reported = error.details.length > 0 ? error.details : [error.message.replace(/^[^:]+: /, "")];
    expect(reported).toEqual(problems);
    expect(error.message).toMatch(/^Cannot deploy KFP 2\.5\.0 into namespace "kubeflow": /);
  });

  it("refuses a release without a bundle", async () => {
    const release = { ...(await sharedRelease("2.5.0")), objects: [], bundleDir: null };
    expect(() =>
      deploy({
        app: PV_APP,
        snapshot: aSnapshot().withVolume("kfp-mysql").withVolume("kfp-minio").build(),
        release,
      }),
    ).toThrow(
      "no manifests bundle for KFP 2.5.0: deploy applies a release bundle; pass --manifests DIR (a directory with 2.5.0/*.yaml)",
    );
  });
});

describe("storage rules: data lands on the right volume and version", () => {
  const writer = (kfpVersion: string, mysqlSeries: string) => ({
    kfpVersion,
    mysqlSeries,
    objectStore: "minio" as const,
  });
  const savedPv = (name: string, path: string, annotations?: Record<string, string>): KubeObject => ({
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name, ...(annotations ? { annotations } : {}) },
    spec: { capacity: { storage: "20Gi" }, accessModes: ["ReadWriteOnce"], hostPath: { path } },
  });
  const cases = [
    {
      name: "swapped Released PVs are refused, naming both",
      app: anApp({ mysql: { pvName: "kfp-minio" }, objectStore: { pvName: "kfp-mysql" } }),
      snapshot: () =>
        aSnapshot()
          .withReleasedVolume("kfp-mysql", "mysql-pv-claim")
          .withReleasedVolume("kfp-minio", "minio-pvc")
          .build(),
      accept: {},
      refused: [
        "MySQL volume (mysql-pv-claim): PV \"kfp-minio\" was last bound to claim kubeflow/minio-pvc (its stale claimRef), not to mysql-pv-claim: it holds another volume's data (were --mysql-pv and --minio-pv swapped?); pass --accept-volume-mismatch only if this PV really holds this volume's data",
        "object store volume (minio-pvc): PV \"kfp-mysql\" was last bound to claim kubeflow/mysql-pv-claim (its stale claimRef), not to minio-pvc: it holds another volume's data (were --mysql-pv and --minio-pv swapped?); pass --accept-volume-mismatch only if this PV really holds this volume's data",
      ],
      warnings: [],
    },
    {
      name: "swapped Released PVs the user vouches for: a warning in the plan",
      app: anApp({ mysql: { pvName: "kfp-minio" }, objectStore: { pvName: "kfp-mysql" } }),
      snapshot: () =>
        aSnapshot()
          .withReleasedVolume("kfp-mysql", "mysql-pv-claim")
          .withReleasedVolume("kfp-minio", "minio-pvc")
          .build(),
      accept: { volumeMismatch: true },
      refused: null,
      warnings: [
        'MySQL volume (mysql-pv-claim): PV "kfp-minio" was last bound to claim kubeflow/minio-pvc (its stale claimRef), not to mysql-pv-claim: it holds another volume\'s data (were --mysql-pv and --minio-pv swapped?); used anyway, as --accept-volume-mismatch says',
        'object store volume (minio-pvc): PV "kfp-mysql" was last bound to claim kubeflow/mysql-pv-claim (its stale claimRef), not to minio-pvc: it holds another volume\'s data (were --mysql-pv and --minio-pv swapped?); used anyway, as --accept-volume-mismatch says',
      ],
    },
    {
      name: "a saved definition over other storage than the cluster PV of that name is refused",
      app: anApp(),
      snapshot: () =>
        aSnapshot()
          .withDefaultStorageClass()
          .withReleasedVolume("pvc-1111", "mysql-pv-claim")
          .withReleasedVolume("pvc-2222", "minio-pvc")
          .build(),
      saved: {
        mysql: savedPv("pvc-1111", "/data/other-disk"),
        objectStore: savedPv("pvc-2222", "/data/pvc-2222"),
      },
      accept: {},
      refused: [
        'MySQL volume (mysql-pv-claim): PV "pvc-1111" in the cluster is hostPath /data/pvc-1111, but its saved definition in .kfp-upgrade/volumes/ is hostPath /data/other-disk: a PV of the same name over other storage; pass --accept-volume-mismatch only if this PV really holds this volume\'s data',
      ],
      warnings: [],
    },
    {
      name: "reinstall --tag older than the data recorded on the cluster PVs is refused",
      app: PV_APP,
      snapshot: () =>
        aSnapshot()
          .withReleasedVolume("kfp-mysql", "mysql-pv-claim", { dataWrittenBy: writer("2.14.4", "8.4") })
          .withReleasedVolume("kfp-minio", "minio-pvc", { dataWrittenBy: writer("2.14.4", "8.4") })
          .build(),
      accept: {},
      refused: [
        "MySQL volume (mysql-pv-claim): PV kfp-mysql holds data last written by KFP 2.14.4 (MySQL 8.4, MinIO); KFP 2.5.0 is older and cannot run on it (KFP has no down-migration, kubeflow/pipelines#3636): use --tag 2.14.4 or newer",
        "object store volume (minio-pvc): PV kfp-minio holds data last written by KFP 2.14.4 (MySQL 8.4, MinIO); KFP 2.5.0 is older and cannot run on it (KFP has no down-migration, kubeflow/pipelines#3636): use --tag 2.14.4 or newer",
      ],
      warnings: [],
    },
    {
      name: "reinstall in a new cluster reads what wrote the data from the saved definitions",
      app: anApp(),
      snapshot: () => aSnapshot().withDefaultStorageClass().build(),
      saved: {
        mysql: savedPv("pvc-1111", "/data/pvc-1111", {
          "kfp-upgrade.kubeflow.org/data-written-by": JSON.stringify(writer("1.8.5", "5.7")),
        }),
        objectStore: savedPv("pvc-2222", "/data/pvc-2222"),
      },
      accept: {},
      refused: null,
      warnings: [],
    },
  ];
  it.each(cases)("$name", async ({ app, snapshot, saved, accept, refused, warnings }) => {
    const build = async () =>
      deploy({
        app,
        snapshot: snapshot(),
        release: await sharedRelease("2.5.0"),
        command: "reinstall",
        accept,
        ...(saved ? { savedVolumes: saved } : {}),
      });
    if (refused) {
      const error = (await build().catch((e: unknown) => e)) as PreflightRefusal;
      expect(error).toBeInstanceOf(PreflightRefusal);
      expect(error.details.length > 0 ? error.details : [error.message.replace(/^[^:]+: /, "")]).toEqual(
        refused,
      );
      return;
    }
    const plan = await build();
    expect(plan.refusal).toBeUndefined();
    expect(plan.warnings).toEqual(warnings);
  });

  it("records what wrote the data on each data PV before saving their definitions", async () => {
    const plan = deploy({
      app: PV_APP,
      snapshot: aSnapshot().withVolume("kfp-mysql").withVolume("kfp-minio").build(),
      release: await sharedRelease("2.14.4"),
    });
    expect(plan.steps.slice(-2)).toEqual([
      {
        id: expect.stringMatching(/-recordDataWriter$/),
        kind: "recordDataWriter",
        namespace: "kubeflow",
        claims: [
          { role: "mysql", claim: "mysql-pv-claim" },
          { role: "objectStore", claim: "minio-pvc" },
        ],
        writer: { kfpVersion: "2.14.4", mysqlSeries: "8.4", objectStore: "minio" },
      },
      expect.objectContaining({ kind: "saveVolumeDefinitions" }),
    ]);
  });

  it("a PV without a reclaim policy is switched to Retain explicitly, never assumed Retain", async () => {
    const plan = deploy({
      app: PV_APP,
      snapshot: aSnapshot().withVolume("kfp-mysql", { reclaimPolicy: null }).withVolume("kfp-minio").build(),
      release: await sharedRelease("2.5.0"),
    });
    expect(stepsOf(plan, "setReclaimPolicy")).toEqual([
      {
        id: "02-setReclaimPolicy",
        kind: "setReclaimPolicy",
        volume: "kfp-mysql",
        volumeUid: "uid-persistentvolume-kfp-mysql",
        from: "(none)",
        to: "Retain",
      },
    ]);
  });
});

describe("a data claim being deleted: Retain first, then refused", () => {
  it("reinstall into a namespace whose claims are Terminating: only the Delete PV is switched, and the plan is refused", async () => {
    const snapshot = aSnapshot()
      .withNamespace("Terminating")
      .withBoundClaim("mysql-pv-claim", "pvc-1111", { reclaimPolicy: "Delete", deleting: true })
      .withBoundClaim("minio-pvc", "pvc-2222", { deleting: true })
      .build();
    const plan = deploy({
      app: anApp(),
      snapshot,
      release: await sharedRelease("2.5.0"),
      command: "reinstall",
    });
    expect(plan.steps).toEqual([
      {
        id: "01-setReclaimPolicy",
        kind: "setReclaimPolicy",
        volume: "pvc-1111",
        volumeUid: "uid-persistentvolume-pvc-1111",
        from: "Delete",
        to: "Retain",
      },
    ]);
    expect(plan.refusal).toEqual({
      code: "DATA_CLAIM_TERMINATING",
      message: 'Cannot reinstall KFP 2.5.0 into namespace "kubeflow": 3 problems',
      problems: [
        "MySQL volume (mysql-pv-claim): mysql-pv-claim is being deleted (its pods or a finalizer still hold it); its PV pvc-1111 is now switched to Retain, so the data survives the claim: wait until the claim is gone and run `kfp-upgrade reinstall`",
        "object store volume (minio-pvc): minio-pvc is being deleted (its pods or a finalizer still hold it); its PV pvc-2222 is Retain, so the data survives the claim: wait until the claim is gone and run `kfp-upgrade reinstall`",
        'namespace "kubeflow" is Terminating; wait until it is gone',
      ],
      hint: "Only the reclaim policies shown were changed (to Retain), so the data outlives the claims. Wait until the claims are gone (`kubectl get pvc -n kubeflow`), then run `kfp-upgrade reinstall`.",
    });
    const text = renderPlanText(plan, { color: false });
    expect(text).toContain('Refused: Cannot reinstall KFP 2.5.0 into namespace "kubeflow": 3 problems');
    expect(text).toContain(
      "Runs only these protective steps:\n\n  ~ persistentvolume/pvc-1111: reclaim policy Delete -> Retain",
    );
  });
});

describe("reinstall compares with the last recorded inventory", () => {
  const released = () =>
    aSnapshot()
      .withReleasedVolume("kfp-mysql", "mysql-pv-claim")
      .withReleasedVolume("kfp-minio", "minio-pvc")
      .build();
  const BASELINE = {
    experiments: [{ id: "e1", name: "nightly" }],
    pipelines: [{ id: "p1", name: "train" }],
    pipelineVersions: [{ id: "v1", name: "train v1" }],
    runs: [{ id: "r1", name: "run 1" }],
    recurringRuns: [{ id: "j1", name: "hourly" }],
  };

  it("checks after the rollout and the binding check, before the PVs record what wrote them", async () => {
    const plan = deploy({
      app: PV_APP,
      snapshot: released(),
      release: await sharedRelease("2.5.0"),
      command: "reinstall",
      inventory: { state: "recorded", baseline: BASELINE, recordedAt: "2026-01-01T00:00:00.000Z" },
    });
    const kinds = plan.steps.map((step) => step.kind);
    expect(kinds.slice(kinds.indexOf("waitRollout"))).toEqual([
      "waitRollout",
      "verifyBinding",
      "verifyInventory",
      "recordDataWriter",
      "saveVolumeDefinitions",
    ]);
    expect(stepsOf(plan, "verifyInventory")).toEqual([
      {
        id: expect.stringMatching(/-verifyInventory$/),
        kind: "verifyInventory",
        namespace: "kubeflow",
        source: "as recorded in the KFAPP at 2026-01-01T00:00:00.000Z",
        baseline: BASELINE,
      },
    ]);
    expect(renderPlanText(plan, { color: false })).toContain(
      "✓ verify KFP's API (service kubeflow/ml-pipeline:8888) still lists 1 experiment, 1 pipeline, 1 pipeline version, 1 run, 1 recurring run (as recorded in the KFAPP at 2026-01-01T00:00:00.000Z); else stop before any prune (--skip-inventory skips this)",
    );
  });

  it.each([
    {
      name: "no inventory recorded: a warning, no check, what it lists is recorded",
      inventory: { state: "none" } as const,
      warning:
        "no KFP inventory is recorded in the KFAPP (.kfp-upgrade/inventory.json): the reinstalled KFP's experiments, pipelines and runs are not compared with anything; what it lists now is recorded for later runs",
      note: undefined,
      records: 1,
    },
    {
      name: "--skip-inventory: a note, no check, nothing recorded",
      inventory: { state: "skipped" } as const,
      warning: undefined,
      note: "--skip-inventory: KFP's experiments, pipelines and runs are not listed or compared",
      records: 0,
    },
  ])("$name", async ({ inventory, warning, note, records }) => {
    const plan = deploy({
      app: PV_APP,
      snapshot: released(),
      release: await sharedRelease("2.5.0"),
      command: "reinstall",
      inventory,
    });
    expect(stepsOf(plan, "verifyInventory")).toEqual([]);
    expect(stepsOf(plan, "recordInventory")).toHaveLength(records);
    if (warning) expect(plan.warnings).toContain(warning);
    if (note) expect(plan.notes).toContain(note);
  });

  it("a deploy records what the new install lists, after the rollout and binding checks, at the endpoint given", async () => {
    const plan = deploy({
      app: PV_APP,
      snapshot: released(),
      release: await sharedRelease("2.5.0"),
      command: "deploy",
      inventory: {
        state: "record",
        endpoint: "https://kfp.example.com",
        multiUser: { namespaces: ["team-a"], user: "me@example.com" },
      },
    });
    const kinds = plan.steps.map((step) => step.kind);
    expect(kinds.slice(kinds.indexOf("waitRollout"))).toEqual([
      "waitRollout",
      "verifyBinding",
      "recordInventory",
      "recordDataWriter",
      "saveVolumeDefinitions",
    ]);
    expect(stepsOf(plan, "recordInventory")).toEqual([
      {
        id: expect.stringMatching(/-recordInventory$/),
        kind: "recordInventory",
        namespace: "kubeflow",
        endpoint: "https://kfp.example.com",
        kfpNamespaces: ["team-a"],
        kfpUser: "me@example.com",
      },
    ]);
    expect(plan.warnings.filter((w) => w.includes("inventory"))).toEqual([]);
    expect(renderPlanText(plan, { color: false })).toContain(
      "✓ record what KFP's API (https://kfp.example.com, as me@example.com in team-a) lists in .kfp-upgrade/inventory.json, for later runs to compare with (no answer within 10s is a warning; --skip-inventory skips this)",
    );
  });
});

describe("GCP disks checked against what gcloud and the nodes said", () => {
  const GIB = 1024 ** 3;
  const app = anApp({
    platform: { type: "gcp", project: "my-project", zone: "us-central1-a" },
    mysql: { gcpDisk: "kf-storage-metadata-store" },
    objectStore: { gcpDisk: "kf-storage-artifact-store" },
  });
  const nodes = [{ name: "gke-node-1", zone: "us-central1-a" }];
  const finding = (
    role: "mysql" | "objectStore",
    disk: string,
    state: Partial<GcpDiskState> = {},
  ): GcpDiskFinding => ({
    role,
    disk,
    project: "my-project",
    zone: "us-central1-a",
    showCommand: `gcloud compute disks describe ${disk} --zone us-central1-a --project my-project`,
    state: {
      name: disk,
      project: "my-project",
      zone: "us-central1-a",
      region: null,
      replicaZones: [],
      sizeBytes: 200 * GIB,
      users: [],
      status: "READY",
      ...state,
    },
  });
  const findings = (mysql: Partial<GcpDiskState> = {}): GcpFindings => ({
    nodes,
    disks: [
      finding("mysql", "kf-storage-metadata-store", mysql),
      finding("objectStore", "kf-storage-artifact-store"),
    ],
  });

  it("declares each new PV at the disk's size", async () => {
    const plan = deploy({
      app,
      snapshot: aSnapshot().build(),
      release: await sharedRelease("2.5.0"),
      gcp: findings(),
    });
    const capacities = stepsOf(plan, "ensureVolume").map(
      (step) => (step.volume.spec as { capacity: { storage: string } }).capacity.storage,
    );
    expect(capacities).toEqual(["200Gi", "200Gi"]);
  });

  it("uses a regional CSI handle and the replica zones for a regional disk", async () => {
    const plan = deploy({
      app,
      snapshot: aSnapshot().withCsiDriver("pd.csi.storage.gke.io").build(),
      release: await sharedRelease("2.5.0"),
      gcp: findings({ zone: null, region: "us-central1", replicaZones: ["us-central1-a", "us-central1-f"] }),
    });
    const mysql = stepsOf(plan, "ensureVolume")[0]?.volume.spec as {
      csi: { volumeHandle: string };
      nodeAffinity: { required: { nodeSelectorTerms: { matchExpressions: { values: string[] }[] }[] } };
    };
    expect(mysql.csi.volumeHandle).toBe(
      "projects/my-project/regions/us-central1/disks/kf-storage-metadata-store",
    );
    expect(mysql.nodeAffinity.required.nodeSelectorTerms[0]?.matchExpressions[0]?.values).toEqual([
      "us-central1-a",
      "us-central1-f",
    ]);
  });

  it("refuses a disk in another zone and one attached to a foreign instance, all at once, before any step", async () => {
    const release = await sharedRelease("2.5.0");
    const gcp: GcpFindings = {
      nodes,
      disks: [
        finding("mysql", "kf-storage-metadata-store", { zone: "us-east1-b" }),
        finding("objectStore", "kf-storage-artifact-store", { users: ["old-node"] }),
      ],
    };
    const error = (() => {
      try {
        deploy({ app, snapshot: aSnapshot().build(), release, gcp });
        return null;
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(PreflightRefusal);
    expect((error as PreflightRefusal).details).toEqual([
      expect.stringMatching(
        /^MySQL volume \(mysql-pv-claim\): GCP disk "kf-storage-metadata-store" is in zone us-east1-b/,
      ),
      expect.stringMatching(
        /^object store volume \(minio-pvc\): GCP disk "kf-storage-artifact-store" is attached to instance "old-node"/,
      ),
    ]);
  });

  it("reinstall re-attaches a kfctl-era PV that wraps the disk (found by pdName) instead of creating a second", async () => {
    const snapshot = aSnapshot()
      .withReleasedVolume("mysql-pv", "mysql-pv-claim", {
        source: { type: "gcePersistentDisk", pdName: "kf-storage-metadata-store" },
      })
      .withReleasedVolume("minio-pv", "minio-pvc", {
        source: {
          type: "csi",
          driver: "pd.csi.storage.gke.io",
          volumeHandle: "projects/my-project/zones/us-central1-a/disks/kf-storage-artifact-store",
        },
      })
      .build();
    const plan = deploy({
      command: "reinstall",
      app,
      snapshot,
      release: await sharedRelease("2.5.0"),
      gcp: findings({ users: ["gke-node-1"] }),
    });
    expect(stepsOf(plan, "ensureVolume")).toEqual([]);
    expect(stepsOf(plan, "releaseClaimRef").map((step) => step.volume)).toEqual(["mysql-pv", "minio-pv"]);
    expect(claimSpecs(plan).map((c) => (c.spec as { volumeName: string }).volumeName)).toEqual([
      "mysql-pv",
      "minio-pv",
    ]);
  });

  it("applies the named-PV fit checks to a PV found by disk", async () => {
    const release = await sharedRelease("2.5.0");
    const snapshot = aSnapshot()
      .withVolume("mysql-pv", {
        capacity: "5Gi",
        source: { type: "gcePersistentDisk", pdName: "kf-storage-metadata-store" },
      })
      .build();
    expect(() => deploy({ command: "reinstall", app, snapshot, release, gcp: findings() })).toThrow(
      /PV "mysql-pv" is too small: 5Gi < 20Gi/,
    );
  });
});

describe("two PVs wrapping one GCP disk", () => {
  it("is refused unless one of them was bound to the claim", async () => {
    const release = await sharedRelease("2.5.0");
    const app = anApp({
      platform: { type: "gcp", project: "my-project", zone: "us-central1-a" },
      mysql: { gcpDisk: "shared-disk" },
      objectStore: { pvName: "kfp-minio" },
    });
    const source = { type: "gcePersistentDisk" as const, pdName: "shared-disk" };
    const snapshot = aSnapshot()
      .withVolume("pv-a", { source })
      .withVolume("pv-b", { source })
      .withVolume("kfp-minio")
      .build();
    expect(() => deploy({ app, snapshot, release })).toThrow(
      /GCP disk "shared-disk" is wrapped by several PVs \(pv-a, pv-b\) and none was bound to kubeflow\/mysql-pv-claim/,
    );
  });
});

describe("reinstall of a legacy GCP KFAPP whose storage config still creates the disks", () => {
  const before =
    "# kfctl.sh\nresources:\n- type: storage.jinja\n  properties:\n    createPipelinePersistentStorage: true\n";
  const after = before.replace("true", "false");
  const edit = {
    file: "gcp_config/storage-kubeflow.yaml",
    change: "createPipelinePersistentStorage: false (creates no disks)",
    before,
    after,
    diff: "--- a/gcp_config/storage-kubeflow.yaml\n+++ b/gcp_config/storage-kubeflow.yaml\n@@ -5 +5 @@\n-    createPipelinePersistentStorage: true\n+    createPipelinePersistentStorage: false",
  };
  const plan = async () =>
    deploy({
      app: PV_APP,
      snapshot: aSnapshot().withVolume("kfp-mysql").withVolume("kfp-minio").build(),
      release: await sharedRelease("2.5.0"),
      command: "reinstall",
      appFileEdits: [edit],
    });

  it("edits the file first, before anything in the cluster, keeping its exact text before and after", async () => {
    const built = await plan();
    expect(built.steps[0]).toEqual({ id: "01-editAppFile", kind: "editAppFile", ...edit });
    expect(built.steps[1]?.kind).toBe("ensureNamespace");
  });

  it("shows the diff under the step in the plan text, and counts it as an update", async () => {
    const text = renderPlanText(await plan(), { color: false });
    expect(text).toContain(
      [
        "  ~ gcp_config/storage-kubeflow.yaml in the KFAPP: createPipelinePersistentStorage: false (creates no disks); every other byte kept",
        "      --- a/gcp_config/storage-kubeflow.yaml",
        "      +++ b/gcp_config/storage-kubeflow.yaml",
        "      @@ -5 +5 @@",
        "      -    createPipelinePersistentStorage: true",
        "      +    createPipelinePersistentStorage: false",
        "",
      ].join("\n"),
    );
    const without = renderPlanText(
      { ...(await plan()), steps: (await plan()).steps.slice(1) },
      { color: false },
    );
    const updates = (t: string) => Number(/(\d+) to update/.exec(t)?.[1]);
    expect(updates(text)).toBe(updates(without) + 1);
  });

  it("keeps the exact text before and after through the journal (redacted, written as JSON, read back)", async () => {
    const built = await plan();
    const journaled = planSchema.parse(JSON.parse(JSON.stringify(redactSecrets(built))));
    expect(journaled.steps[0]).toEqual(built.steps[0]);
  });

  it("needs no right in the cluster for the edit", async () => {
    const built = await plan();
    expect(requiredAccess(built)).toEqual(requiredAccess({ ...built, steps: built.steps.slice(1) }));
  });
});

import { describe, expect, it } from "vitest";
import { PreflightRefusal } from "../../../src/errors.js";
import type { ClusterSnapshot } from "../../../src/model/cluster-snapshot.js";
import type { GcpFindings } from "../../../src/model/gcp-disk.js";
import type { KubeObject } from "../../../src/model/kube-object.js";
import {
  buildUpgradePlan,
  type ObjectStoreChoice,
  type Strategy,
  type UpgradeHop,
} from "../../../src/plan/build-upgrade-plan.js";
import type { PlanInventory } from "../../../src/plan/inventory-plan.js";
import type { Plan } from "../../../src/plan/plan.js";
import { renderPlanText } from "../../../src/plan/render-plan-text.js";
import type { Release } from "../../../src/release/release.js";
import { catalogueRelease, sharedHops, sharedRelease } from "../../support/manifests.js";
import { aSnapshot, uidFor } from "../../support/snapshot-builder.js";
import {
  anApp,
  indexOf,
  installedSnapshot,
  NOW,
  PV_APP,
  plannedImages,
  plannedObjects,
  stepsOf,
} from "./plan-inputs.js";

interface UpgradeCase {
  installed: Release;
  snapshot: ClusterSnapshot;
  hops: UpgradeHop[];
  strategy?: Strategy;
  objectStore?: ObjectStoreChoice;
  app?: ReturnType<typeof anApp>;
  inventory?: PlanInventory;
}

function upgrade(input: UpgradeCase): Plan {
  return buildUpgradePlan({
    app: input.app ?? PV_APP,
    snapshot: input.snapshot,
    installed: input.installed,
    hops: input.hops,
    strategy: input.strategy ?? "auto",
    ...(input.objectStore ? { objectStore: input.objectStore } : {}),
    ...(input.inventory ? { inventory: input.inventory } : {}),
    now: NOW,
  });
}

/** An upgrade over a cluster that runs `from` as installed from its real bundle, along the real path. */
async function upgradeFromInstall(
  from: string,
  to: string,
  options: {
    objectStore?: ObjectStoreChoice;
    variant?: Release["variant"];
    defaultStorageClass?: boolean;
    strategy?: Strategy;
    inventory?: PlanInventory;
  } = {},
): Promise<Plan> {
  const installed = await sharedRelease(from);
  const snapshot = installedSnapshot(installed);
  if (options.defaultStorageClass) snapshot.withDefaultStorageClass("standard");
  return upgrade({
    installed,
    snapshot: snapshot.build(),
    hops: await sharedHops(from, to, options.variant),
    ...(options.objectStore ? { objectStore: options.objectStore } : {}),
    ...(options.strategy ? { strategy: options.strategy } : {}),
    ...(options.inventory ? { inventory: options.inventory } : {}),
  });
}

const SAME_PVS = [
  { role: "mysql", claim: "mysql-pv-claim", volumeName: "kfp-mysql", volumeUid: "pv-uid-mysql" },
  { role: "objectStore", claim: "minio-pvc", volumeName: "kfp-minio", volumeUid: "pv-uid-minio" },
];

describe("upgrade 2.5.0 -> 2.14.4 over a real 2.5.0 install", () => {
  it("renders the plan", async () => {
    const plan = await upgradeFromInstall("2.5.0", "2.14.4");
    await expect(renderPlanText(plan, { color: false })).toMatchFileSnapshot(
      "__plans__/upgrade-2.5.0-2.14.4.txt",
    );
  });

  it("moves every Deployment to the target's images and registries", async () => {
    const plan = await upgradeFromInstall("2.5.0", "2.14.4");
    const images = plannedImages(plan);
    expect(images).toEqual(
      expect.arrayContaining([
        "ml-pipeline/ml-pipeline-api-server=ghcr.io/kubeflow/kfp-api-server:2.14.4",
        "ml-pipeline-ui/ml-pipeline-ui=ghcr.io/kubeflow/kfp-frontend:2.14.4",
        "ml-pipeline-persistenceagent/ml-pipeline-persistenceagent=ghcr.io/kubeflow/kfp-persistence-agent:2.14.4",
        // The third-party images leave gcr.io/ml-pipeline at 2.14.4.
        "mysql/mysql=mysql:8.4",
        "minio/minio=minio/minio:RELEASE.2019-08-14T20-37-41Z",
        "workflow-controller/workflow-controller=quay.io/argoproj/workflow-controller:v3.6.7",
      ]),
    );
    expect(images.filter((image) => image.includes("gcr.io/ml-pipeline"))).toEqual([]);
    const text = renderPlanText(plan, { color: false });
    expect(text).toContain("  ~ deployment/mysql -n kubeflow [mysql=mysql:8.4]\n");
    expect(text).toContain(
      "  ~ deployment/ml-pipeline -n kubeflow [ml-pipeline-api-server=ghcr.io/kubeflow/kfp-api-server:2.14.4]\n",
    );
    expect(images.filter((image) => image.includes(":2.5.0"))).toEqual([]);
    expect(plan.hops).toEqual([
      {
        from: "2.5.0",
        to: "2.14.4",
        strategy: "manifests",
        reason: expect.stringContaining("MySQL 8.0 → 8.4"),
      },
    ]);
  });

  it("keeps both claims bound to the same PVs, verified by UID, and creates no claim", async () => {
    const plan = await upgradeFromInstall("2.5.0", "2.14.4");
    expect(stepsOf(plan, "verifyBinding").map((step) => step.claims)).toEqual([SAME_PVS]);
    expect(stepsOf(plan, "ensureClaim")).toEqual([]);
    expect(stepsOf(plan, "ensureVolume")).toEqual([]);
    expect(stepsOf(plan, "waitBound")).toEqual([]);
    expect(plan.storage).toEqual([
      {
        role: "mysql",
        claim: "mysql-pv-claim",
        mode: "existing",
        volumeName: "kfp-mysql",
        detail: "bound to PV kfp-mysql (uid pv-uid-mysql, Retain)",
      },
      {
        role: "objectStore",
        claim: "minio-pvc",
        mode: "existing",
        volumeName: "kfp-minio",
        detail: "bound to PV kfp-minio (uid pv-uid-minio, Retain)",
      },
    ]);
    expect(plan.steps.at(-1)).toMatchObject({
      kind: "saveVolumeDefinitions",
      claims: [
        { role: "mysql", claim: "mysql-pv-claim" },
        { role: "objectStore", claim: "minio-pvc" },
      ],
    });
  });

  it("overwrites no Secret and prunes no data object", async () => {
    const plan = await upgradeFromInstall("2.5.0", "2.14.4");
    expect(
      plannedObjects(plan).filter((o) =>
        ["Secret", "PersistentVolumeClaim", "PersistentVolume"].includes(o.kind),
      ),
    ).toEqual([]);
    expect(plan.notes).toContain(
      "Secrets kept as they are (never overwritten): mlpipeline-minio-artifact, mysql-secret",
    );
    expect(stepsOf(plan, "prune")).toEqual([]);
  });
});

describe("multi-hop upgrade 1.8.5 -> 2.5.0 -> 2.14.4", () => {
  it("renders the plan", async () => {
    const plan = await upgradeFromInstall("1.8.5", "2.14.4");
    await expect(renderPlanText(plan, { color: false })).toMatchFileSnapshot(
      "__plans__/upgrade-1.8.5-2.14.4.txt",
    );
  });

  it("takes MySQL one series at a time, waits for each hop, and verifies the volumes after each", async () => {
    const plan = await upgradeFromInstall("1.8.5", "2.14.4");
    expect(plan.hops.map((hop) => `${hop.from} -> ${hop.to} [${hop.strategy}]`)).toEqual([
      "1.8.5 -> 2.5.0 [manifests]",
      "2.5.0 -> 2.14.4 [manifests]",
    ]);
    const hopSteps = plan.steps.filter(
      (step) => step.kind !== "saveVolumeDefinitions" && step.kind !== "recordDataWriter",
    );
    for (const step of hopSteps) expect(step.id).toMatch(new RegExp(`^h${step.hop}-\\d\\d-${step.kind}$`));
    expect(new Set(hopSteps.map((step) => step.hop))).toEqual(new Set([1, 2]));
    for (const hop of [1, 2]) {
      const steps = plan.steps.filter((step) => step.hop === hop);
      expect(steps.at(-1)).toMatchObject({ kind: "verifyBinding", claims: SAME_PVS });
      const rollouts = steps.filter((step) => step.kind === "waitRollout");
      // MySQL rolls out alone first (its series phase), then the rest of the hop.
      expect(
        rollouts.map((step) => step.kind === "waitRollout" && step.deployments.includes("mysql")),
      ).toEqual([true, false]);
      expect(rollouts.at(-1)?.kind === "waitRollout" && rollouts.at(-1)).toMatchObject({
        deployments: expect.arrayContaining(["ml-pipeline"]),
      });
    }
    expect(plan.steps.at(-1)?.id).toBe(`${String(plan.steps.length).padStart(2, "0")}-saveVolumeDefinitions`);
  });

  it("applies each hop's own images", async () => {
    const plan = await upgradeFromInstall("1.8.5", "2.14.4");
    const apiServer = plan.steps.flatMap((step) =>
      step.kind === "applyObjects"
        ? step.objects
            .filter(({ object }) => object.kind === "Deployment" && object.metadata.name === "ml-pipeline")
            .map(
              () =>
                `h${step.hop}:${plannedImages({ ...plan, steps: [step] }).find((i) => i.startsWith("ml-pipeline/"))}`,
            )
        : [],
    );
    expect(apiServer).toEqual([
      "h1:ml-pipeline/ml-pipeline-api-server=ghcr.io/kubeflow/kfp-api-server:2.5.0",
      "h2:ml-pipeline/ml-pipeline-api-server=ghcr.io/kubeflow/kfp-api-server:2.14.4",
    ]);
  });

  it("says what each hop keeps once", async () => {
    const plan = await upgradeFromInstall("1.8.5", "2.14.4");
    expect(plan.notes).toEqual([
      "Secrets kept as they are (never overwritten): mlpipeline-minio-artifact, mysql-secret",
    ]);
  });

  it("prunes what 2.5.0 dropped, in the hop that drops it", async () => {
    const plan = await upgradeFromInstall("1.8.5", "2.14.4");
    expect(
      stepsOf(plan, "prune").map((step) => [step.hop, step.objects.map((o) => `${o.kind}/${o.name}`)]),
    ).toEqual([[1, ["Service/workflow-controller-metrics"]]]);
  });
});

describe("upgrade 0.5.1 -> 1.8.5: the Application that owned the claims goes", () => {
  const application = {
    apiVersion: "app.k8s.io/v1beta1",
    kind: "Application",
    name: "pipeline",
    uid: uidFor("Application", "pipeline"),
  };

  /** 0.5.1's Application lists PersistentVolumeClaim with addOwnerRef: its controller made it the claims' owner. */
  async function ownedInstall() {
    const installed = await sharedRelease("0.5.1");
    const snapshot = aSnapshot()
      .withInstalled("0.5.1", installed.objects)
      .withBoundClaim("mysql-pv-claim", "kfp-mysql", { uid: "pv-uid-mysql", ownerReferences: [application] })
      .withBoundClaim("minio-pvc", "kfp-minio", { uid: "pv-uid-minio", ownerReferences: [application] })
      .build();
    return { installed, snapshot };
  }

  it("renders the plan", async () => {
    const { installed, snapshot } = await ownedInstall();
    const plan = upgrade({ installed, snapshot, hops: await sharedHops("0.5.1", "1.8.5") });
    await expect(renderPlanText(plan, { color: false })).toMatchFileSnapshot(
      "__plans__/upgrade-0.5.1-1.8.5.txt",
    );
  });

  it("strips the claims' owner references before the Application is pruned", async () => {
    const { installed, snapshot } = await ownedInstall();
    const plan = upgrade({ installed, snapshot, hops: await sharedHops("0.5.1", "1.8.5") });
    const strips = stepsOf(plan, "stripOwnerReferences");
    expect(strips.map((step) => [step.target.name, step.remove])).toEqual([
      ["minio-pvc", [application]],
      ["mysql-pv-claim", [application]],
    ]);
    const prune = indexOf(plan, (step) => step.kind === "prune");
    const pruned = stepsOf(plan, "prune").flatMap((step) => step.objects.map((o) => `${o.kind}/${o.name}`));
    expect(pruned).toContain("Application/pipeline");
    expect(pruned).toContain("Deployment/controller-manager");
    expect(pruned.filter((name) => /^(PersistentVolumeClaim|PersistentVolume|Secret)\//.test(name))).toEqual(
      [],
    );
    for (const step of strips) expect(plan.steps.indexOf(step)).toBeLessThan(prune);
    // Before anything else changes, not merely before the prune; only the dry run, which changes nothing, precedes.
    expect(plan.steps.slice(0, 3).map((step) => step.kind)).toEqual([
      "serverDryRun",
      "stripOwnerReferences",
      "stripOwnerReferences",
    ]);
    expect(stepsOf(plan, "verifyBinding").at(-1)?.claims).toEqual(SAME_PVS);
  });

  it("creates 1.8.5's fixed-name mysql-secret only if absent; the 0.5.1 hashed one is kept, not pruned", async () => {
    const { installed, snapshot } = await ownedInstall();
    const plan = upgrade({ installed, snapshot, hops: await sharedHops("0.5.1", "1.8.5") });
    expect(
      stepsOf(plan, "createIfAbsent").flatMap((step) => step.objects.map((o) => o.metadata.name)),
    ).toEqual(["mysql-secret"]);
    expect(plan.notes).toContain("Secrets kept as they are (never overwritten): mlpipeline-minio-artifact");
  });

  it("0.5.1 -> 1.4.1 converts the v1beta1 CRDs for a cluster that no longer serves them, and says so", async () => {
    const { installed, snapshot } = await ownedInstall();
    expect(snapshot.servedApiVersions).not.toContain("apiextensions.k8s.io/v1beta1");
    const plan = upgrade({ installed, snapshot, hops: await sharedHops("0.5.1", "1.4.1") });
    const crds = stepsOf(plan, "applyObjects").find((step) => step.group === "crds");
    expect(new Set(crds?.objects.map(({ object }) => object.apiVersion))).toEqual(
      new Set(["apiextensions.k8s.io/v1"]),
    );
    expect(plan.notes.filter((note) => note.startsWith("convert customresourcedefinition/"))).toHaveLength(7);
    // 1.4.1 keeps the Application, so nothing owns-then-deletes the claims.
    expect(stepsOf(plan, "stripOwnerReferences")).toEqual([]);
  });

  it("on a cluster still serving v1beta1 nothing is converted", async () => {
    const { installed, snapshot } = await ownedInstall();
    const old = {
      ...snapshot,
      servedApiVersions: [...snapshot.servedApiVersions, "apiextensions.k8s.io/v1beta1"],
    };
    const plan = upgrade({ installed, snapshot: old, hops: await sharedHops("0.5.1", "1.4.1") });
    expect(plan.notes.filter((note) => note.startsWith("convert "))).toEqual([]);
  });
});

describe("upgrade 1.4.1 -> 1.8.5: the Application that owned every component goes", () => {
  it("frees every object it owned before pruning it, Secrets included", async () => {
    const installed = await sharedRelease("1.4.1");
    const application = {
      apiVersion: "app.k8s.io/v1beta1",
      kind: "Application",
      name: "pipeline",
      uid: uidFor("Application", "pipeline"),
    };
    const componentKinds = [
      "ServiceAccount",
      "Role",
      "RoleBinding",
      "Service",
      "ConfigMap",
      "Secret",
      "Deployment",
    ];
    // What the Application controller (addOwnerRef: true) did to every labelled component of its componentKinds.
    const owned = installed.objects.map((object) =>
      componentKinds.includes(object.kind) && object.metadata.namespace === "kubeflow"
        ? { ...object, metadata: { ...object.metadata, ownerReferences: [application] } }
        : object,
    );
    const snapshot = aSnapshot()
      .withInstalled("1.4.1", owned)
      .withBoundClaim("mysql-pv-claim", "kfp-mysql", { uid: "pv-uid-mysql" })
      .withBoundClaim("minio-pvc", "kfp-minio", { uid: "pv-uid-minio" })
      .build();
    const plan = upgrade({ installed, snapshot, hops: await sharedHops("1.4.1", "1.8.5") });
    const pruned = new Set(
      stepsOf(plan, "prune").flatMap((step) => step.objects.map((o) => `${o.kind}/${o.name}`)),
    );
    expect(pruned).toContain("Application/pipeline");
    const freed = stepsOf(plan, "stripOwnerReferences").map(
      (step) => `${step.target.kind}/${step.target.name}`,
    );
    const staying = snapshot.objects
      .filter((o) => o.ownerReferences.length > 0 && !pruned.has(`${o.kind}/${o.name}`))
      .map((o) => `${o.kind}/${o.name}`);
    expect(staying.length).toBeGreaterThan(50);
    expect(new Set(freed)).toEqual(new Set(staying));
    expect(freed).toEqual(
      expect.arrayContaining(["Secret/mlpipeline-minio-artifact", "Deployment/ml-pipeline"]),
    );
    const prune = indexOf(plan, (step) => step.kind === "prune");
    for (const step of stepsOf(plan, "stripOwnerReferences"))
      expect(plan.steps.indexOf(step)).toBeLessThan(prune);
  });
});

describe("the images strategy on a ksonnet-era 0.1.x install", () => {
  const image = (name: string) => `gcr.io/ml-pipeline/${name}:0.1.10`;
  const ksonnetInstall = () =>
    aSnapshot()
      .withInstalledVersion("0.1.10", "image")
      .withDeployment("ml-pipeline", {
        containers: [{ name: "ml-pipeline-api-server", image: image("api-server") }],
      })
      .withDeployment("ml-pipeline-ui", {
        containers: [{ name: "ml-pipeline-ui", image: image("frontend") }],
      })
      .withDeployment("ml-pipeline-persistenceagent", {
        containers: [{ name: "ml-pipeline-persistenceagent", image: image("persistenceagent") }],
      })
      .withDeployment("ml-pipeline-scheduledworkflow", {
        containers: [{ name: "ml-pipeline-scheduledworkflow", image: image("scheduledworkflow") }],
      })
      .withDeployment("mysql", { containers: [{ name: "mysql", image: "mysql:5.6" }] })
      .withBoundClaim("mysql-pv-claim", "kfp-mysql", { uid: "pv-uid-mysql" })
      .withBoundClaim("minio-pvc", "kfp-minio", { uid: "pv-uid-minio" })
      .build();

  async function imagesPlan(): Promise<Plan> {
    const target = await catalogueRelease("v0.1.12");
    return upgrade({
      installed: await catalogueRelease("0.1.10"),
      snapshot: ksonnetInstall(),
      hops: [{ from: "0.1.10", to: "0.1.12", reason: "the target release", release: target }],
    });
  }

  it("renders the plan", async () => {
    await expect(renderPlanText(await imagesPlan(), { color: false })).toMatchFileSnapshot(
      "__plans__/upgrade-0.1.10-0.1.12-images.txt",
    );
  });

  it("sets each KFP image to 0.1.12 and leaves the rest (mysql) alone", async () => {
    const plan = await imagesPlan();
    expect(plan.strategy).toBe("images");
    expect(stepsOf(plan, "setImages").map((step) => [step.deployment, step.containers])).toEqual([
      [
        "ml-pipeline",
        [
          {
            name: "ml-pipeline-api-server",
            from: image("api-server"),
            to: "gcr.io/ml-pipeline/api-server:0.1.12",
          },
        ],
      ],
      [
        "ml-pipeline-persistenceagent",
        [
          {
            name: "ml-pipeline-persistenceagent",
            from: image("persistenceagent"),
            to: "gcr.io/ml-pipeline/persistenceagent:0.1.12",
          },
        ],
      ],
      [
        "ml-pipeline-scheduledworkflow",
        [
          {
            name: "ml-pipeline-scheduledworkflow",
            from: image("scheduledworkflow"),
            to: "gcr.io/ml-pipeline/scheduledworkflow:0.1.12",
          },
        ],
      ],
      [
        "ml-pipeline-ui",
        [{ name: "ml-pipeline-ui", from: image("frontend"), to: "gcr.io/ml-pipeline/frontend:0.1.12" }],
      ],
    ]);
    expect(stepsOf(plan, "waitRollout")[0]?.deployments).toEqual([
      "ml-pipeline",
      "ml-pipeline-persistenceagent",
      "ml-pipeline-scheduledworkflow",
      "ml-pipeline-ui",
    ]);
    expect(stepsOf(plan, "verifyBinding")[0]?.claims).toEqual(SAME_PVS);
    expect(stepsOf(plan, "applyObjects")).toEqual([]);
  });

  it("a --strategy images upgrade on a kustomize install moves the images across the registry change", async () => {
    const installed = await sharedRelease("2.3.0");
    const plan = upgrade({
      installed,
      snapshot: installedSnapshot(installed).build(),
      hops: await sharedHops("2.3.0", "2.5.0"),
      strategy: "images",
    });
    const api = stepsOf(plan, "setImages").find((step) => step.deployment === "ml-pipeline");
    expect(api?.containers).toEqual([
      {
        name: "ml-pipeline-api-server",
        from: "gcr.io/ml-pipeline/api-server:2.3.0",
        to: "ghcr.io/kubeflow/kfp-api-server:2.5.0",
      },
    ]);
  });
});

describe("crossing the 2.15 object-store switch", () => {
  const targets = [
    { name: "2.15.0", to: "2.15.0" },
    { name: "2.17.0", to: "2.17.0" },
  ];

  it.each(targets)("$name: refused without a choice, naming the choices", async ({ to }) => {
    const build = () => upgradeFromInstall("2.14.4", to);
    await expect(build()).rejects.toThrow(PreflightRefusal);
    await expect(build()).rejects.toMatchObject({
      exitCode: 4,
      message: expect.stringMatching(/--object-store keep-minio.*--object-store seaweedfs/),
    });
    await expect(build()).rejects.toThrow(`KFP ${to} replaces MinIO with SeaweedFS`);
  });

  it.each(targets)(
    "$name with seaweedfs: a new artifact claim, a warning, and the MinIO claim is never pruned",
    async ({ to }) => {
      const plan = await upgradeFromInstall("2.14.4", to, {
        objectStore: "seaweedfs",
        defaultStorageClass: true,
      });
      expect(plan.warnings).toContain(
        `Object store moves to SeaweedFS at ${to}: artifacts written before stay on the MinIO claim, which is kept and never pruned`,
      );
      expect(stepsOf(plan, "ensureClaim").map((step) => step.claim.metadata.name)).toEqual(["seaweedfs-pvc"]);
      const pruned = stepsOf(plan, "prune").flatMap((step) => step.objects.map((o) => `${o.kind}/${o.name}`));
      expect(pruned).toContain("Deployment/minio");
      expect(pruned.filter((name) => name.startsWith("PersistentVolume"))).toEqual([]);
      // The MinIO claim is still verified, as the legacy object store; the SeaweedFS claim's PV is the one saved.
      expect(stepsOf(plan, "verifyBinding").at(-1)?.claims).toEqual([
        { role: "mysql", claim: "mysql-pv-claim", volumeName: "kfp-mysql", volumeUid: "pv-uid-mysql" },
        { role: "legacyObjectStore", claim: "minio-pvc", volumeName: "kfp-minio", volumeUid: "pv-uid-minio" },
        { role: "objectStore", claim: "seaweedfs-pvc", volumeName: null, volumeUid: null },
      ]);
      // Every data PV's definition is kept, the MinIO one as the legacy object store.
      expect(stepsOf(plan, "saveVolumeDefinitions")[0]?.claims).toEqual([
        { role: "mysql", claim: "mysql-pv-claim" },
        { role: "legacyObjectStore", claim: "minio-pvc" },
        { role: "objectStore", claim: "seaweedfs-pvc" },
      ]);
      // The MinIO PV keeps the record of what last wrote it (2.14.4); the others now hold data of the target.
      expect(stepsOf(plan, "recordDataWriter").at(-1)).toMatchObject({
        claims: [
          { role: "mysql", claim: "mysql-pv-claim" },
          { role: "objectStore", claim: "seaweedfs-pvc" },
        ],
        writer: { kfpVersion: to, mysqlSeries: "8.4", objectStore: "seaweedfs" },
      });
      expect(plan.storage.map((entry) => `${entry.role}=${entry.claim}`)).toEqual([
        "mysql=mysql-pv-claim",
        "legacyObjectStore=minio-pvc",
        "objectStore=seaweedfs-pvc",
      ]);
      expect(stepsOf(plan, "retainClaimVolumes")[0]?.claims).toEqual(["seaweedfs-pvc"]);
    },
  );

  it("2.15.0 with seaweedfs renders the plan", async () => {
    const plan = await upgradeFromInstall("2.14.4", "2.15.0", {
      objectStore: "seaweedfs",
      defaultStorageClass: true,
    });
    await expect(renderPlanText(plan, { color: false })).toMatchFileSnapshot(
      "__plans__/upgrade-2.14.4-2.15.0-seaweedfs.txt",
    );
  });

  it("2.15.0: the old API server and ScheduledWorkflow controller are gone before the migrating one starts, waited for with the migration timeout", async () => {
    const plan = await upgradeFromInstall("2.14.4", "2.15.0", {
      objectStore: "keep-minio",
      variant: "minio",
    });
    const kinds = plan.steps.map((step) => step.kind);
    const stop = kinds.indexOf("scaleDeployments");
    expect(stepsOf(plan, "scaleDeployments")[0]).toMatchObject({
      deployments: [
        { name: "ml-pipeline", from: 1, to: 0 },
        { name: "ml-pipeline-scheduledworkflow", from: 1, to: 0 },
      ],
    });
    expect(kinds[stop + 1]).toBe("waitPodsGone");
    // Nothing but the data's protection, the adoption and the dry run comes before the writers stop.
    const before = kinds.slice(0, stop);
    expect(
      before.filter(
        (k) => !["setReclaimPolicy", "retainClaimVolumes", "adoptObjects", "serverDryRun"].includes(k),
      ),
    ).toEqual([]);
    const apply = plan.steps.findIndex(
      (step) =>
        step.kind === "applyObjects" &&
        step.objects.some(
          ({ object }) => object.kind === "Deployment" && object.metadata.name === "ml-pipeline",
        ),
    );
    expect(apply).toBeGreaterThan(stop + 1);
    const applied = plannedDeployment(plan, "ml-pipeline");
    expect((applied?.spec as { replicas?: number } | undefined)?.replicas).toBe(1);
    const migrationWait = stepsOf(plan, "waitRollout").find((step) => step.timeoutSeconds !== undefined);
    expect(migrationWait).toMatchObject({
      deployments: ["ml-pipeline"],
      timeoutSeconds: 1800,
      reason: "KFP 2.15.0's API server migrates the stored data at its first start",
    });
    expect(renderPlanText(plan, { color: false })).toContain(
      "wait until ml-pipeline is rolled out and Available: KFP 2.15.0's API server migrates the stored data at its first start (up to 1800s, --migration-timeout)",
    );
  });

  it("a hop that runs no one-way API migration rolls the API server as usual", async () => {
    // 2.0.5 and 2.5.0 both run MySQL 8.0: no series phase either.
    const plan = await upgradeFromInstall("2.0.5", "2.5.0");
    expect(stepsOf(plan, "scaleDeployments")).toEqual([]);
    expect(stepsOf(plan, "waitRollout").every((step) => step.timeoutSeconds === undefined)).toBe(true);
  });

  it("2.15.0 keep-minio: the -minio variant keeps MinIO and its claim", async () => {
    const plan = await upgradeFromInstall("2.14.4", "2.15.0", {
      objectStore: "keep-minio",
      variant: "minio",
    });
    await expect(renderPlanText(plan, { color: false })).toMatchFileSnapshot(
      "__plans__/upgrade-2.14.4-2.15.0-keep-minio.txt",
    );
    const objects = plannedObjects(plan);
    expect(objects.filter((o) => o.name.startsWith("seaweedfs"))).toEqual([]);
    expect(objects).toContainEqual({
      step: "applyObjects",
      kind: "Deployment",
      name: "minio",
      namespace: "kubeflow",
    });
    expect(stepsOf(plan, "prune")).toEqual([]);
    expect(stepsOf(plan, "verifyBinding").at(-1)?.claims).toEqual(SAME_PVS);
    expect(plan.warnings).toEqual([]);
  });

  it("2.17.0 keep-minio is refused: no release after 2.15 ships a MinIO variant", async () => {
    await expect(upgradeFromInstall("2.14.4", "2.17.0", { objectStore: "keep-minio" })).rejects.toThrow(
      "KFP 2.17.0 has no MinIO variant in its bundle, so --object-store keep-minio cannot be honoured",
    );
  });
});

describe("upgrade edge cases", () => {
  it("a same-version upgrade while KFP's API does not answer: no changes, and the 2.15 warning does not crash", async () => {
    const installed = await sharedRelease("2.14.4");
    const plan = upgrade({
      installed,
      snapshot: installedSnapshot(installed).build(),
      hops: [],
      inventory: { state: "unreachable", reason: "connection refused", legacySchemaSince: "2.15.0" },
    });
    expect(plan.steps).toEqual([]);
    expect(plan.warnings.filter((w) => w.includes("pre-check"))).toEqual([]);
  });

  it("a same-version upgrade renders No changes", async () => {
    const installed = await sharedRelease("2.14.4");
    const plan = upgrade({ installed, snapshot: installedSnapshot(installed).build(), hops: [] });
    expect(plan.steps).toEqual([]);
    expect(plan).toMatchObject({ from: "2.14.4", to: "2.14.4" });
    expect(renderPlanText(plan, { color: false })).toBe(
      [
        "Plan: upgrade KFP 2.14.4 -> 2.14.4 in namespace kubeflow (context test-context)",
        "",
        "Storage:",
        "  mysql (mysql-pv-claim): bound to PV kfp-mysql (uid pv-uid-mysql, Retain)",
        "  objectStore (minio-pvc): bound to PV kfp-minio (uid pv-uid-minio, Retain)",
        "",
        "No changes. The install is already at the requested release.",
      ].join("\n"),
    );
  });

  it("switches a Delete-policy data PV to Retain as the very first step, and warns", async () => {
    const installed = await sharedRelease("2.5.0");
    const snapshot = aSnapshot()
      .withInstalled("2.5.0", installed.objects)
      .withBoundClaim("mysql-pv-claim", "pvc-1111", { uid: "pv-uid-mysql", reclaimPolicy: "Delete" })
      .withBoundClaim("minio-pvc", "pvc-2222", { uid: "pv-uid-minio", reclaimPolicy: "Delete" })
      .build();
    const plan = upgrade({ installed, snapshot, hops: await sharedHops("2.5.0", "2.14.4"), app: anApp() });
    expect(plan.steps.slice(0, 2)).toEqual([
      {
        id: "01-setReclaimPolicy",
        kind: "setReclaimPolicy",
        volume: "pvc-1111",
        volumeUid: "pv-uid-mysql",
        from: "Delete",
        to: "Retain",
      },
      {
        id: "02-setReclaimPolicy",
        kind: "setReclaimPolicy",
        volume: "pvc-2222",
        volumeUid: "pv-uid-minio",
        from: "Delete",
        to: "Retain",
      },
    ]);
    expect(plan.warnings).toHaveLength(2);
    expect(stepsOf(plan, "setReclaimPolicy")).toHaveLength(2);
  });

  it("refuses to move a bound claim to another PV named in the app", async () => {
    const installed = await sharedRelease("2.5.0");
    const app = anApp({ mysql: { pvName: "another-pv" }, objectStore: { pvName: "kfp-minio" } });
    await expect(
      (async () =>
        upgrade({
          installed,
          snapshot: installedSnapshot(installed).build(),
          hops: await sharedHops("2.5.0", "2.14.4"),
          app,
        }))(),
    ).rejects.toThrow(
      'MySQL volume (mysql-pv-claim): claim kubeflow/mysql-pv-claim is bound to PV "kfp-mysql", but the app asks for PV "another-pv"; a claim\'s volume cannot change in place',
    );
  });

  const refusals = [
    {
      name: "the namespace is Terminating",
      snapshot: (installed: Release) => installedSnapshot(installed).withNamespace("Terminating").build(),
      message:
        'Cannot upgrade KFP 2.5.0 to 2.14.4 in namespace "kubeflow": namespace "kubeflow" is Terminating',
    },
    {
      name: "nothing is installed",
      snapshot: () => aSnapshot().withNamespace().build(),
      message:
        'Cannot upgrade KFP (not installed) to 2.14.4 in namespace "kubeflow": no KFP install found in namespace "kubeflow"; use `kfp-upgrade deploy` or `reinstall`',
    },
  ];
  it.each(refusals)("refuses when $name", async ({ snapshot, message }) => {
    const installed = await sharedRelease("2.5.0");
    const hops = await sharedHops("2.5.0", "2.14.4");
    expect(() => upgrade({ installed, snapshot: snapshot(installed), hops })).toThrow(message);
  });

  it("refuses --strategy manifests for a release that has no bundle", async () => {
    const installed = await sharedRelease("2.5.0");
    const target = await catalogueRelease("2.14.3");
    expect(() =>
      upgrade({
        installed,
        snapshot: installedSnapshot(installed).build(),
        hops: [{ from: "2.5.0", to: "2.14.3", reason: "the target release", release: target }],
        strategy: "manifests",
      }),
    ).toThrow(
      "strategy manifests needs the bundle of KFP 2.14.3; pass --manifests DIR or use --strategy images",
    );
  });

  it("auto picks images for a hop whose bundle is unknown", async () => {
    const installed = await sharedRelease("2.14.4");
    const target = await catalogueRelease("2.15.0");
    const plan = upgrade({
      installed,
      snapshot: installedSnapshot(installed).build(),
      hops: [
        {
          from: "2.14.4",
          to: "2.15.0",
          reason: "the target release",
          release: { ...target, objectStore: "minio" },
        },
      ],
    });
    expect(plan.strategy).toBe("images");
    expect(stepsOf(plan, "setImages").length).toBeGreaterThan(0);
  });
});

describe("MySQL data rules", () => {
  const kindsAt = (plan: Plan) => plan.steps.map((step) => step.kind);
  const appliesDeployment = (name: string) => (step: Plan["steps"][number]) =>
    (step.kind === "applyObjects" &&
      step.objects.some(({ object }) => object.kind === "Deployment" && object.metadata.name === name)) ||
    (step.kind === "recreateDeployment" && step.name === name);

  it("the MySQL PV records the new series before the new server starts, so a run that dies there leaves the truth", async () => {
    const plan = await upgradeFromInstall("2.5.0", "2.14.4");
    const record = indexOf(plan, (s) => s.kind === "recordDataWriter" && s.writer.mysqlSeries === "8.4");
    const mysqlUp = indexOf(plan, appliesDeployment("mysql"));
    expect(record).toBeGreaterThan(-1);
    expect(record).toBeLessThan(mysqlUp);
    expect(plan.steps[record]).toMatchObject({
      claims: [{ role: "mysql", claim: "mysql-pv-claim" }],
      writer: { kfpVersion: "2.14.4", mysqlSeries: "8.4" },
    });
  });

  it("a hop that changes the series runs it as its own phase, before anything else of the hop", async () => {
    const plan = await upgradeFromInstall("2.5.0", "2.14.4");
    const at = (predicate: (step: Plan["steps"][number]) => boolean) => indexOf(plan, predicate);
    const clients = at(
      (s) => s.kind === "scaleDeployments" && !s.deployments.some((d) => d.name === "mysql"),
    );
    const clientsGone = at((s) => s.kind === "waitPodsGone" && !s.workloads.some((w) => w.name === "mysql"));
    const mysqlDown = at(
      (s) => s.kind === "scaleDeployments" && s.deployments.some((d) => d.name === "mysql"),
    );
    const mysqlGone = at((s) => s.kind === "waitPodsGone" && s.workloads.some((w) => w.name === "mysql"));
    const mysqlUp = at(appliesDeployment("mysql"));
    const mysqlAvailable = at((s) => s.kind === "waitRollout" && s.deployments.includes("mysql"));
    const marker = at((s) => s.kind === "pointOfNoReturn");
    const verified = at((s) => s.kind === "verifyMysqlSeries");
    const apiServer = at(appliesDeployment("ml-pipeline"));
    const firstCrd = at((s) => s.kind === "applyObjects" && s.group === "crds");
    expect([
      clients,
      clientsGone,
      mysqlDown,
      mysqlGone,
      mysqlUp,
      mysqlAvailable,
      marker,
      verified,
      firstCrd,
      apiServer,
    ]).toEqual(
      [
        ...[
          clients,
          clientsGone,
          mysqlDown,
          mysqlGone,
          mysqlUp,
          mysqlAvailable,
          marker,
          verified,
          firstCrd,
          apiServer,
        ],
      ].sort((a, b) => a - b),
    );
    expect(mysqlAvailable).toBe(mysqlUp + 1);
    const scaled = stepsOf(plan, "scaleDeployments")[0]?.deployments.map((d) => d.name) ?? [];
    expect(scaled).toContain("ml-pipeline");
    expect(scaled).toContain("metadata-grpc-deployment");
    expect(scaled).toContain("cache-server");
    expect(scaled.filter((name) => ["mysql", "minio", "seaweedfs"].includes(name))).toEqual([]);
    // Only mysql and what it needs is applied inside the phase.
    const inPhase = plan.steps
      .slice(mysqlGone + 1, mysqlAvailable)
      .flatMap((s) =>
        s.kind === "applyObjects"
          ? s.objects.map(({ object }) => `${object.kind}/${object.metadata.name}`)
          : [],
      );
    expect(inPhase).toEqual(["ServiceAccount/mysql", "Service/mysql", "Deployment/mysql"]);
    expect(stepsOf(plan, "verifyMysqlSeries")).toMatchObject([{ series: "8.4", deployment: "mysql" }]);
    expect(stepsOf(plan, "pointOfNoReturn")).toMatchObject([
      {
        reason: "MySQL 8.4 is Available: it upgraded the data directory of MySQL 8.0",
        keep: ["mysql", "minio", "ml-pipeline"],
      },
    ]);
    expect(kindsAt(plan).filter((kind) => kind === "pointOfNoReturn")).toHaveLength(1);
  });

  it("brings back replicas a manifest omits after the clients were scaled to zero", async () => {
    const installed = await sharedRelease("2.5.0");
    const hops = await sharedHops("2.5.0", "2.14.4");
    const target = hops[0]?.release;
    const api = target?.objects.find((o) => o.kind === "Deployment" && o.metadata.name === "ml-pipeline");
    expect(api).toBeDefined();
    delete ((api as KubeObject).spec as { replicas?: number }).replicas;
    const plan = upgrade({ installed, snapshot: installedSnapshot(installed).build(), hops });
    const applied = stepsOf(plan, "applyObjects")
      .flatMap((s) => s.objects.map(({ object }) => object))
      .find((o) => o.kind === "Deployment" && o.metadata.name === "ml-pipeline");
    expect(((applied as KubeObject).spec as { replicas?: number }).replicas).toBe(1);
  });

  const refusals = [
    {
      name: "auto never turns a series hop without a bundle into an images hop",
      build: async () => {
        const installed = await sharedRelease("1.8.5");
        const middle = await catalogueRelease("2.5.0");
        return upgrade({
          installed,
          snapshot: installedSnapshot(installed).build(),
          hops: [
            { from: "1.8.5", to: "2.5.0", reason: "MySQL moves one series at a time", release: middle },
            {
              from: "2.5.0",
              to: "2.14.4",
              reason: "the target release",
              release: await sharedRelease("2.14.4"),
            },
          ],
        });
      },
      message:
        "hop 1 (1.8.5 → 2.5.0) moves MySQL 5.7 → 8.0 and needs KFP 2.5.0's bundle: pass --manifests DIR holding it",
    },
    {
      name: "--strategy images on a series hop",
      build: async () => {
        const installed = await sharedRelease("2.5.0");
        return upgrade({
          installed,
          snapshot: installedSnapshot(installed).build(),
          hops: await sharedHops("2.5.0", "2.14.4"),
          strategy: "images",
        });
      },
      message:
        "hop 1 (2.5.0 → 2.14.4) moves MySQL 8.0 → 8.4, which the images strategy never does: drop --strategy images and pass --manifests DIR holding KFP 2.14.4's bundle",
    },
    {
      name: "a bundle that pins the old mysql image",
      build: async () => {
        const installed = await sharedRelease("2.5.0");
        const hops = await sharedHops("2.5.0", "2.14.4");
        const release = hops[0]?.release as Release;
        const mysql = release.objects.find((o) => o.kind === "Deployment" && o.metadata.name === "mysql");
        const spec = mysql?.spec as { template: { spec: { containers: { image: string }[] } } };
        for (const container of spec.template.spec.containers)
          container.image = "gcr.io/ml-pipeline/mysql:8.0.26";
        release.mysqlSeries = "8.0";
        return upgrade({ installed, snapshot: installedSnapshot(installed).build(), hops });
      },
      message:
        "hop 1 (2.5.0 → 2.14.4) moves MySQL 8.0 → 8.4, but KFP 2.14.4's bundle pins mysql image gcr.io/ml-pipeline/mysql:8.0.26 (MySQL 8.0): use the release's own mysql image",
    },
    {
      name: "the series comes from the running mysql image: 5.7 on the data cannot go to 8.4",
      build: async () => {
        const installed = await sharedRelease("2.5.0");
        const objects = installed.objects.map((o) =>
          o.kind === "Deployment" && o.metadata.name === "mysql"
            ? (() => {
                const copy = structuredClone(o);
                const spec = copy.spec as { template: { spec: { containers: { image: string }[] } } };
                for (const c of spec.template.spec.containers)
                  c.image = "gcr.io/ml-pipeline/mysql:5.7-debian";
                return copy;
              })()
            : o,
        );
        const snapshot = aSnapshot()
          .withInstalled("2.5.0", objects)
          .withBoundClaim("mysql-pv-claim", "kfp-mysql", { uid: "pv-uid-mysql" })
          .withBoundClaim("minio-pvc", "kfp-minio", { uid: "pv-uid-minio" })
          .build();
        expect(snapshot.running.mysql).toEqual({
          image: "gcr.io/ml-pipeline/mysql:5.7-debian",
          series: "5.7",
        });
        return upgrade({ installed, snapshot, hops: await sharedHops("2.5.0", "2.14.4") });
      },
      message:
        "hop 1 (2.5.0 → 2.14.4) would move MySQL 5.7 → 8.4, skipping MySQL 8.0: MySQL moves one series at a time; pass --manifests DIR holding the bundle of a KFP release on MySQL 8.0",
    },
    {
      name: "an older series than the data's",
      build: async () => {
        const installed = await sharedRelease("2.3.0");
        const objects = installed.objects.map((o) => {
          if (o.kind !== "Deployment" || o.metadata.name !== "mysql") return o;
          const copy = structuredClone(o);
          const spec = copy.spec as { template: { spec: { containers: { image: string }[] } } };
          for (const c of spec.template.spec.containers) c.image = "mysql:8.4";
          return copy;
        });
        const snapshot = aSnapshot()
          .withInstalled("2.3.0", objects)
          .withBoundClaim("mysql-pv-claim", "kfp-mysql", { uid: "pv-uid-mysql" })
          .withBoundClaim("minio-pvc", "kfp-minio", { uid: "pv-uid-minio" })
          .build();
        return upgrade({ installed, snapshot, hops: await sharedHops("2.3.0", "2.5.0") });
      },
      message:
        "hop 1 (2.3.0 → 2.5.0) would start MySQL 8.0 on a data directory MySQL 8.4 already upgraded: MySQL is never downgraded",
    },
  ];
  it.each(refusals)("refuses $name, naming the hop and what to supply", async ({ build, message }) => {
    await expect(build()).rejects.toThrow(PreflightRefusal);
    await expect(build()).rejects.toThrow(message);
  });

  it("marks the point of no return before a newer API server starts when MySQL stays", async () => {
    const plan = await upgradeFromInstall("2.14.4", "2.15.0", {
      objectStore: "keep-minio",
      variant: "minio",
    });
    const marker = indexOf(plan, (s) => s.kind === "pointOfNoReturn");
    expect(marker + 1).toBe(indexOf(plan, appliesDeployment("ml-pipeline")));
    expect(stepsOf(plan, "pointOfNoReturn")).toMatchObject([
      {
        reason:
          "KFP 2.15.0's API server starts and migrates the database schema (the one-way 2.15 migration); an older one cannot run on it",
        keep: ["mysql", "minio", "ml-pipeline"],
      },
    ]);
    // MySQL stays: only the API migration's writers stop (no MySQL series phase).
    expect(stepsOf(plan, "scaleDeployments").flatMap((s) => s.deployments.map((d) => d.name))).toEqual([
      "ml-pipeline",
      "ml-pipeline-scheduledworkflow",
    ]);
  });

  it("marks no point of no return on a rollback to an older API server", async () => {
    const installed = await sharedRelease("2.5.0");
    const target = await sharedRelease("2.3.0");
    const plan = buildUpgradePlan({
      app: PV_APP,
      snapshot: installedSnapshot(installed).build(),
      installed,
      hops: [{ from: "2.5.0", to: "2.3.0", reason: "roll back", release: target }],
      strategy: "auto",
      command: "rollback",
      now: NOW,
    });
    expect(stepsOf(plan, "pointOfNoReturn")).toEqual([]);
  });

  it("keeps every hop's release warnings, not only the target's", async () => {
    const installed = await sharedRelease("1.8.5");
    const hops = await sharedHops("1.8.5", "2.14.4");
    (hops[0]?.release as Release).warnings = ["bundle differs from the catalogue: an intermediate warning"];
    (hops[1]?.release as Release).warnings = ["the target's warning"];
    const plan = upgrade({ installed, snapshot: installedSnapshot(installed).build(), hops });
    expect(plan.warnings).toEqual(
      expect.arrayContaining([
        "bundle differs from the catalogue: an intermediate warning",
        "the target's warning",
      ]),
    );
  });

  it("says so when no mysql Deployment runs and the catalogue stands in", async () => {
    const installed = await sharedRelease("2.5.0");
    const objects = installed.objects.filter(
      (o) => !(o.kind === "Deployment" && o.metadata.name === "mysql"),
    );
    const snapshot = aSnapshot()
      .withInstalled("2.5.0", objects)
      .withBoundClaim("mysql-pv-claim", "kfp-mysql", { uid: "pv-uid-mysql" })
      .withBoundClaim("minio-pvc", "kfp-minio", { uid: "pv-uid-minio" })
      .build();
    const plan = upgrade({ installed, snapshot, hops: await sharedHops("2.5.0", "2.14.4") });
    expect(plan.warnings).toContain(
      'no mysql Deployment runs in namespace "kubeflow": MySQL 8.0, the catalogue\'s for KFP 2.5.0, is assumed to be on the data',
    );
    expect(stepsOf(plan, "verifyMysqlSeries")).toMatchObject([{ series: "8.4" }]);
  });
});

describe("storage rules in an upgrade", () => {
  it("a Terminating data claim on a Delete PV: its PV is switched to Retain, nothing else, and the plan is refused", async () => {
    const installed = await sharedRelease("2.5.0");
    const snapshot = aSnapshot()
      .withInstalled("2.5.0", installed.objects)
      .withBoundClaim("mysql-pv-claim", "kfp-mysql", {
        uid: "pv-uid-mysql",
        reclaimPolicy: "Delete",
        deleting: true,
      })
      .withBoundClaim("minio-pvc", "kfp-minio", { uid: "pv-uid-minio" })
      .build();
    const plan = upgrade({ installed, snapshot, hops: await sharedHops("2.5.0", "2.14.4") });
    expect(plan.steps).toEqual([
      {
        id: "01-setReclaimPolicy",
        kind: "setReclaimPolicy",
        volume: "kfp-mysql",
        volumeUid: "pv-uid-mysql",
        from: "Delete",
        to: "Retain",
      },
    ]);
    expect(plan.refusal).toMatchObject({
      code: "DATA_CLAIM_TERMINATING",
      problems: [
        "MySQL volume (mysql-pv-claim): mysql-pv-claim is being deleted (its pods or a finalizer still hold it); its PV kfp-mysql is now switched to Retain, so the data survives the claim: wait until the claim is gone and run `kfp-upgrade reinstall`",
      ],
    });
  });

  it("the object store in use is read from the cluster: MinIO at 2.15.0 is not taken for SeaweedFS", async () => {
    // The catalogue's 2.15.0 (default variant) says SeaweedFS; the cluster runs the -minio variant.
    const cluster = await sharedRelease("2.15.0", "minio");
    const installed = await sharedRelease("2.15.0");
    const snapshot = installedSnapshot(cluster).build();
    const build = async () => upgrade({ installed, snapshot, hops: await sharedHops("2.15.0", "2.16.1") });
    await expect(build()).rejects.toThrow(
      "KFP 2.16.1 replaces MinIO with SeaweedFS; the artifacts on the MinIO volume would be orphaned",
    );
  });

  it("keep-minio saved in kfp-app.yaml: 2.16.1 (no MinIO variant) is refused naming why, never switched", async () => {
    const cluster = await sharedRelease("2.15.0", "minio");
    const build = async () =>
      buildUpgradePlan({
        app: PV_APP,
        snapshot: installedSnapshot(cluster).build(),
        installed: cluster,
        hops: await sharedHops("2.15.0", "2.16.1"),
        strategy: "auto",
        objectStore: "keep-minio",
        objectStoreFrom: "app",
        now: NOW,
      });
    await expect(build()).rejects.toThrow(
      "this install keeps its artifacts on MinIO (minio-pvc), as --object-store keep-minio chose and kfp-app.yaml records, but KFP 2.16.1 has no MinIO variant in its bundle (only the 2.15 line ships one), so MinIO cannot be kept: pass --object-store seaweedfs to move to SeaweedFS (a new artifact volume; minio-pvc is kept, verified and never pruned), or stay on 2.15",
    );
  });

  it("after a switch to SeaweedFS, the kept MinIO claim is still verified and its PV saved as the legacy object store", async () => {
    const installed = await sharedRelease("2.15.0");
    const snapshot = installedSnapshot(installed)
      .withBoundClaim("minio-pvc", "kfp-old-minio", { uid: "pv-uid-old-minio" })
      .build();
    const plan = upgrade({ installed, snapshot, hops: await sharedHops("2.15.0", "2.16.1") });
    expect(stepsOf(plan, "verifyBinding").at(-1)?.claims).toEqual([
      { role: "mysql", claim: "mysql-pv-claim", volumeName: "kfp-mysql", volumeUid: "pv-uid-mysql" },
      { role: "objectStore", claim: "seaweedfs-pvc", volumeName: "kfp-minio", volumeUid: "pv-uid-minio" },
      {
        role: "legacyObjectStore",
        claim: "minio-pvc",
        volumeName: "kfp-old-minio",
        volumeUid: "pv-uid-old-minio",
      },
    ]);
    expect(stepsOf(plan, "saveVolumeDefinitions")[0]?.claims).toContainEqual({
      role: "legacyObjectStore",
      claim: "minio-pvc",
    });
    expect(stepsOf(plan, "recordDataWriter").at(-1)?.claims).toEqual([
      { role: "mysql", claim: "mysql-pv-claim" },
      { role: "objectStore", claim: "seaweedfs-pvc" },
    ]);
  });
});

describe("KFP's inventory in an upgrade", () => {
  const BASELINE = {
    experiments: [
      { id: "e1", name: "nightly" },
      { id: "e2", name: "Default" },
    ],
    pipelines: [{ id: "p1", name: "train" }],
    pipelineVersions: [{ id: "v1", name: "train v1" }],
    runs: [{ id: "r1", name: "run 1" }],
    recurringRuns: [],
  };
  const READ: PlanInventory = {
    state: "read",
    baseline: BASELINE,
    legacySchema: { since: "2.15.0", problems: [] },
  };
  const TOO_LONG: PlanInventory = {
    state: "read",
    baseline: BASELINE,
    legacySchema: {
      since: "2.15.0",
      problems: [
        {
          description:
            'experiment "aaaa" (id e1): name is 200 characters, KFP 2.15.0 allows 128 (experiments.Name)',
          fix: "shorten it in MySQL",
        },
        {
          description:
            'pipeline "bbbb" (id p1): name is 300 characters, KFP 2.15.0 allows 128 (pipelines.Name)',
          fix: "delete it",
        },
      ],
    },
  };

  it("collectRefusals (check): every refusal at once, in the plan, where a run throws the first rule's", async () => {
    const installed = await sharedRelease("2.14.4");
    const input = {
      app: PV_APP,
      snapshot: installedSnapshot(installed).build(),
      installed,
      hops: await sharedHops("2.14.4", "2.17.0"),
      strategy: "auto" as const,
      inventory: TOO_LONG,
      now: NOW,
    };
    // A run: the first rule (the object store) throws, and the legacy-schema rule after it is never reached.
    expect(() => buildUpgradePlan(input)).toThrow(
      expect.objectContaining({ message: expect.stringContaining("replaces MinIO with SeaweedFS") }),
    );
    const plan = buildUpgradePlan({ ...input, collectRefusals: true });
    expect(plan.refusal).toMatchObject({
      code: "PREFLIGHT",
      message: 'Cannot upgrade KFP 2.14.4 to 2.17.0 in namespace "kubeflow": 3 problems',
      problems: [
        expect.stringContaining("KFP 2.17.0 replaces MinIO with SeaweedFS"),
        'experiment "aaaa" (id e1): name is 200 characters, KFP 2.15.0 allows 128 (experiments.Name). Fix: shorten it in MySQL',
        'pipeline "bbbb" (id p1): name is 300 characters, KFP 2.15.0 allows 128 (pipelines.Name). Fix: delete it',
      ],
    });
    // The refused hop still says what it would change one way.
    expect(plan.oneWay).toEqual([
      "hop 1 (2.14.4 → 2.17.0): KFP 2.17.0's API server runs the one-way 2.15 database schema migration",
    ]);
  });

  it("renders the plan of a multi-hop upgrade with the inventory read before", async () => {
    const plan = await upgradeFromInstall("1.8.5", "2.14.4", { inventory: READ });
    await expect(renderPlanText(plan, { color: false })).toMatchFileSnapshot(
      "__plans__/upgrade-1.8.5-2.14.4-inventory.txt",
    );
  });

  it("checks the inventory after each hop's last rollout and before anything of the hop is pruned", async () => {
    const plan = await upgradeFromInstall("1.8.5", "2.14.4", { inventory: READ });
    for (const hop of [1, 2]) {
      const steps = plan.steps.filter((step) => step.hop === hop);
      const verify = steps.findIndex((step) => step.kind === "verifyInventory");
      const lastRollout = steps.findLastIndex((step) => step.kind === "waitRollout");
      const firstPrune = steps.findIndex((step) => step.kind === "prune");
      expect(verify).toBe(lastRollout + 1);
      if (firstPrune >= 0) expect(firstPrune).toBeGreaterThan(verify);
      expect(steps[verify]).toMatchObject({
        kind: "verifyInventory",
        namespace: "kubeflow",
        baseline: BASELINE,
        source: "as KFP's API listed them before the run",
      });
      expect(steps[verify]).not.toHaveProperty("endpoint");
    }
    // Hop 1 prunes, after its check.
    expect(stepsOf(plan, "prune").map((step) => step.hop)).toEqual([1]);
    expect(plan.warnings.join("\n")).not.toContain("KFP's API");
  });

  it("an --kfp-endpoint inventory is checked at that endpoint", async () => {
    const plan = await upgradeFromInstall("2.5.0", "2.14.4", {
      inventory: { ...READ, endpoint: "https://kf.example.com/pipeline" },
    });
    expect(stepsOf(plan, "verifyInventory").map((step) => step.endpoint)).toEqual([
      "https://kf.example.com/pipeline",
    ]);
  });

  it("the images strategy checks after the images rolled out, before the binding check", async () => {
    const plan = await upgradeFromInstall("2.0.5", "2.5.0", { inventory: READ, strategy: "images" });
    const kinds = plan.steps.map((step) => step.kind);
    const verify = kinds.indexOf("verifyInventory");
    expect(kinds[verify - 1]).toBe("waitRollout");
    expect(kinds[verify + 1]).toBe("verifyBinding");
  });

  it("an API that did not answer before: a warning, and no comparison after", async () => {
    const plan = await upgradeFromInstall("2.5.0", "2.14.4", {
      inventory: {
        state: "unreachable",
        reason: "KFP_API_NO_ENDPOINTS: no ready pod",
        legacySchemaSince: "2.15.0",
      },
    });
    expect(stepsOf(plan, "verifyInventory")).toEqual([]);
    expect(plan.warnings).toContain(
      "KFP's API could not be read before the run (KFP_API_NO_ENDPOINTS: no ready pod): continuing; the after-hop comparison is skipped",
    );
    expect(plan.warnings.join("\n")).not.toContain("pre-check");
  });

  it("an API that did not answer before a plan crossing 2.15: the pre-check could not run, said so", async () => {
    const plan = await upgradeFromInstall("2.14.4", "2.15.0", {
      objectStore: "seaweedfs",
      defaultStorageClass: true,
      inventory: {
        state: "unreachable",
        reason: "KFP_API_UNREACHABLE: timeout",
        legacySchemaSince: "2.15.0",
      },
    });
    expect(plan.warnings).toContain(
      "the KFP 2.15.0 migration pre-check could not run (it lists KFP's objects through its API): values too long for the new schema stop the 2.15.0 API server from starting",
    );
  });

  it("--skip-inventory: a note, and no check", async () => {
    const plan = await upgradeFromInstall("2.5.0", "2.14.4", { inventory: { state: "skipped" } });
    expect(stepsOf(plan, "verifyInventory")).toEqual([]);
    expect(plan.notes).toContain(
      "--skip-inventory: KFP's experiments, pipelines and runs are not listed or compared",
    );
  });

  it("a plan crossing 2.15 is refused while values are too long for its migration, every one named", async () => {
    const build = () =>
      upgradeFromInstall("2.14.4", "2.15.0", {
        objectStore: "seaweedfs",
        defaultStorageClass: true,
        inventory: TOO_LONG,
      });
    await expect(build()).rejects.toThrow(PreflightRefusal);
    await expect(build()).rejects.toMatchObject({
      code: "LEGACY_SCHEMA_TOO_LONG",
      exitCode: 4,
      message:
        'Cannot upgrade KFP 2.14.4 to 2.15.0 in namespace "kubeflow": KFP 2.15.0\'s database migration would refuse to start on 2 values longer than its new columns',
      details: [
        'experiment "aaaa" (id e1): name is 200 characters, KFP 2.15.0 allows 128 (experiments.Name). Fix: shorten it in MySQL',
        'pipeline "bbbb" (id p1): name is 300 characters, KFP 2.15.0 allows 128 (pipelines.Name). Fix: delete it',
      ],
    });
  });

  it("a multi-hop plan that crosses 2.15 on its way is refused the same", async () => {
    await expect(
      upgradeFromInstall("2.5.0", "2.15.0", {
        objectStore: "seaweedfs",
        defaultStorageClass: true,
        inventory: TOO_LONG,
      }),
    ).rejects.toMatchObject({ code: "LEGACY_SCHEMA_TOO_LONG" });
  });

  it("the same values are no problem for a plan that stays before 2.15", async () => {
    const plan = await upgradeFromInstall("2.5.0", "2.14.4", { inventory: TOO_LONG });
    expect(stepsOf(plan, "verifyInventory")).toHaveLength(1);
  });
});

function plannedDeployment(plan: Plan, name: string): KubeObject | undefined {
  for (const step of plan.steps) {
    if (step.kind !== "applyObjects") continue;
    const found = step.objects.find(
      ({ object }) => object.kind === "Deployment" && object.metadata.name === name,
    );
    if (found) return found.object;
  }
  return undefined;
}

describe("a hop that creates a PV for a missing data claim on a GCP disk", () => {
  const GIB = 1024 ** 3;
  const app = anApp({
    platform: { type: "gcp", project: "my-project", zone: "us-central1-a" },
    mysql: { pvName: "kfp-mysql" },
    objectStore: { gcpDisk: "kf-storage-artifact-store" },
  });
  const gcp = (zone: string): GcpFindings => ({
    nodes: [{ name: "gke-node-1", zone: "us-central1-a" }],
    disks: [
      {
        role: "objectStore",
        disk: "kf-storage-artifact-store",
        project: "my-project",
        zone: "us-central1-a",
        showCommand: `gcloud compute disks describe kf-storage-artifact-store --zone ${zone} --project my-project`,
        state: {
          name: "kf-storage-artifact-store",
          project: "my-project",
          zone,
          region: null,
          replicaZones: [],
          sizeBytes: 200 * GIB,
          users: [],
          status: "READY",
        },
      },
    ],
  });
  async function plan(zone: string): Promise<Plan> {
    const installed = await sharedRelease("2.5.0");
    // The install lost its object-store claim; its MySQL claim is bound as usual.
    const snapshot = aSnapshot()
      .withInstalled(
        installed.version,
        installed.objects.filter((o) => o.metadata.name !== "minio-pvc"),
      )
      .withBoundClaim("mysql-pv-claim", "kfp-mysql", { uid: "pv-uid-mysql" })
      .build();
    return buildUpgradePlan({
      app,
      snapshot,
      installed,
      hops: await sharedHops("2.5.0", "2.14.4"),
      strategy: "auto",
      gcp: gcp(zone),
      now: NOW,
    });
  }

  it("wraps the disk in a PV of the disk's size when the disk fits", async () => {
    const volumes = stepsOf(await plan("us-central1-a"), "ensureVolume").map((step) => step.volume);
    expect(
      volumes.map((v) => [v.metadata.name, (v.spec as { capacity: { storage: string } }).capacity.storage]),
    ).toEqual([["kubeflow-minio-pvc", "200Gi"]]);
  });

  it("is refused when the disk is in another zone than the nodes", async () => {
    await expect(plan("europe-west1-b")).rejects.toThrow(
      /GCP disk "kf-storage-artifact-store" is in zone europe-west1-b, but this cluster's nodes are in us-central1-a/,
    );
  });
});

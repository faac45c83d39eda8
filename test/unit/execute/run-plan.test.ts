import { describe, expect, it } from "vitest";
import { defaultApp, type KfpApp } from "../../../src/app/kfp-app.js";
import { FailedForward, Interrupted, KubeApiError, RolloutFailed } from "../../../src/errors.js";
import { runPlan } from "../../../src/execute/run-plan.js";
import { takeSnapshot } from "../../../src/kube/take-snapshot.js";
import type { KubeObject, ObjectRef } from "../../../src/model/kube-object.js";
import { buildDeployPlan } from "../../../src/plan/build-deploy-plan.js";
import { buildUpgradePlan } from "../../../src/plan/build-upgrade-plan.js";
import type { Plan } from "../../../src/plan/plan.js";
import { plannedOf, StepList } from "../../../src/plan/step-list.js";
import { FakeKubeClient } from "../../support/fake-kube-client.js";
import { catalogueRelease } from "../../support/manifests.js";
import {
  bindNamedClaims,
  claimTemplate,
  configMap,
  deployment,
  hostPathVolume,
  NS,
  rollOut,
  runOptions,
  secret,
  specOf,
  tinyReleaseObjects,
  writes,
} from "./executor-fixtures.js";

const NOW = new Date("2026-01-02T03:04:05Z");
const APP: KfpApp = {
  ...defaultApp(NS),
  storage: { mysql: { pvName: "kfp-mysql" }, objectStore: { pvName: "kfp-minio" } },
};
const ref = (kind: string, name: string, apiVersion = "v1"): ObjectRef => ({
  apiVersion,
  kind,
  name,
  ...(["PersistentVolume", "Namespace", "CustomResourceDefinition"].includes(kind) ? {} : { namespace: NS }),
});

/** An empty cluster with two pre-created PVs, controllers that roll out and bind, and a deploy plan for it. */
async function tinyDeploy(): Promise<{ fake: FakeKubeClient; plan: Plan }> {
  const fake = new FakeKubeClient({ defaultNamespace: NS })
    .seed([hostPathVolume("kfp-mysql"), hostPathVolume("kfp-minio")])
    .react(rollOut())
    .react(bindNamedClaims);
  const snapshot = await takeSnapshot(fake, { namespace: NS });
  const release = { ...(await catalogueRelease("2.5.0")), objects: tinyReleaseObjects("2.5.0") };
  return { fake, plan: buildDeployPlan({ app: APP, snapshot, release, command: "deploy", now: NOW }) };
}

describe("runPlan: a deploy", () => {
  it("creates the objects in plan order and journals every completed step", async () => {
    const { fake, plan } = await tinyDeploy();
    const run = runOptions(fake);
    const result = await runPlan(plan, run.options);
    expect(result.outcome).toBe("succeeded");
    expect(run.journal.completed).toEqual(plan.steps.map((step) => step.id));
    expect(writes(fake)).toEqual([
      "create Namespace/kubeflow",
      "apply CustomResourceDefinition/viewers.kubeflow.org",
      "create Secret/mysql-secret",
      "apply ConfigMap/pipeline-install-config",
      "create PersistentVolumeClaim/mysql-pv-claim",
      "create PersistentVolumeClaim/minio-pvc",
      "apply Service/ml-pipeline",
      "apply Deployment/ml-pipeline",
      // What wrote the data is recorded on each data PV.
      "patch PersistentVolume/kfp-mysql",
      "patch PersistentVolume/kfp-minio",
    ]);
    const claim = fake.peek(ref("PersistentVolumeClaim", "mysql-pv-claim"));
    expect(claim?.spec).toMatchObject({ storageClassName: "", volumeName: "kfp-mysql" });
    expect(claim?.status).toEqual({ phase: "Bound" });
  });

  it("reports the bindings it verified and saves the PV definitions for a reinstall", async () => {
    const { fake, plan } = await tinyDeploy();
    const run = runOptions(fake);
    const result = await runPlan(plan, run.options);
    const uid = (name: string) => fake.peek(ref("PersistentVolume", name))?.metadata.uid;
    expect(result.bindings).toEqual([
      { claim: "mysql-pv-claim", volumeName: "kfp-mysql", volumeUid: uid("kfp-mysql") },
      { claim: "minio-pvc", volumeName: "kfp-minio", volumeUid: uid("kfp-minio") },
    ]);
    expect(run.saved.map(({ role, volume }) => [role, volume.metadata.name])).toEqual([
      ["mysql", "kfp-mysql"],
      ["objectStore", "kfp-minio"],
    ]);
    for (const { volume } of run.saved) {
      expect(volume.metadata.uid).toBeUndefined();
      expect((volume.spec as { claimRef?: unknown }).claimRef).toBeUndefined();
    }
  });

  it("emits start and end for each step, in order", async () => {
    const { fake, plan } = await tinyDeploy();
    const run = runOptions(fake);
    await runPlan(plan, run.options);
    const lifecycle = run.events.filter((e) => e.type === "step-start" || e.type === "step-end");
    expect(lifecycle.map((e) => `${e.type} ${e.stepId}`)).toEqual(
      plan.steps.flatMap((step) => [`step-start ${step.id}`, `step-end ${step.id}`]),
    );
    expect(lifecycle.every((e) => e.type !== "step-end" || e.ok)).toBe(true);
  });
});

describe("runPlan: beforeStep", () => {
  it("is called before each step, and a throw stops the run before that step starts", async () => {
    const { fake, plan } = await tinyDeploy();
    const seen: string[] = [];
    const third = plan.steps[2]?.id;
    const run = runOptions(fake, {
      beforeStep: (step) => {
        seen.push(step.id);
        if (step.id === third) throw new Error("lock lost");
      },
    });
    await expect(runPlan(plan, run.options)).rejects.toThrow("lock lost");
    expect(seen).toEqual(plan.steps.slice(0, 3).map((step) => step.id));
    expect(run.journal.completed).toEqual(plan.steps.slice(0, 2).map((step) => step.id));
    expect(run.events.filter((e) => e.type === "step-start").map((e) => e.stepId)).not.toContain(third);
  });
});

describe("runPlan: interrupted, then resumed", () => {
  it("stops before the next step when the signal aborts, and a resume runs only what was left", async () => {
    const { fake, plan } = await tinyDeploy();
    const stopAfter = plan.steps.findIndex((step) => step.kind === "createIfAbsent");
    const first = runOptions(fake);
    const firstRun = runPlan(plan, {
      ...first.options,
      emit: (event) => {
        if (event.type === "step-end" && event.stepId === plan.steps[stopAfter]?.id) first.controller.abort();
      },
    });
    await expect(firstRun).rejects.toThrow(Interrupted);
    await expect(firstRun).rejects.toMatchObject({
      exitCode: 130,
      message: `interrupted before step ${plan.steps[stopAfter + 1]?.id}`,
      hint: "Run `kfp-upgrade resume` to continue from this step.",
    });
    const done = plan.steps.slice(0, stopAfter + 1).map((step) => step.id);
    expect(first.journal.completed).toEqual(done);

    const writesBefore = writes(fake).length;
    const second = runOptions(fake, { completed: new Set(first.journal.completed) });
    await expect(runPlan(plan, second.options)).resolves.toMatchObject({ outcome: "succeeded" });
    expect(second.journal.completed).toEqual(plan.steps.slice(stopAfter + 1).map((step) => step.id));
    const started = second.events.flatMap((e) => (e.type === "step-start" ? [e.stepId] : []));
    expect(started).toEqual(plan.steps.slice(stopAfter + 1).map((step) => step.id));
    expect(writes(fake).slice(writesBefore)).toEqual([
      "apply ConfigMap/pipeline-install-config",
      "create PersistentVolumeClaim/mysql-pv-claim",
      "create PersistentVolumeClaim/minio-pvc",
      "apply Service/ml-pipeline",
      "apply Deployment/ml-pipeline",
      "patch PersistentVolume/kfp-mysql",
      "patch PersistentVolume/kfp-minio",
    ]);
  });

  it("a resume of a finished plan changes nothing", async () => {
    const { fake, plan } = await tinyDeploy();
    await runPlan(plan, runOptions(fake).options);
    const writesBefore = writes(fake).length;
    const again = runOptions(fake, { completed: new Set(plan.steps.map((step) => step.id)) });
    await expect(runPlan(plan, again.options)).resolves.toMatchObject({ outcome: "succeeded" });
    expect(writes(fake).slice(writesBefore)).toEqual([]);
    expect(again.journal.completed).toEqual([]);
  });
});

describe("runPlan: data is verified and never overwritten", () => {
  it("fails with PV_UID_CHANGED when the PV behind a claim was replaced", async () => {
    const { fake, plan } = await tinyDeploy();
    await runPlan(plan, runOptions(fake).options);
    const verify = plan.steps.filter((step) => step.kind === "verifyBinding");
    const original = fake.peek(ref("PersistentVolume", "kfp-mysql"));
    // Someone deleted the PV and made a new one of the same name: same name, new UID, the data elsewhere.
    fake.seed([
      { ...structuredClone(original as KubeObject), metadata: { name: "kfp-mysql", uid: "a-new-uid" } },
    ]);
    const check = runPlan({ ...plan, steps: verify }, runOptions(fake).options);
    await expect(check).rejects.toMatchObject({
      code: "PV_UID_CHANGED",
      exitCode: 5,
      message: `data volumes changed during the run: PV kfp-mysql behind mysql-pv-claim has UID a-new-uid, expected ${original?.metadata.uid}: it was replaced`,
    });
  });

  it("fails with PV_UID_CHANGED when a claim is bound to another PV", async () => {
    const { fake, plan } = await tinyDeploy();
    await runPlan(plan, runOptions(fake).options);
    fake.update(ref("PersistentVolumeClaim", "minio-pvc"), (claim) => {
      (claim.spec as { volumeName: string }).volumeName = "somewhere-else";
    });
    const verify = plan.steps.filter((step) => step.kind === "verifyBinding");
    await expect(runPlan({ ...plan, steps: verify }, runOptions(fake).options)).rejects.toMatchObject({
      code: "PV_UID_CHANGED",
      message:
        "data volumes changed during the run: minio-pvc is bound to PV somewhere-else, expected kfp-minio",
    });
  });

  it("createIfAbsent keeps a Secret that appeared after planning, custom credentials and all", async () => {
    const { fake, plan } = await tinyDeploy();
    fake.seed([
      { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } },
      secret("mysql-secret", { username: "kfp", password: "custom-password" }),
    ]);
    const before = fake.peek(ref("Secret", "mysql-secret"));
    const run = runOptions(fake);
    await runPlan(plan, run.options);
    expect(fake.peek(ref("Secret", "mysql-secret"))).toEqual(before);
    expect(writes(fake).filter((write) => write.includes("Secret/"))).toEqual([]);
    const secretStep = plan.steps.find((step) => step.kind === "createIfAbsent");
    expect(run.events).toContainEqual(
      expect.objectContaining({
        type: "step-end",
        stepId: secretStep?.id,
        message: "0 created, 1 kept as they were",
      }),
    );
  });
});

describe("runPlan: prune", () => {
  const protectedRefs = [
    {
      name: "a PVC",
      ref: ref("PersistentVolumeClaim", "minio-pvc"),
      described: "persistentvolumeclaim/minio-pvc -n kubeflow",
    },
    { name: "a PV", ref: ref("PersistentVolume", "kfp-minio"), described: "persistentvolume/kfp-minio" },
    { name: "a Secret", ref: ref("Secret", "mysql-secret"), described: "secret/mysql-secret -n kubeflow" },
    { name: "a Namespace", ref: ref("Namespace", NS), described: "namespace/kubeflow" },
    {
      name: "a CRD",
      ref: ref("CustomResourceDefinition", "viewers.kubeflow.org", "apiextensions.k8s.io/v1"),
      described: "customresourcedefinition/viewers.kubeflow.org",
    },
  ];
  it.each(protectedRefs)("refuses $name, and leaves it", async ({ ref: target, described }) => {
    const { fake, plan } = await tinyDeploy();
    await runPlan(plan, runOptions(fake).options);
    const steps = new StepList();
    steps.add({ kind: "prune", objects: [target], reason: "dropped" });
    const prune = runPlan({ ...plan, steps: steps.steps }, runOptions(fake).options);
    await expect(prune).rejects.toMatchObject({
      code: "INTERNAL",
      message: `refusing to prune ${described}: data and cluster-wide kinds are never pruned`,
    });
    expect(fake.peek(target)).not.toBeNull();
  });

  it("deletes stateless objects, and counts only those that were there", async () => {
    const { fake, plan } = await tinyDeploy();
    await runPlan(plan, runOptions(fake).options);
    const steps = new StepList();
    steps.add({
      kind: "prune",
      objects: [ref("Service", "ml-pipeline"), ref("ConfigMap", "never-existed")],
      reason: "dropped",
    });
    const run = runOptions(fake);
    await runPlan({ ...plan, steps: steps.steps }, run.options);
    expect(fake.peek(ref("Service", "ml-pipeline"))).toBeNull();
    expect(run.events).toContainEqual(expect.objectContaining({ type: "step-end", message: "1 deleted" }));
  });
});

describe("runPlan: a failed rollout", () => {
  const OLD_IMAGE = "gcr.io/ml-pipeline/api-server:2.3.0";
  const NEW_IMAGE = "ghcr.io/kubeflow/kfp-api-server:2.5.0";

  /** KFP 2.3.0 running, and an upgrade whose new API server image never becomes ready. */
  function failingUpgrade(): { fake: FakeKubeClient; plan: Plan } {
    const fake = new FakeKubeClient({ defaultNamespace: NS }).seed([
      { apiVersion: "v1", kind: "Namespace", metadata: { name: NS }, status: { phase: "Active" } },
      configMap("pipeline-install-config", { appVersion: "2.3.0" }),
      {
        ...deployment("ml-pipeline", OLD_IMAGE),
        status: { replicas: 1, updatedReplicas: 1, availableReplicas: 1 },
      },
      hostPathVolume("kfp-mysql"),
      claimTemplate("mysql-pv-claim"),
    ]);
    fake.bind({ namespace: NS, name: "mysql-pv-claim" }, "kfp-mysql");
    fake.react(rollOut([NEW_IMAGE]));
    const steps = new StepList();
    steps.add({
      kind: "applyObjects",
      group: "config",
      force: true,
      objects: [
        { action: "update", object: configMap("pipeline-install-config", { appVersion: "2.5.0" }) },
        { action: "create", object: configMap("kfp-launcher", { defaultPipelineRoot: "" }) },
      ],
    });
    steps.add({
      kind: "applyObjects",
      group: "workloads",
      force: true,
      objects: [{ action: "update", object: deployment("ml-pipeline", NEW_IMAGE) }],
    });
    steps.add({ kind: "waitRollout", namespace: NS, deployments: ["ml-pipeline"] });
    steps.add({
      kind: "verifyBinding",
      namespace: NS,
      claims: [{ role: "mysql", claim: "mysql-pv-claim", volumeName: "kfp-mysql", volumeUid: null }],
    });
    const plan: Plan = {
      apiVersion: "kfp-upgrade/v1",
      kind: "Plan",
      command: "upgrade",
      namespace: NS,
      context: "fake",
      from: "2.3.0",
      to: "2.5.0",
      strategy: "manifests",
      hops: [{ from: "2.3.0", to: "2.5.0", strategy: "manifests", reason: "the target release" }],
      storage: [],
      steps: steps.steps,
      warnings: [],
      notes: [],
      createdAt: NOW.toISOString(),
    };
    return { fake, plan };
  }

  const image = (fake: FakeKubeClient) =>
    specOf<{ template: { spec: { containers: { image: string }[] } } }>(
      fake,
      ref("Deployment", "ml-pipeline", "apps/v1"),
    ).template.spec.containers[0]?.image;

  it("writes back a KFAPP file the hop edited, byte for byte, after restoring the cluster objects", async () => {
    const { fake, plan } = failingUpgrade();
    const before = "# comment\ncreatePipelinePersistentStorage: true  # kept\n";
    const after = before.replace("true", "false");
    const steps = new StepList();
    steps.add({ kind: "editAppFile", file: "storage.yaml", change: "false", before, after, diff: "" });
    steps.addAll(plan.steps.map((step) => plannedOf(step).draft));
    const files = new Map([["storage.yaml", before]]);
    const seen: string[] = [];
    const run = runOptions(fake, {
      appFiles: {
        read: async (file) => files.get(file),
        write: async (file, content) => {
          files.set(file, content);
          seen.push(content);
        },
      },
    });
    await expect(runPlan({ ...plan, steps: steps.steps }, run.options)).rejects.toMatchObject({
      code: "ROLLED_BACK",
    });
    expect(seen).toEqual([after, before]);
    expect(files.get("storage.yaml")).toBe(before);
    expect(
      run.events
        .filter((e) => e.type === "rollback")
        .map((e) => e.message)
        .at(-1),
    ).toBe("restored storage.yaml as it was before the run");
  });

  it("restores what the hop changed, deletes what it created, and throws RolloutFailed (exit 6)", async () => {
    const { fake, plan } = failingUpgrade();
    const claimBefore = fake.peek(ref("PersistentVolumeClaim", "mysql-pv-claim"));
    const run = runOptions(fake);
    const result = runPlan(plan, run.options);
    await expect(result).rejects.toThrow(RolloutFailed);
    await expect(result).rejects.toMatchObject({
      code: "ROLLED_BACK",
      exitCode: 6,
      message:
        '1 of 1 objects did not become Deployments available: deployment/ml-pipeline -n kubeflow: Rollout failed: ReplicaSet "ml-pipeline-new" has timed out progressing.; rolled back 3 objects (data volumes untouched)',
    });
    expect(image(fake)).toBe(OLD_IMAGE);
    expect(fake.peek(ref("ConfigMap", "pipeline-install-config"))?.data).toEqual({ appVersion: "2.3.0" });
    expect(fake.peek(ref("ConfigMap", "kfp-launcher"))).toBeNull();
    expect(fake.peek(ref("PersistentVolumeClaim", "mysql-pv-claim"))).toEqual(claimBefore);
    expect(run.events.filter((e) => e.type === "rollback").map((e) => e.message)).toEqual([
      "rollout failed; restoring the stateless objects of the run",
      "restored deployment/ml-pipeline -n kubeflow",
      "deleted configmap/kfp-launcher -n kubeflow (created by the failed hop)",
      "restored configmap/pipeline-install-config -n kubeflow",
    ]);
    expect(run.journal.completed).toEqual(plan.steps.slice(0, 2).map((step) => step.id));
  });

  it("with --no-rollback leaves the failed state for debugging", async () => {
    const { fake, plan } = failingUpgrade();
    const run = runOptions(fake, { rollback: false });
    const result = runPlan(plan, run.options);
    await expect(result).rejects.toMatchObject({
      code: "ROLLOUT_FAILED",
      exitCode: 6,
      message: expect.stringMatching(/has timed out progressing\. \(not rolled back: --no-rollback\)$/),
      hint: "The failed state was left for debugging. Fix it and run `kfp-upgrade resume`, or run `kfp-upgrade rollback`.",
    });
    expect(image(fake)).toBe(NEW_IMAGE);
    expect(fake.peek(ref("ConfigMap", "kfp-launcher"))).not.toBeNull();
    expect(run.events.filter((e) => e.type === "rollback")).toEqual([]);
  });
});

describe("runPlan: a write the API server refuses mid-hop", () => {
  const OLD = { api: "gcr.io/ml-pipeline/api-server:2.3.0", mysql: "mysql:8.0" };
  const NEW = { api: "ghcr.io/kubeflow/kfp-api-server:2.5.0", mysql: "mysql:8.4" };
  const PONR_REASON = "MySQL 8.4 is Available";

  /** KFP 2.3.0 running; the hop changes the config, creates a ConfigMap, then applies a Deployment the server refuses. */
  function refusedMidHop(options: { pointOfNoReturn?: boolean } = {}): { fake: FakeKubeClient; plan: Plan } {
    const rolledOut = { status: { replicas: 1, updatedReplicas: 1, availableReplicas: 1 } };
    const fake = new FakeKubeClient({ defaultNamespace: NS }).seed([
      { apiVersion: "v1", kind: "Namespace", metadata: { name: NS }, status: { phase: "Active" } },
      configMap("pipeline-install-config", { appVersion: "2.3.0" }),
      { ...deployment("ml-pipeline", OLD.api), ...rolledOut },
      { ...deployment("mysql", OLD.mysql), ...rolledOut },
    ]);
    fake.react(rollOut());
    const steps = new StepList();
    if (options.pointOfNoReturn) {
      steps.add({
        kind: "applyObjects",
        group: "workloads",
        force: true,
        objects: [{ action: "update", object: deployment("mysql", NEW.mysql) }],
      });
      steps.add({ kind: "waitRollout", namespace: NS, deployments: ["mysql"] });
      steps.add({ kind: "pointOfNoReturn", namespace: NS, reason: PONR_REASON, keep: ["mysql"] });
    }
    steps.add({
      kind: "applyObjects",
      group: "config",
      force: true,
      objects: [
        { action: "update", object: configMap("pipeline-install-config", { appVersion: "2.5.0" }) },
        { action: "create", object: configMap("kfp-launcher", { defaultPipelineRoot: "" }) },
      ],
    });
    const moved = deployment("ml-pipeline", NEW.api);
    const spec = moved.spec as {
      selector: unknown;
      template: { metadata: { labels: Record<string, string> } };
    };
    // The selector is immutable: the API server refuses this apply (422).
    spec.selector = { matchLabels: { ...spec.template.metadata.labels, tier: "api" } };
    spec.template.metadata.labels = { ...spec.template.metadata.labels, tier: "api" };
    steps.add({
      kind: "applyObjects",
      group: "workloads",
      force: true,
      objects: [{ action: "update", object: moved }],
    });
    steps.add({ kind: "waitRollout", namespace: NS, deployments: ["ml-pipeline"] });
    const plan: Plan = {
      apiVersion: "kfp-upgrade/v1",
      kind: "Plan",
      command: "upgrade",
      namespace: NS,
      context: "fake",
      from: "2.3.0",
      to: "2.5.0",
      strategy: "manifests",
      hops: [{ from: "2.3.0", to: "2.5.0", strategy: "manifests", reason: "the target release" }],
      storage: [],
      steps: steps.steps,
      warnings: [],
      notes: [],
      createdAt: NOW.toISOString(),
    };
    return { fake, plan };
  }

  const imageOf = (fake: FakeKubeClient, name: string) =>
    specOf<{ template: { spec: { containers: { image: string }[] } } }>(
      fake,
      ref("Deployment", name, "apps/v1"),
    ).template.spec.containers[0]?.image;
  const failedStep = (plan: Plan) => plan.steps.filter((step) => step.kind === "applyObjects").at(-1)?.id;

  it("restores what the hop already changed, like a failed rollout, naming the refused apply (exit 6)", async () => {
    const { fake, plan } = refusedMidHop();
    const run = runOptions(fake);
    const result = runPlan(plan, run.options);
    await expect(result).rejects.toThrow(RolloutFailed);
    await expect(result).rejects.toMatchObject({
      code: "ROLLED_BACK",
      exitCode: 6,
      message: expect.stringMatching(
        new RegExp(
          `^step ${failedStep(plan)} \\(applyObjects\\) failed: apply deployment/ml-pipeline -n kubeflow: API server says: .*field is immutable \\(reason: Invalid, 422\\); rolled back 3 objects \\(data volumes untouched\\)$`,
        ),
      ),
      hint: "The API server refused a write of the hop; fix the cause it names, then run the upgrade again.",
    });
    expect(fake.peek(ref("ConfigMap", "pipeline-install-config"))?.data).toEqual({ appVersion: "2.3.0" });
    expect(fake.peek(ref("ConfigMap", "kfp-launcher"))).toBeNull();
    expect(imageOf(fake, "ml-pipeline")).toBe(OLD.api);
    expect(run.events.filter((e) => e.type === "rollback").map((e) => e.message)).toEqual([
      expect.stringMatching(/ failed; restoring the stateless objects of the run$/),
      "restored deployment/ml-pipeline -n kubeflow",
      "deleted configmap/kfp-launcher -n kubeflow (created by the failed hop)",
      "restored configmap/pipeline-install-config -n kubeflow",
    ]);
  });

  it("with --no-rollback leaves the half-applied hop and fails with the API error (exit 5)", async () => {
    const { fake, plan } = refusedMidHop();
    const run = runOptions(fake, { rollback: false });
    await expect(runPlan(plan, run.options)).rejects.toMatchObject({
      code: "KUBE_INVALID",
      exitCode: 5,
      statusCode: 422,
      message: expect.stringMatching(/\(reason: Invalid, 422\) \(not rolled back: --no-rollback\)$/),
    });
    expect(fake.peek(ref("ConfigMap", "pipeline-install-config"))?.data).toEqual({ appVersion: "2.5.0" });
    expect(run.events.filter((e) => e.type === "rollback")).toEqual([]);
  });

  it("after the point of no return fails forward: mysql and the configuration stay at the new release (exit 8)", async () => {
    const { fake, plan } = refusedMidHop({ pointOfNoReturn: true });
    const run = runOptions(fake);
    const result = runPlan(plan, run.options);
    await expect(result).rejects.toThrow(FailedForward);
    await expect(result).rejects.toMatchObject({
      exitCode: 8,
      message: expect.stringContaining(`(applyObjects) failed: apply deployment/ml-pipeline`),
    });
    expect(imageOf(fake, "mysql")).toBe(NEW.mysql);
    expect(imageOf(fake, "ml-pipeline")).toBe(OLD.api);
    expect(fake.peek(ref("ConfigMap", "pipeline-install-config"))?.data).toEqual({ appVersion: "2.5.0" });
  });

  it("a server that cannot be reached is not rolled back (the rollback could not reach it either)", async () => {
    const { fake, plan } = refusedMidHop();
    fake.react(({ verb, object }) => {
      if (verb === "apply" && object.metadata.name === "kfp-launcher") {
        throw new KubeApiError("apply configmap/kfp-launcher: cannot reach the API server", {
          code: "KUBE_UNREACHABLE",
        });
      }
    });
    const run = runOptions(fake);
    await expect(runPlan(plan, run.options)).rejects.toMatchObject({ code: "KUBE_UNREACHABLE", exitCode: 5 });
    expect(run.events.filter((e) => e.type === "rollback")).toEqual([]);
  });
});

describe("runPlan: an upgrade that drops the Application which owned every component", () => {
  it("keeps the claims, the credentials and the upgraded install when the Application is pruned", async () => {
    const fake = new FakeKubeClient({ defaultNamespace: NS }).react(rollOut()).react(bindNamedClaims);
    const applicationCrd: KubeObject = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "applications.app.k8s.io" },
      spec: {
        group: "app.k8s.io",
        names: { kind: "Application", plural: "applications" },
        scope: "Namespaced",
        versions: [
          { name: "v1beta1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object" } } },
        ],
      },
      status: { conditions: [{ type: "Established", status: "True" }] },
    };
    const application: KubeObject = {
      apiVersion: "app.k8s.io/v1beta1",
      kind: "Application",
      metadata: { name: "pipeline", namespace: NS, labels: { "application-crd-id": "kubeflow-pipelines" } },
      spec: { addOwnerRef: true },
    };
    fake.seed([
      { apiVersion: "v1", kind: "Namespace", metadata: { name: NS }, status: { phase: "Active" } },
      applicationCrd,
      application,
      hostPathVolume("kfp-mysql"),
      hostPathVolume("kfp-minio"),
    ]);
    const owner = {
      apiVersion: "app.k8s.io/v1beta1",
      kind: "Application",
      name: "pipeline",
      uid: fake.peek(ref("Application", "pipeline", "app.k8s.io/v1beta1"))?.metadata.uid,
    };
    const owned = (object: KubeObject): KubeObject => ({
      ...object,
      metadata: { ...object.metadata, ownerReferences: [owner] },
    });
    const oldObjects = [
      configMap("pipeline-install-config", { appVersion: "1.4.1" }),
      secret("mysql-secret-db2h2gbg52", { username: "kfp", password: "custom-password" }),
      {
        ...deployment("ml-pipeline", "gcr.io/ml-pipeline/api-server:1.4.1"),
        status: { replicas: 1, updatedReplicas: 1, availableReplicas: 1 },
      },
      claimTemplate("mysql-pv-claim"),
      claimTemplate("minio-pvc"),
    ];
    fake.seed(oldObjects.map(owned));
    fake.bind({ namespace: NS, name: "mysql-pv-claim" }, "kfp-mysql");
    fake.bind({ namespace: NS, name: "minio-pvc" }, "kfp-minio");

    const installed = {
      ...(await catalogueRelease("1.4.1")),
      objects: [applicationCrd, application, ...oldObjects],
    };
    const target = {
      ...(await catalogueRelease("1.8.5")),
      objects: [
        applicationCrd,
        configMap("pipeline-install-config", { appVersion: "1.8.5" }),
        secret("mysql-secret", { username: "root", password: "" }),
        deployment("ml-pipeline", "gcr.io/ml-pipeline/api-server:1.8.5"),
        claimTemplate("mysql-pv-claim"),
        claimTemplate("minio-pvc"),
      ],
    };
    const snapshot = await takeSnapshot(fake, { namespace: NS });
    expect(snapshot.installedVersion).toBe("1.4.1");
    const plan = buildUpgradePlan({
      app: APP,
      snapshot,
      installed,
      hops: [{ from: "1.4.1", to: "1.8.5", reason: "the target release", release: target }],
      strategy: "manifests",
      now: NOW,
    });
    const uids = (names: string[]) =>
      names.map((name) => fake.peek(ref("PersistentVolume", name))?.metadata.uid);
    const volumeUids = uids(["kfp-mysql", "kfp-minio"]);

    await expect(runPlan(plan, runOptions(fake).options)).resolves.toMatchObject({ outcome: "succeeded" });

    expect(fake.peek(ref("Application", "pipeline", "app.k8s.io/v1beta1"))).toBeNull();
    expect(fake.peek(ref("Secret", "mysql-secret-db2h2gbg52"))).not.toBeNull();
    expect(fake.peek(ref("ConfigMap", "pipeline-install-config"))?.data).toEqual({ appVersion: "1.8.5" });
    expect(fake.peek(ref("Deployment", "ml-pipeline", "apps/v1"))).not.toBeNull();
    for (const claim of ["mysql-pv-claim", "minio-pvc"]) {
      expect(fake.peek(ref("PersistentVolumeClaim", claim))?.status).toEqual({ phase: "Bound" });
    }
    expect(uids(["kfp-mysql", "kfp-minio"])).toEqual(volumeUids);
  });
});

describe("runPlan: a rollout that fails after the point of no return", () => {
  const OLD = {
    mysql: "gcr.io/ml-pipeline/mysql:8.0.26",
    api: "ghcr.io/kubeflow/kfp-api-server:2.5.0",
    ui: "ghcr.io/kubeflow/kfp-frontend:2.5.0",
  };
  const NEW = {
    mysql: "mysql:8.4",
    api: "ghcr.io/kubeflow/kfp-api-server:2.14.4",
    ui: "ghcr.io/kubeflow/kfp-frontend:2.14.4",
  };

  function failingForward(failing: string[]): { fake: FakeKubeClient; plan: Plan } {
    const rolledOut = { status: { replicas: 1, updatedReplicas: 1, availableReplicas: 1 } };
    const fake = new FakeKubeClient({ defaultNamespace: NS }).seed([
      { apiVersion: "v1", kind: "Namespace", metadata: { name: NS }, status: { phase: "Active" } },
      configMap("pipeline-install-config", { appVersion: "2.5.0" }),
      { ...deployment("mysql", OLD.mysql), ...rolledOut },
      { ...deployment("ml-pipeline", OLD.api), ...rolledOut },
      { ...deployment("ml-pipeline-ui", OLD.ui), ...rolledOut },
    ]);
    fake.react(rollOut(failing));
    const steps = new StepList();
    steps.add({
      kind: "applyObjects",
      group: "workloads",
      force: true,
      objects: [{ action: "update", object: deployment("mysql", NEW.mysql) }],
    });
    steps.add({ kind: "waitRollout", namespace: NS, deployments: ["mysql"] });
    steps.add({
      kind: "pointOfNoReturn",
      namespace: NS,
      reason: "MySQL 8.4 is Available: it upgraded the data directory of MySQL 8.0",
      keep: ["mysql", "ml-pipeline"],
    });
    steps.add({
      kind: "applyObjects",
      group: "config",
      force: true,
      objects: [{ action: "update", object: configMap("pipeline-install-config", { appVersion: "2.14.4" }) }],
    });
    steps.add({
      kind: "applyObjects",
      group: "workloads",
      force: true,
      objects: [
        { action: "update", object: deployment("ml-pipeline", NEW.api) },
        { action: "update", object: deployment("ml-pipeline-ui", NEW.ui) },
      ],
    });
    steps.add({ kind: "waitRollout", namespace: NS, deployments: ["ml-pipeline", "ml-pipeline-ui"] });
    const plan: Plan = {
      apiVersion: "kfp-upgrade/v1",
      kind: "Plan",
      command: "upgrade",
      namespace: NS,
      context: "fake",
      from: "2.5.0",
      to: "2.14.4",
      strategy: "manifests",
      hops: [{ from: "2.5.0", to: "2.14.4", strategy: "manifests", reason: "the target release" }],
      storage: [],
      steps: steps.steps,
      warnings: [],
      notes: [],
      createdAt: NOW.toISOString(),
    };
    return { fake, plan };
  }

  const imageOf = (fake: FakeKubeClient, name: string) =>
    specOf<{ template: { spec: { containers: { image: string }[] } } }>(
      fake,
      ref("Deployment", name, "apps/v1"),
    ).template.spec.containers[0]?.image;

  it("keeps mysql, the API server and the configuration, restores the rest, and throws FailedForward (exit 8)", async () => {
    const { fake, plan } = failingForward([NEW.api]);
    const run = runOptions(fake);
    const result = runPlan(plan, run.options);
    await expect(result).rejects.toThrow(FailedForward);
    await expect(result).rejects.toMatchObject({
      code: "FAILED_FORWARD",
      exitCode: 8,
      message: expect.stringContaining(
        "; the data had moved forward (MySQL 8.4 is Available: it upgraded the data directory of MySQL 8.0), so only 1 stateless objects were restored and 3 kept at the new release (mysql, ml-pipeline included); data volumes untouched",
      ),
      hint: expect.stringContaining("then run `kfp-upgrade resume`: it continues forward."),
    });
    expect(imageOf(fake, "mysql")).toBe(NEW.mysql);
    expect(imageOf(fake, "ml-pipeline")).toBe(NEW.api);
    expect(imageOf(fake, "ml-pipeline-ui")).toBe(OLD.ui);
    expect(fake.peek(ref("ConfigMap", "pipeline-install-config"))?.data).toEqual({ appVersion: "2.14.4" });
    expect(run.events.filter((e) => e.type === "rollback").map((e) => e.message)).toEqual([
      "rollout failed after the point of no return (MySQL 8.4 is Available: it upgraded the data directory of MySQL 8.0); restoring only the stateless Deployments of the run, keeping mysql, ml-pipeline and the configuration at the new release",
      "restored deployment/ml-pipeline-ui -n kubeflow",
      "kept deployment/ml-pipeline -n kubeflow at the new release (the data moved forward; it is never restored to an older one)",
      "kept deployment/mysql -n kubeflow at the new release (the data moved forward; it is never restored to an older one)",
      "kept 1 configuration objects of the new release that the kept servers need: configmap/pipeline-install-config -n kubeflow",
    ]);
    expect(run.journal.completed).toEqual(plan.steps.slice(0, 5).map((step) => step.id));
  });

  it("a rollout that fails before it is rolled back in full, mysql included (exit 6)", async () => {
    const { fake, plan } = failingForward([NEW.mysql]);
    const result = runPlan(plan, runOptions(fake).options);
    await expect(result).rejects.toMatchObject({ code: "ROLLED_BACK", exitCode: 6 });
    expect(imageOf(fake, "mysql")).toBe(OLD.mysql);
  });

  it("resume continues forward: the steps after the point of no return run again", async () => {
    const { fake, plan } = failingForward([NEW.api]);
    const first = runOptions(fake);
    await expect(runPlan(plan, first.options)).rejects.toThrow(FailedForward);
    fake.react(rollOut());
    const resumed = runOptions(fake, { completed: new Set(first.journal.completed) });
    await expect(runPlan(plan, resumed.options)).resolves.toMatchObject({ outcome: "succeeded" });
    expect(resumed.journal.completed).toEqual(plan.steps.slice(3).map((step) => step.id));
    expect(resumed.events.filter((e) => e.type === "warning").map((e) => e.message)).toEqual([
      `the data moved forward in an earlier run (MySQL 8.4 is Available: it upgraded the data directory of MySQL 8.0); continuing forward from step ${plan.steps[3]?.id}`,
    ]);
    expect(imageOf(fake, "ml-pipeline-ui")).toBe(NEW.ui);
    expect(imageOf(fake, "mysql")).toBe(NEW.mysql);
  });
});

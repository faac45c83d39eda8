import { describe, expect, it } from "vitest";
import { sameOwnership, unchangedSince } from "../../../src/execute/classified-objects.js";
import { classifyChanges } from "../../../src/execute/classify-changes.js";
import { runPlan } from "../../../src/execute/run-plan.js";
import type { KubeObject } from "../../../src/model/kube-object.js";
import { PLAN_API_VERSION, type Plan } from "../../../src/plan/plan.js";
import type { Step } from "../../../src/plan/step.js";
import { type FakeCall, FakeKubeClient } from "../../support/fake-kube-client.js";
import { configMap, deployment, NS, runOptions } from "./executor-fixtures.js";

const NAMESPACE: KubeObject = { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } };

const WRITES: Step[] = [
  { id: "01-serverDryRun", kind: "serverDryRun", steps: ["02-applyObjects"] },
  {
    id: "02-applyObjects",
    kind: "applyObjects",
    group: "config",
    force: true,
    objects: [
      { action: "update", object: configMap("kfp-launcher", { defaultPipelineRoot: "" }) },
      { action: "update", object: configMap("pipeline-install-config", { appVersion: "2.14.4" }) },
      { action: "update", object: deployment("ml-pipeline", "api:2.14.4") },
    ],
  },
];

function planOf(steps: Step[]): Plan {
  return {
    apiVersion: PLAN_API_VERSION,
    kind: "Plan",
    command: "upgrade",
    namespace: NS,
    context: null,
    from: "2.5.0",
    to: "2.14.4",
    strategy: "manifests",
    hops: [{ from: "2.5.0", to: "2.14.4", strategy: "manifests", reason: "test" }],
    storage: [],
    steps,
    warnings: [],
    notes: [],
    createdAt: "2026-12-03T10:00:00.000Z",
  };
}

/** A cluster where kfp-upgrade applied 2.5.0 itself: its apply owns every field. */
async function installed(): Promise<FakeKubeClient> {
  const fake = new FakeKubeClient({ defaultNamespace: NS, managedFields: true }).seed([NAMESPACE]);
  for (const object of [
    configMap("kfp-launcher", { defaultPipelineRoot: "" }),
    configMap("pipeline-install-config", { appVersion: "2.5.0" }),
    deployment("ml-pipeline", "api:2.5.0"),
  ]) {
    await fake.apply(object, { force: true });
  }
  fake.calls.length = 0;
  return fake;
}

const isDryRun = (call: FakeCall) => (call.options as { dryRun?: boolean } | undefined)?.dryRun === true;
const applies = (calls: FakeCall[], dryRun: boolean) =>
  calls.filter((call) => call.method === "apply" && isDryRun(call) === dryRun).map((call) => call.ref?.name);

async function classifyThenRun(fake: FakeKubeClient, between: () => void = () => {}) {
  const classified = await classifyChanges(planOf(WRITES), fake);
  const shown = fake.calls.length;
  between();
  const run = runOptions(fake, { classified: classified.seen });
  await runPlan(classified.plan, run.options);
  return { classified, run, shown };
}

describe("classified objects: the run reuses what the classification saw", () => {
  it("skips the hop's dry run and the apply of objects unchanged since, and says so", async () => {
    const fake = await installed();
    const { classified, run, shown } = await classifyThenRun(fake);
    expect(classified.plan.changes?.objects.map((change) => [change.name, change.change])).toEqual([
      ["kfp-launcher", "unchanged"],
      ["pipeline-install-config", "update"],
      ["ml-pipeline", "update"],
    ]);
    const runCalls = fake.calls.slice(shown);
    // Nothing was written since the classification's dry runs: none is sent again.
    expect(applies(runCalls, true)).toEqual([]);
    // The no-op apply is not made; the others are.
    expect(applies(runCalls, false).sort()).toEqual(["ml-pipeline", "pipeline-install-config"]);
    // The ConfigMaps are read with one list per step that reads both (the state before the hop, its dry run), and
    // the one no-op apply checks its object alone: three reads where one GET per object and step made five.
    const configMapReads = runCalls
      .filter((call) => ["get", "list"].includes(call.method))
      .filter((call) => (call.ref?.kind ?? call.kind) === "ConfigMap")
      .map((call) => `${call.method} ${call.ref?.name ?? ""}`.trim());
    expect(configMapReads).toEqual(["list", "list", "get kfp-launcher"]);
    const details = run.events.flatMap((event) => (event.type === "step-end" ? [event.message] : []));
    expect(details).toContainEqual(expect.stringContaining("3 unchanged since the plan's own dry run"));
    expect(details).toContainEqual(expect.stringContaining("2 objects applied, 1 unchanged"));
  });

  it("keeps the safety promise: every write was dry-run before the first change", async () => {
    const fake = await installed();
    await classifyThenRun(fake);
    const firstWrite = fake.calls.findIndex(
      (call) => ["apply", "create", "patch", "delete"].includes(call.method) && !isDryRun(call),
    );
    expect(firstWrite).toBeGreaterThan(0);
    const dryRunBefore = new Set(applies(fake.calls.slice(0, firstWrite), true));
    expect(applies(fake.calls, false).every((name) => dryRunBefore.has(name))).toBe(true);
  });

  it("dry-runs and applies again an object written since the classification (another resourceVersion)", async () => {
    const fake = await installed();
    const launcher = { apiVersion: "v1", kind: "ConfigMap", name: "kfp-launcher", namespace: NS };
    const { shown } = await classifyThenRun(fake, () =>
      fake.update(launcher, (object) => {
        object.data = { defaultPipelineRoot: "minio://elsewhere" };
      }),
    );
    const runCalls = fake.calls.slice(shown);
    expect(applies(runCalls, true)).toEqual(["kfp-launcher"]);
    expect(applies(runCalls, false).sort()).toEqual([
      "kfp-launcher",
      "ml-pipeline",
      "pipeline-install-config",
    ]);
    expect(fake.peek(launcher)?.data).toEqual({ defaultPipelineRoot: "" });
  });

  it("a later hop writing the same ref with other content is dry-run and applied: the record is of the object sent", async () => {
    const fake = await installed();
    const hop2: Step[] = [
      { id: "03-serverDryRun", kind: "serverDryRun", hop: 2, steps: ["04-applyObjects"] },
      {
        id: "04-applyObjects",
        kind: "applyObjects",
        hop: 2,
        group: "config",
        force: true,
        objects: [
          { action: "update", object: configMap("kfp-launcher", { defaultPipelineRoot: "minio://hop2" }) },
        ],
      },
    ];
    const plan = planOf([...WRITES, ...hop2]);
    const classified = await classifyChanges(plan, fake);
    // Hop 1's kfp-launcher is a no-op and is not written, so its resourceVersion stays the one classified.
    expect(classified.seen.get(JSON.stringify(["v1", "ConfigMap", NS, "kfp-launcher"]))).toMatchObject({
      noOp: true,
    });
    const shown = fake.calls.length;
    const run = runOptions(fake, { classified: classified.seen });
    await runPlan(classified.plan, run.options);
    const runCalls = fake.calls.slice(shown);
    expect(applies(runCalls, true)).toContain("kfp-launcher");
    expect(applies(runCalls, false)).toContain("kfp-launcher");
    expect(
      fake.peek({ apiVersion: "v1", kind: "ConfigMap", name: "kfp-launcher", namespace: NS })?.data,
    ).toEqual({
      defaultPipelineRoot: "minio://hop2",
    });
  });

  it("without a classification (a resumed run) dry-runs and applies every object as before", async () => {
    const fake = await installed();
    const run = runOptions(fake);
    await runPlan(planOf(WRITES), run.options);
    expect(applies(fake.calls, true).sort()).toEqual([
      "kfp-launcher",
      "ml-pipeline",
      "pipeline-install-config",
    ]);
    expect(applies(fake.calls, false).sort()).toEqual([
      "kfp-launcher",
      "ml-pipeline",
      "pipeline-install-config",
    ]);
  });

  it("an unchanged object another manager co-owns is not a no-op: the forced apply moves its fields", async () => {
    const fake = new FakeKubeClient({ defaultNamespace: NS, managedFields: true }).seed([NAMESPACE]);
    fake.seed([configMap("kfp-launcher", { defaultPipelineRoot: "" })], { manager: "kubectl" });
    fake.calls.length = 0;
    const classified = await classifyChanges(planOf(WRITES.slice(1)), fake);
    expect(classified.plan.changes?.objects[0]).toMatchObject({ name: "kfp-launcher", change: "unchanged" });
    expect([...classified.seen.values()][0]).toMatchObject({ write: "apply", noOp: false });
  });
});

describe("sameOwnership", () => {
  const withFields = (entries: unknown[]): KubeObject => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "x", managedFields: entries },
  });
  it("ignores the times and the order of entries and keys, not the managers or their fields", () => {
    const a = {
      manager: "kfp-upgrade",
      operation: "Apply",
      time: "t1",
      fieldsV1: { "f:data": { "f:a": {} } },
    };
    const b = { manager: "kubectl", operation: "Update", time: "t2", fieldsV1: { "f:data": { "f:b": {} } } };
    expect(
      sameOwnership(
        withFields([a, b]),
        withFields([
          { ...b, time: "t9" },
          { fieldsV1: a.fieldsV1, operation: a.operation, manager: a.manager, time: "t0" },
        ]),
      ),
    ).toBe(true);
    expect(sameOwnership(withFields([a, b]), withFields([a]))).toBe(false);
    expect(sameOwnership(withFields([a]), withFields([{ ...a, manager: "helm" }]))).toBe(false);
    expect(sameOwnership(withFields([a]), withFields([{ ...a, fieldsV1: { "f:data": {} } }]))).toBe(false);
  });
});

describe("unchangedSince", () => {
  const seen = { resourceVersion: "7", write: "apply" as const, noOp: true, sent: "{}" };
  it("is true only for the same resourceVersion, false for another, a deleted or an unread object", () => {
    const at = (resourceVersion: string): KubeObject => ({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "x", resourceVersion },
    });
    expect(unchangedSince(seen, at("7"))).toBe(true);
    expect(unchangedSince(seen, at("8"))).toBe(false);
    expect(unchangedSince(seen, null)).toBe(false);
    expect(unchangedSince(seen, undefined)).toBe(false);
    expect(unchangedSince({ ...seen, resourceVersion: null }, null)).toBe(true);
  });
});

import { describe, expect, it } from "vitest";
import { baselineOf } from "../../../src/cli/kfp-inventory.js";
import { InventoryMissing, VerificationFailed } from "../../../src/errors.js";
import { verifyInventory } from "../../../src/execute/verify-inventory.js";
import type { KfpInventory } from "../../../src/kfp/inventory.js";
import { KfpApiError } from "../../../src/kfp/kfp-api-error.js";
import { readInventory } from "../../../src/kfp/read-inventory.js";
import type { InventoryBaseline, StepOf } from "../../../src/plan/step.js";
import { kfpBehindServiceProxy, loadKfpApiFixture } from "../kfp/kfp-api-fixture.js";
import { recordingContext } from "./executor-fixtures.js";

const POD = { apiVersion: "v1", kind: "Pod", name: "ml-pipeline-7d9f", namespace: "kubeflow" };

function step(baseline: InventoryBaseline): StepOf<"verifyInventory"> {
  return {
    id: "h1-09-verifyInventory",
    kind: "verifyInventory",
    namespace: "kubeflow",
    source: "as KFP's API listed them before the run",
    baseline,
  };
}

/** KFP's 2.0.5 API (the two-pages fixture) behind the fake cluster's service proxy, and a context reading it. */
async function setUp(timeoutSeconds = 5) {
  const { fake, transport } = kfpBehindServiceProxy(loadKfpApiFixture("handmade/v2beta1-two-pages.json"));
  const served = await readInventory(transport);
  const recorded: KfpInventory[] = [];
  const ctx = {
    ...recordingContext(fake, { timeoutSeconds }),
    inventory: {
      read: () => readInventory(transport),
      record: async (read: KfpInventory) => void recorded.push(read),
    },
  };
  return { fake, served, recorded, ctx };
}

describe("verifyInventory", () => {
  it("everything listed before is listed again: passes and records what it read", async () => {
    const { served, recorded, ctx } = await setUp();
    await expect(verifyInventory(step(baselineOf(served)), ctx)).resolves.toBe(
      "KFP lists 3 experiments, 2 pipelines, 3 pipeline versions, 1 run, 1 recurring run; nothing missing",
    );
    expect(recorded).toEqual([served]);
  });

  it("new objects are fine: only what went missing counts", async () => {
    const { served, ctx } = await setUp();
    const baseline = baselineOf(served);
    await expect(
      verifyInventory(step({ ...baseline, experiments: baseline.experiments.slice(1) }), ctx),
    ).resolves.toMatch(/nothing missing$/);
  });

  it("an object listed before is gone: stops with exit 9 naming kind, name and id, and records nothing", async () => {
    const { served, recorded, ctx } = await setUp();
    const baseline = baselineOf(served);
    const withGone = {
      ...baseline,
      experiments: [...baseline.experiments, { id: "gone-1", name: "nightly" }],
      recurringRuns: [...baseline.recurringRuns, { id: "gone-2", name: "hourly" }],
    };
    const run = verifyInventory(step(withGone), ctx);
    await expect(run).rejects.toThrow(InventoryMissing);
    await expect(verifyInventory(step(withGone), ctx)).rejects.toMatchObject({
      code: "INVENTORY_MISSING",
      exitCode: 9,
      message:
        'KFP\'s API no longer lists 2 objects it listed as KFP\'s API listed them before the run: experiment "nightly" (id gone-1); recurring run "hourly" (id gone-2)',
      details: ['experiment "nightly" (id gone-1)', 'recurring run "hourly" (id gone-2)'],
    });
    expect(recorded).toEqual([]);
  });

  it("a server still starting (no ready pod) is asked again until it answers", async () => {
    const { fake, served, ctx } = await setUp();
    const pod = fake.peek(POD);
    if (!pod) throw new Error("the fixture cluster has no API server pod");
    fake.seed([{ ...pod, status: { conditions: [{ type: "Ready", status: "False" }] } }]);
    let reads = 0;
    const read = ctx.inventory.read;
    ctx.inventory.read = async () => {
      reads += 1;
      if (reads === 2) fake.seed([pod]);
      return read();
    };
    await expect(verifyInventory(step(baselineOf(served)), ctx)).resolves.toMatch(/nothing missing$/);
    expect(reads).toBe(2);
    expect(ctx.progressed[0]).toMatch(/^KFP's API does not answer yet \(.*\); asking again$/);
  });

  it("an API that never answers within the timeout fails the hop (exit 5)", async () => {
    const { fake, served, ctx } = await setUp(1);
    const pod = fake.peek(POD);
    if (!pod) throw new Error("the fixture cluster has no API server pod");
    fake.seed([{ ...pod, status: { conditions: [{ type: "Ready", status: "False" }] } }]);
    const run = verifyInventory(step(baselineOf(served)), ctx);
    await expect(run).rejects.toThrow(VerificationFailed);
    await expect(run).rejects.toMatchObject({
      code: "KFP_API_SILENT",
      exitCode: 5,
      message: expect.stringMatching(
        /^KFP's API answered before the run but not within 1s after the rollout: /,
      ),
    });
  });

  it("an answer that is not a server starting (a 404) fails at once", async () => {
    const { served, ctx } = await setUp();
    let reads = 0;
    ctx.inventory.read = async () => {
      reads += 1;
      throw new KfpApiError("answered", "/apis/v2beta1/healthz", "404 page not found", { statusCode: 404 });
    };
    await expect(verifyInventory(step(baselineOf(served)), ctx)).rejects.toMatchObject({
      failure: "answered",
      statusCode: 404,
    });
    expect(reads).toBe(1);
  });
});

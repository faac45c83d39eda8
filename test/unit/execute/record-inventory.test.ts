import { describe, expect, it } from "vitest";
import { recordInventory } from "../../../src/execute/record-inventory.js";
import type { KfpInventory } from "../../../src/kfp/inventory.js";
import { KfpApiError } from "../../../src/kfp/kfp-api-error.js";
import { readInventory } from "../../../src/kfp/read-inventory.js";
import type { StepOf } from "../../../src/plan/step.js";
import { kfpBehindServiceProxy, loadKfpApiFixture } from "../kfp/kfp-api-fixture.js";
import { recordingContext } from "./executor-fixtures.js";

const STEP: StepOf<"recordInventory"> = {
  id: "h1-12-recordInventory",
  kind: "recordInventory",
  namespace: "kubeflow",
};

function setUp() {
  const { fake, transport } = kfpBehindServiceProxy(loadKfpApiFixture("handmade/v2beta1-two-pages.json"));
  const recorded: KfpInventory[] = [];
  const ctx = {
    ...recordingContext(fake),
    inventory: {
      read: () => readInventory(transport),
      record: async (read: KfpInventory) => void recorded.push(read),
    },
  };
  return { transport, recorded, ctx };
}

describe("recordInventory", () => {
  it("records what KFP lists, for later runs to compare with", async () => {
    const { transport, recorded, ctx } = setUp();
    await expect(recordInventory(STEP, ctx)).resolves.toBe(
      "recorded: KFP lists 3 experiments, 2 pipelines, 3 pipeline versions, 1 run, 1 recurring run",
    );
    expect(recorded).toEqual([await readInventory(transport)]);
    expect(ctx.warned).toEqual([]);
  });

  it("an API that does not answer is a warning that says how to record it later, not a failed run", async () => {
    const { recorded, ctx } = setUp();
    ctx.inventory.read = async () => {
      throw new KfpApiError("unreachable", "/apis/v2beta1/healthz", "connection refused");
    };
    await expect(recordInventory(STEP, ctx)).resolves.toBe("not recorded: KFP's API did not answer");
    expect(recorded).toEqual([]);
    expect(ctx.warned).toHaveLength(1);
    expect(ctx.warned[0]).toMatch(
      /^KFP's inventory was not recorded: .*connection refused.*`kfp-upgrade status`/,
    );
  });

  it("anything but KFP's API failing (a damaged KFAPP file) fails the step", async () => {
    const { ctx } = setUp();
    ctx.inventory.record = async () => {
      throw new Error("EACCES: .kfp-upgrade/inventory.json");
    };
    await expect(recordInventory(STEP, ctx)).rejects.toThrow("EACCES");
  });
});

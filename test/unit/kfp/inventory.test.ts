import { describe, expect, it } from "vitest";
import {
  describeInventoryCounts,
  inventoryCounts,
  type KfpInventory,
  kfpInventorySchema,
} from "../../../src/kfp/inventory.js";

const INVENTORY: KfpInventory = {
  api: "v2beta1",
  serverTag: "2.0.5",
  multiUser: true,
  namespaces: ["team-a"],
  experiments: [
    { id: "e1", name: "a", namespace: "team-a" },
    { id: "e2", name: "b", namespace: "team-a", storageState: "ARCHIVED" },
  ],
  pipelines: [{ id: "p1", name: "hello" }],
  pipelineVersions: [],
  runs: [{ id: "r1", name: "run-1", experimentId: "e1", state: "SUCCEEDED" }],
  recurringRuns: [],
};

describe("inventory", () => {
  it("counts each kind, as `status -o json` carries it", () => {
    expect(inventoryCounts(INVENTORY)).toEqual({
      experiments: 2,
      pipelines: 1,
      pipelineVersions: 0,
      runs: 1,
      recurringRuns: 0,
    });
  });

  it("says the counts in words", () => {
    expect(describeInventoryCounts(inventoryCounts(INVENTORY))).toBe(
      "2 experiments, 1 pipeline, 0 pipeline versions, 1 run, 0 recurring runs",
    );
  });

  it("survives a round trip through JSON (history, KFAPP)", () => {
    expect(kfpInventorySchema.parse(JSON.parse(JSON.stringify(INVENTORY)))).toEqual(INVENTORY);
  });

  it.each([
    { name: "an empty id", change: { experiments: [{ id: "", name: "x" }] }, path: "experiments.0.id" },
    { name: "an unknown API version", change: { api: "v2" }, path: "api" },
  ])("refuses a recorded inventory with $name", ({ change, path }) => {
    const parsed = kfpInventorySchema.safeParse({ ...INVENTORY, ...change });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.path.join("."))).toEqual([path]);
  });
});

import { describe, expect, it } from "vitest";
import { compareInventories, countMissing, describeMissing } from "../../../src/kfp/compare-inventories.js";
import type { KfpInventory } from "../../../src/kfp/inventory.js";

function inventory(parts: Partial<KfpInventory> = {}): KfpInventory {
  return {
    api: "v2beta1",
    serverTag: "2.0.5",
    multiUser: false,
    namespaces: null,
    experiments: [],
    pipelines: [],
    pipelineVersions: [],
    runs: [],
    recurringRuns: [],
    ...parts,
  };
}

const BEFORE = inventory({
  experiments: [
    { id: "e1", name: "Default" },
    { id: "e2", name: "nightly" },
  ],
  pipelines: [{ id: "p1", name: "hello" }],
  pipelineVersions: [{ id: "v1", name: "hello", pipelineId: "p1" }],
  runs: [{ id: "r1", name: "run-1", experimentId: "e2" }],
  recurringRuns: [{ id: "j1", name: "hourly" }],
});

const NONE = { experiments: [], pipelines: [], pipelineVersions: [], runs: [], recurringRuns: [] };

describe("compareInventories", () => {
  const cases = [
    { name: "the same inventory", after: BEFORE, missing: NONE },
    {
      name: "an experiment deleted between two hops",
      after: { ...BEFORE, experiments: [{ id: "e1", name: "Default" }] },
      missing: { ...NONE, experiments: [{ id: "e2", name: "nightly" }] },
    },
    {
      name: "an empty install after a reinstall onto a fresh volume",
      after: inventory({ experiments: [{ id: "e9", name: "Default" }] }),
      missing: {
        experiments: [
          { id: "e1", name: "Default" },
          { id: "e2", name: "nightly" },
        ],
        pipelines: [{ id: "p1", name: "hello" }],
        pipelineVersions: [{ id: "v1", name: "hello" }],
        runs: [{ id: "r1", name: "run-1" }],
        recurringRuns: [{ id: "j1", name: "hourly" }],
      },
    },
    {
      name: "new objects, and another API version reading the same rows (same ids)",
      after: {
        ...BEFORE,
        api: "v1beta1" as const,
        runs: [...BEFORE.runs, { id: "r2", name: "new" }],
        pipelineVersions: [...BEFORE.pipelineVersions, { id: "v2", name: "backfilled", pipelineId: "p1" }],
      },
      missing: NONE,
    },
    {
      name: "a renamed object (same id) is not missing",
      after: { ...BEFORE, pipelines: [{ id: "p1", name: "renamed" }] },
      missing: NONE,
    },
  ];
  it.each(cases)("$name", ({ after, missing }) => {
    expect(compareInventories(BEFORE, after)).toEqual(missing);
  });

  it("counts and describes what is missing, one line per object", () => {
    const missing = compareInventories(BEFORE, inventory({ pipelines: [{ id: "p1", name: "hello" }] }));
    expect(countMissing(missing)).toBe(5);
    expect(describeMissing(missing)).toEqual([
      'experiment "Default" (id e1)',
      'experiment "nightly" (id e2)',
      'pipeline version "hello" (id v1)',
      'run "run-1" (id r1)',
      'recurring run "hourly" (id j1)',
    ]);
  });
});

import { describe, expect, it } from "vitest";
import { PreflightRefusal } from "../../../src/errors.js";
import {
  type PlanInventory,
  refuseLegacySchema,
  verifyInventoryStep,
} from "../../../src/plan/inventory-plan.js";

const EMPTY = { experiments: [], pipelines: [], pipelineVersions: [], runs: [], recurringRuns: [] };
const TOO_LONG: PlanInventory = {
  state: "read",
  baseline: EMPTY,
  legacySchema: {
    since: "2.15.0",
    problems: [{ description: 'experiment "x" (id e1): name is 200 characters', fix: "shorten it" }],
  },
};

describe("refuseLegacySchema", () => {
  const cases = [
    { name: "2.14.4 -> 2.15.0 crosses", from: "2.14.4", to: "2.15.0", refused: true },
    { name: "2.5.0 -> 2.17.0 crosses", from: "2.5.0", to: "2.17.0", refused: true },
    { name: "2.15.0 -> 2.16.1 already migrated", from: "2.15.0", to: "2.16.1", refused: false },
    { name: "2.5.0 -> 2.14.4 stays before", from: "2.5.0", to: "2.14.4", refused: false },
    { name: "nothing installed", from: null, to: "2.15.0", refused: false },
  ];
  it.each(cases)("$name", ({ from, to, refused }) => {
    const check = () => refuseLegacySchema(TOO_LONG, { from, to }, "Cannot upgrade");
    if (refused) {
      expect(check).toThrow(PreflightRefusal);
      expect(check).toThrow(
        `Cannot upgrade: KFP 2.15.0's database migration would refuse to start on experiment "x" (id e1): name is 200 characters`,
      );
    } else expect(check).not.toThrow();
  });

  it("nothing too long: no refusal", () => {
    expect(() =>
      refuseLegacySchema(
        { ...TOO_LONG, legacySchema: { since: "2.15.0", problems: [] } },
        { from: "2.14.4", to: "2.15.0" },
        "Cannot upgrade",
      ),
    ).not.toThrow();
  });
});

describe("verifyInventoryStep", () => {
  it.each([
    {
      name: "unreachable",
      inventory: { state: "unreachable", reason: "x", legacySchemaSince: "2.15.0" } as const,
    },
    { name: "skipped", inventory: { state: "skipped" } as const },
    { name: "none", inventory: { state: "none" } as const },
    { name: "not asked", inventory: undefined },
  ])("$name: no step", ({ inventory }) => {
    expect(verifyInventoryStep("kubeflow", inventory)).toBeNull();
  });

  it("read at an endpoint: the step names it", () => {
    expect(verifyInventoryStep("kubeflow", { ...TOO_LONG, endpoint: "http://127.0.0.1:8888" })).toEqual({
      kind: "verifyInventory",
      namespace: "kubeflow",
      endpoint: "http://127.0.0.1:8888",
      source: "as KFP's API listed them before the run",
      baseline: EMPTY,
    });
  });

  it("a multi-user install: the step keeps the namespaces and the user, for resume", () => {
    expect(
      verifyInventoryStep("kubeflow", {
        ...TOO_LONG,
        multiUser: { namespaces: ["alice", "bob"], user: "alice@example.com" },
      }),
    ).toMatchObject({ kfpNamespaces: ["alice", "bob"], kfpUser: "alice@example.com" });
  });
});

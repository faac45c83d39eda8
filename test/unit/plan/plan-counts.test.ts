import { describe, expect, it } from "vitest";
import type { Plan } from "../../../src/plan/plan.js";
import { planCounts, planWouldChange } from "../../../src/plan/plan-counts.js";

const plan = (steps: Plan["steps"], changes?: Plan["changes"]): Plan => ({
  apiVersion: "kfp-upgrade/v1",
  kind: "Plan",
  command: "upgrade",
  namespace: "kubeflow",
  context: null,
  from: "2.5.0",
  to: "2.14.4",
  strategy: "manifests",
  hops: [],
  storage: [],
  steps,
  warnings: [],
  notes: [],
  ...(changes ? { changes } : {}),
  createdAt: "2026-12-03T10:00:00.000Z",
});
const applyStep: Plan["steps"][number] = {
  id: "01-applyObjects",
  kind: "applyObjects",
  group: "config",
  force: true,
  objects: [{ action: "update", object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } } }],
};
const wait: Plan["steps"][number] = {
  id: "02-waitRollout",
  kind: "waitRollout",
  namespace: "kubeflow",
  deployments: ["ml-pipeline"],
};
const unchanged = {
  step: "01-applyObjects",
  apiVersion: "v1",
  kind: "ConfigMap",
  name: "c",
  change: "unchanged" as const,
  fields: [],
  basis: "server" as const,
};

describe("planCounts and planWouldChange", () => {
  it.each([
    { name: "an empty plan", plan: plan([]), counts: { update: 0, unchanged: null }, changes: false },
    {
      name: "a plain --dry-run plan counts its steps",
      plan: plan([applyStep, wait]),
      counts: { update: 1, wait: 1, unchanged: null },
      changes: true,
    },
    {
      name: "a classified plan whose applies change nothing",
      plan: plan([applyStep, wait], { basis: [], objects: [unchanged] }),
      counts: { update: 0, wait: 1, unchanged: 1 },
      changes: false,
    },
    {
      name: "a classified plan with an update",
      plan: plan([applyStep, wait], {
        basis: [],
        objects: [{ ...unchanged, change: "update", fields: ["data.a"] }],
      }),
      counts: { update: 1, unchanged: 0 },
      changes: true,
    },
  ])("$name", ({ plan, counts, changes }) => {
    expect(planCounts(plan)).toMatchObject(counts);
    expect(planWouldChange(plan)).toBe(changes);
  });
});

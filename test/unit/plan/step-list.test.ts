import { describe, expect, it } from "vitest";
import { numbered, plannedOf, StepList } from "../../../src/plan/step-list.js";

describe("StepList", () => {
  it("numbers steps in order and names them by kind, with the hop when there is one", () => {
    const steps = new StepList();
    steps.add({ kind: "ensureNamespace", name: "kubeflow", exists: true });
    steps.addAll(
      [
        { kind: "waitRollout", namespace: "kubeflow", deployments: ["mysql"] },
        { kind: "verifyBinding", namespace: "kubeflow", claims: [] },
      ],
      2,
    );
    expect(steps.steps).toEqual([
      { id: "01-ensureNamespace", kind: "ensureNamespace", name: "kubeflow", exists: true },
      { id: "h2-02-waitRollout", hop: 2, kind: "waitRollout", namespace: "kubeflow", deployments: ["mysql"] },
      { id: "h2-03-verifyBinding", hop: 2, kind: "verifyBinding", namespace: "kubeflow", claims: [] },
    ]);
  });

  it("keeps ids unique and sortable past 99 steps", () => {
    const steps = new StepList();
    for (let i = 0; i < 120; i++) steps.add({ kind: "waitEstablished", crds: [] });
    const ids = steps.steps.map((step) => step.id);
    expect(new Set(ids).size).toBe(120);
    expect(ids.at(-1)).toBe("120-waitEstablished");
  });
});

describe("plannedOf and numbered", () => {
  it("renumber a plan after steps are inserted, hops kept", () => {
    const list = new StepList();
    list.add({ kind: "waitEstablished", crds: [] });
    list.add({ kind: "waitEstablished", crds: ["a"] }, 1);
    const planned = list.steps.map(plannedOf);
    planned.unshift({ draft: { kind: "serverDryRun", steps: [] }, hop: 1 });
    expect(numbered(planned).map((step) => [step.id, step.hop])).toEqual([
      ["h1-01-serverDryRun", 1],
      ["02-waitEstablished", undefined],
      ["h1-03-waitEstablished", 1],
    ]);
  });
});

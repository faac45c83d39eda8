import { describe, expect, it } from "vitest";
import { withServerDryRuns } from "../../../src/plan/server-dry-runs.js";
import type { PlannedStep, StepDraft } from "../../../src/plan/step-list.js";

const protect: StepDraft = { kind: "setReclaimPolicy", volume: "kfp-mysql", from: "Delete", to: "Retain" };
const adopt: StepDraft = { kind: "adoptObjects", from: ["kubectl"], installers: ["kubectl"], objects: [] };
const scale: StepDraft = {
  kind: "scaleDeployments",
  namespace: "kubeflow",
  deployments: [{ name: "mysql", from: 1, to: 0 }],
  reason: "stop",
};
const gone: StepDraft = { kind: "waitPodsGone", namespace: "kubeflow", workloads: [], reason: "gone" };
const apply: StepDraft = { kind: "applyObjects", group: "config", objects: [], force: true };
const create: StepDraft = { kind: "createIfAbsent", group: "secrets", objects: [] };
const rollout: StepDraft = { kind: "waitRollout", namespace: "kubeflow", deployments: ["mysql"] };
const images: StepDraft = {
  kind: "setImages",
  namespace: "kubeflow",
  deployment: "ml-pipeline",
  containers: [{ name: "api", from: "a:1", to: "a:2" }],
};

const at = (hop: number | undefined, ...drafts: StepDraft[]): PlannedStep[] =>
  drafts.map((draft) => ({ draft, hop }));

describe("withServerDryRuns", () => {
  const cases = [
    {
      name: "single hop: after the protection and the adoption, before the first write",
      planned: at(undefined, protect, adopt, gone, scale, apply, create, rollout),
      ids: [
        "01-setReclaimPolicy",
        "02-adoptObjects",
        "03-waitPodsGone",
        "04-serverDryRun",
        "05-scaleDeployments",
        "06-applyObjects",
        "07-createIfAbsent",
        "08-waitRollout",
      ],
      dryRuns: [["06-applyObjects", "07-createIfAbsent"]],
    },
    {
      name: "multi-hop: one per hop, numbered with it; plan-level steps get none",
      planned: [...at(undefined, protect, adopt), ...at(1, apply, rollout), ...at(2, scale, apply)],
      ids: [
        "01-setReclaimPolicy",
        "02-adoptObjects",
        "h1-03-serverDryRun",
        "h1-04-applyObjects",
        "h1-05-waitRollout",
        "h2-06-serverDryRun",
        "h2-07-scaleDeployments",
        "h2-08-applyObjects",
      ],
      dryRuns: [["h1-04-applyObjects"], ["h2-08-applyObjects"]],
    },
    {
      name: "an images hop: nothing to dry-run",
      planned: at(1, images, rollout),
      ids: ["h1-01-setImages", "h1-02-waitRollout"],
      dryRuns: [],
    },
  ];
  it.each(cases)("$name", ({ planned, ids, dryRuns }) => {
    const steps = withServerDryRuns(planned);
    expect(steps.map((step) => step.id)).toEqual(ids);
    expect(steps.flatMap((step) => (step.kind === "serverDryRun" ? [step.steps] : []))).toEqual(dryRuns);
  });
});

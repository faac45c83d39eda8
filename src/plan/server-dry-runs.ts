import type { Step, StepKind } from "./step.js";
import { numbered, type PlannedStep } from "./step-list.js";

/** Steps that change nothing: waits, checks and markers. Every other kind writes to the cluster. */
const READ_ONLY_KINDS = new Set<StepKind>([
  "waitEstablished",
  "waitBound",
  "waitPodsGone",
  "waitWorkflowsDone",
  "verifyMysqlSeries",
  "pointOfNoReturn",
  "waitRollout",
  "verifyBinding",
  "verifyInventory",
  "recordInventory",
  "serverDryRun",
]);

/**
 * Writes that come before a hop's dry run: the data's protection (Retain) must never wait for it, and the adoption
 * must precede it, or the dry run meets fields another manager owns (kubectl's `exec` probes) and fails.
 */
const BEFORE_DRY_RUN_KINDS = new Set<StepKind>(["setReclaimPolicy", "retainClaimVolumes", "adoptObjects"]);

/** The steps a dry run sends to the API server with `dryRun=All`. */
const DRY_RUN_KINDS = new Set<StepKind>(["applyObjects", "createIfAbsent", "recreateDeployment"]);

/**
 * One `serverDryRun` step per hop (a single-hop plan is one hop), right before the hop's first write, listing the
 * hop's applies, creates and recreates: a conflict, a validation or an admission error then refuses the hop with
 * nothing of it changed. A hop without any (the images strategy) gets none. Returns the plan numbered afresh.
 */
export function withServerDryRuns(planned: PlannedStep[]): Step[] {
  const hops = [...new Set(planned.map((step) => step.hop))];
  const firstWrites = new Map<number, number | undefined>();
  for (const hop of hops) {
    const inHop = planned.filter((step) => step.hop === hop);
    if (!inHop.some((step) => DRY_RUN_KINDS.has(step.draft.kind))) continue;
    const first = planned.findIndex(
      (step) =>
        step.hop === hop &&
        !READ_ONLY_KINDS.has(step.draft.kind) &&
        !BEFORE_DRY_RUN_KINDS.has(step.draft.kind),
    );
    if (first >= 0) firstWrites.set(first, hop);
  }
  const withDryRuns: PlannedStep[] = planned.flatMap((step, index) =>
    firstWrites.has(index)
      ? [{ draft: { kind: "serverDryRun", steps: [] }, hop: firstWrites.get(index) }, step]
      : [step],
  );
  const steps = numbered(withDryRuns);
  return steps.map((step) =>
    step.kind === "serverDryRun"
      ? {
          ...step,
          steps: steps
            .filter((other) => other.hop === step.hop && DRY_RUN_KINDS.has(other.kind))
            .map((other) => other.id),
        }
      : step,
  );
}

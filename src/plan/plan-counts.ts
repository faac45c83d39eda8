import type { Plan } from "./plan.js";
import type { StepKind } from "./step.js";
import { type Counts, countSteps } from "./step-table.js";

/** Step kinds whose objects the plan's `changes` classify one by one; other kinds count by their step. */
export const CLASSIFIED_KINDS: ReadonlySet<StepKind> = new Set([
  "applyObjects",
  "createIfAbsent",
  "recreateDeployment",
  "prune",
]);

export interface PlanCounts extends Counts {
  /** Objects an apply leaves as they are; null when the plan was not compared (plain `--dry-run`). */
  unchanged: number | null;
}

/**
 * The plan's count line: from its `changes` (what the server-side dry run found) where the plan has them, from its
 * steps otherwise.
 */
export function planCounts(plan: Plan): PlanCounts {
  if (!plan.changes) return { ...countSteps(plan.steps), unchanged: null };
  const counts: PlanCounts = {
    ...countSteps(plan.steps.filter((step) => !CLASSIFIED_KINDS.has(step.kind))),
    unchanged: 0,
  };
  for (const object of plan.changes.objects) {
    if (object.change === "unchanged") counts.unchanged = (counts.unchanged ?? 0) + 1;
    else counts[object.change] += 1;
  }
  return counts;
}

/** Whether running the plan would change anything: what `--exit-code` reports (2) or not (0). */
export function planWouldChange(plan: Plan): boolean {
  if (!plan.changes) return plan.steps.length > 0;
  const counts = planCounts(plan);
  return counts.create + counts.update + counts.recreate + counts.delete > 0;
}

import type { Plan } from "./plan.js";
import type { Step } from "./step.js";
import { numbered, plannedOf, type StepDraft } from "./step-list.js";

/**
 * The plan with `draft` inserted before step `at` (in the hop of the step it joins), renumbered as `StepList` numbers,
 * and the ids a serverDryRun step lists moved along.
 */
export function insertStep(plan: Plan, at: number, draft: StepDraft): Plan {
  const hop = plan.steps[at]?.hop ?? plan.steps[at - 1]?.hop;
  const planned = plan.steps.map(plannedOf);
  planned.splice(at, 0, { draft, hop });
  const renumbered = numbered(planned);
  const ids = new Map<string, string>();
  plan.steps.forEach((step, index) => {
    const next = renumbered[index < at ? index : index + 1];
    if (next) ids.set(step.id, next.id);
  });
  const steps: Step[] = renumbered.map((step) =>
    step.kind === "serverDryRun" ? { ...step, steps: step.steps.map((id) => ids.get(id) ?? id) } : step,
  );
  return { ...plan, steps };
}

import type { Step } from "./step.js";

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type StepDraft = DistributiveOmit<Step, "id" | "hop">;

/**
 * Accumulates steps and gives each a stable, readable id (`h2-07-waitRollout`): the journal records ids, and
 * `resume` finds its place by them.
 */
export class StepList {
  readonly steps: Step[] = [];

  add(draft: StepDraft, hop?: number): void {
    const number = String(this.steps.length + 1).padStart(2, "0");
    const id = `${hop === undefined ? "" : `h${hop}-`}${number}-${draft.kind}`;
    this.steps.push({ ...draft, id, ...(hop === undefined ? {} : { hop }) } as Step);
  }

  addAll(drafts: StepDraft[], hop?: number): void {
    for (const draft of drafts) this.add(draft, hop);
  }
}

/** A step before it has its id: where a later pass inserts steps, the plan is renumbered from these. */
export interface PlannedStep {
  draft: StepDraft;
  hop?: number | undefined;
}

export function plannedOf(step: Step): PlannedStep {
  const { id, hop, ...draft } = step;
  void id;
  return { draft: draft as StepDraft, hop };
}

/** Ids again in order, as `StepList` gives them. */
export function numbered(planned: PlannedStep[]): Step[] {
  const list = new StepList();
  for (const { draft, hop } of planned) list.add(draft, hop);
  return list.steps;
}

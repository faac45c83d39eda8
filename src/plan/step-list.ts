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

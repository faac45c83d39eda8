/**
 * A release line every upgrade across it must stop at, whatever MySQL does: a path from below `line.since` to
 * `whenTo` or later passes through the newest release of the line (preferring one with a bundle on disk).
 */
export interface RequiredStop {
  line: { since: string; before: string };
  whenTo: string;
  /** Why, in words for the hop's reason. */
  why: string;
  /** Where the rule comes from. */
  source: string;
}

/**
 * KFP 3.0 removes ML Metadata and refuses to start unless KFP 2.18's recurring-run adoption ran
 * (`recurring_run_adoption id=legacy-2.18 ready=true` in the API server's log), so ≤ 2.17 reaches 3.x through 2.18.x.
 */
export const REQUIRED_STOPS: readonly RequiredStop[] = [
  {
    line: { since: "2.18.0", before: "2.19.0" },
    whenTo: "3.0.0",
    why: "KFP 3.0 removes ML Metadata and refuses to start unless KFP 2.18's recurring-run adoption ran (`recurring_run_adoption id=legacy-2.18 ready=true` in the API server's log)",
    source:
      "issue 16's summary of kubeflow/pipelines docs/operator-guides/upgrade-2.18.md and the 3.0 notes, not verified against upstream",
  },
];

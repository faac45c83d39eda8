import type { ExecutionEvent } from "../execute/execution-event.js";
import type { Plan } from "../plan/plan.js";

/** What the end of a run reports besides its result: gathered from the run's events as they pass. */
export interface RunSummary {
  plan: Plan | null;
  startedAt: number;
  /** step id -> kind, to tell which step's end says what. */
  kinds: Map<string, string>;
  /** The messages of the backup steps that finished (what was backed up, where). */
  backups: string[];
  /** The messages of the inventory steps that finished (KFP's runs, pipelines, … counted). */
  inventory: string[];
}

export function emptyRunSummary(): RunSummary {
  return { plan: null, startedAt: 0, kinds: new Map(), backups: [], inventory: [] };
}

/** Takes what the summary needs from one event. */
export function recordForSummary(summary: RunSummary, event: ExecutionEvent, now: number): void {
  if (event.type === "plan") {
    summary.plan = event.plan;
    summary.startedAt = now;
  } else if (event.type === "step-start") {
    summary.kinds.set(event.stepId, event.kind);
  } else if (event.type === "step-end" && event.ok) {
    const kind = summary.kinds.get(event.stepId);
    if (kind === "backupVolumes") summary.backups.push(event.message);
    if (kind === "verifyInventory" || kind === "recordInventory") summary.inventory.push(event.message);
  }
}

/**
 * The run's last lines: the result, then from → to with the namespace and the duration, each data claim with the
 * PV it is bound to, the backups taken, and KFP's inventory as last read. Only the result without a plan.
 */
export function describeRunSummary(
  summary: RunSummary,
  result: Extract<ExecutionEvent, { type: "result" }>,
  now: number,
): string[] {
  const plan = summary.plan;
  if (!plan) return [result.message];
  const lines = [
    result.message,
    `  KFP ${plan.from ?? "(none)"} → ${plan.to} in namespace ${plan.namespace}, ${formatDuration(now - summary.startedAt)}`,
  ];
  for (const binding of result.bindings) {
    lines.push(
      `  data: claim ${binding.claim} on PV ${binding.volumeName ?? "(none)"}${binding.volumeUid ? ` (uid ${binding.volumeUid})` : ""}`,
    );
  }
  const planned = plan.steps.some((step) => step.kind === "backupVolumes");
  if (summary.backups.length > 0) for (const backup of summary.backups) lines.push(`  backup: ${backup}`);
  else lines.push(planned ? "  backups: none finished" : "  backups: none in this plan");
  for (const inventory of summary.inventory) lines.push(`  inventory: ${inventory}`);
  return lines;
}

/** `0.4s`, `12.3s`, `48s`, `2m05s`. */
export function formatDuration(milliseconds: number): string {
  const ms = Math.max(0, milliseconds);
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)}s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, "0")}s`;
}

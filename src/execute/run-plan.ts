import { Interrupted, KfpError, RolloutFailed } from "../errors.js";
import type { KubeClient } from "../kube/kube-client.js";
import type { KubeObject } from "../model/kube-object.js";
import type { Plan } from "../plan/plan.js";
import type { Step } from "../plan/step.js";
import { stepLines } from "../plan/step-table.js";
import { captureBefore, touchedStatelessRefs } from "./capture-before.js";
import type { ExecutionContext } from "./execution-context.js";
import type { ExecutionEvent, Outcome } from "./execution-event.js";
import type { JournalSink } from "./journal-sink.js";
import { rollBackHop } from "./roll-back-hop.js";
import { STEP_HANDLERS } from "./step-handlers.js";

export interface RunPlanOptions {
  client: KubeClient;
  journal: JournalSink;
  emit(event: ExecutionEvent): void;
  timeoutSeconds: number;
  signal: AbortSignal;
  /** Steps already done by an earlier, interrupted run of the same plan (resume). */
  completed?: ReadonlySet<string>;
  /** Restore the hop's stateless objects when a rollout fails (default); false leaves the failure for debugging. */
  rollback: boolean;
  saveVolume(role: "mysql" | "objectStore", volume: KubeObject): Promise<void>;
  /** Called before each step starts; throws to stop the run there (the lock checks it is still held). */
  beforeStep?(step: Step): Promise<void> | void;
}

export interface RunPlanResult {
  outcome: Outcome;
  bindings: { claim: string; volumeName: string | null; volumeUid: string | null }[];
}

/**
 * Runs a plan's steps in order, journaling each completed step before the next starts. The executor knows steps,
 * not commands: ordering was decided by the plan builder; readiness by the pure rules in `readiness/`.
 */
export async function runPlan(plan: Plan, options: RunPlanOptions): Promise<RunPlanResult> {
  const completed = options.completed ?? new Set<string>();
  let currentStep = "";
  const ctx: ExecutionContext = {
    client: options.client,
    timeoutSeconds: options.timeoutSeconds,
    signal: options.signal,
    bindings: new Map(),
    progress: (message) => options.emit({ type: "step-progress", stepId: currentStep, message }),
    warn: (message) => options.emit({ type: "warning", message }),
    saveVolume: options.saveVolume,
  };
  const bindingsOut = () =>
    [...ctx.bindings.entries()].map(([claim, b]) => ({
      claim,
      volumeName: b.volumeName,
      volumeUid: b.volumeUid,
    }));

  for (const [group, [hop, steps]] of groupByHop(plan.steps).entries()) {
    const pending = steps.filter((step) => !completed.has(step.id));
    if (pending.length === 0) continue;
    let before = await options.journal.loadBefore(group);
    if (before === undefined) {
      before = await captureBefore(options.client, touchedStatelessRefs(steps));
      await options.journal.saveBefore(group, before);
    }
    for (const step of pending) {
      if (options.signal.aborted) {
        throw new Interrupted(`interrupted before step ${step.id}`, {
          hint: "Run `kfp-upgrade resume` to continue from this step.",
        });
      }
      await options.beforeStep?.(step);
      currentStep = step.id;
      const started = Date.now();
      options.emit({ type: "step-start", stepId: step.id, kind: step.kind, description: describe(step) });
      await options.journal.stepStarted(step.id);
      try {
        const message = await runStep(step, ctx);
        await options.journal.stepCompleted(step.id);
        options.emit({
          type: "step-end",
          stepId: step.id,
          ok: true,
          message,
          durationMs: Date.now() - started,
        });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        options.emit({
          type: "step-end",
          stepId: step.id,
          ok: false,
          message,
          durationMs: Date.now() - started,
        });
        if (options.signal.aborted && !(error instanceof KfpError)) {
          throw new Interrupted(`interrupted during step ${step.id}`, {
            hint: "Run `kfp-upgrade resume` to continue from this step.",
            cause: error,
          });
        }
        if (step.kind === "waitRollout" && error instanceof KfpError && error.code.startsWith("WAIT_")) {
          if (!options.rollback) {
            throw new RolloutFailed("ROLLOUT_FAILED", `${message} (not rolled back: --no-rollback)`, {
              hint: "The failed state was left for debugging. Fix it and run `kfp-upgrade resume`, or run `kfp-upgrade rollback`.",
              cause: error,
            });
          }
          options.emit({
            type: "rollback",
            message: `rollout failed; restoring the stateless objects of ${hop === 0 ? "the run" : `hop ${hop}`}`,
          });
          const actions = await rollBackHop(ctx, before);
          for (const action of actions) options.emit({ type: "rollback", message: action });
          throw new RolloutFailed(
            "ROLLED_BACK",
            `${message}; rolled back ${actions.length} objects (data volumes untouched)`,
            {
              hint: "Inspect why the new pods did not become ready (`kubectl get events -n <namespace>`), then run the upgrade again.",
              cause: error,
            },
          );
        }
        throw error;
      }
    }
  }
  return { outcome: "succeeded", bindings: bindingsOut() };
}

function runStep(step: Step, ctx: ExecutionContext): Promise<string> {
  const handler = STEP_HANDLERS[step.kind] as (step: Step, ctx: ExecutionContext) => Promise<string>;
  return handler(step, ctx);
}

function describe(step: Step): string {
  const lines = stepLines(step);
  const [first] = lines;
  if (!first) return step.kind;
  return lines.length === 1 ? `${first.symbol} ${first.text}` : `${step.kind} (${lines.length} objects)`;
}

/** Consecutive runs of steps of the same hop (steps outside any hop form their own runs), in plan order. */
function groupByHop(steps: Step[]): [number, Step[]][] {
  const groups: [number, Step[]][] = [];
  for (const step of steps) {
    const hop = step.hop ?? 0;
    const last = groups.at(-1);
    if (last && last[0] === hop) last[1].push(step);
    else groups.push([hop, [step]]);
  }
  return groups;
}

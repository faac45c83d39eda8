import { FailedForward, Interrupted, KfpError, KubeApiError, RolloutFailed } from "../errors.js";
import type { KubeClient } from "../kube/kube-client.js";
import type { KubeObject } from "../model/kube-object.js";
import type { Plan } from "../plan/plan.js";
import type { Step, StepOf } from "../plan/step.js";
import { stepLines } from "../plan/step-table.js";
import { captureBefore, touchedStatelessRefs } from "./capture-before.js";
import type { ClassifiedObjects } from "./classified-objects.js";
import { undoEditAppFile } from "./edit-app-file.js";
import type { AppFiles, ExecutionContext, InventoryAccess } from "./execution-context.js";
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
  saveVolume(role: "mysql" | "objectStore" | "legacyObjectStore", volume: KubeObject): Promise<void>;
  /** KFP's inventory, for verifyInventory steps. */
  inventory?: InventoryAccess | undefined;
  /** The KFAPP's files, for editAppFile steps. */
  appFiles?: AppFiles | undefined;
  /** Receives each backup a backupVolumes step took (for the run's history). */
  recordBackup?: ExecutionContext["recordBackup"];
  /** What the classification of this plan saw (see ExecutionContext.classified). */
  classified?: ClassifiedObjects | undefined;
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
    progress: (message, deployments) =>
      options.emit({
        type: "step-progress",
        stepId: currentStep,
        message,
        ...(deployments ? { deployments } : {}),
      }),
    warn: (message) => options.emit({ type: "warning", message }),
    saveVolume: options.saveVolume,
    inventory: options.inventory,
    appFiles: options.appFiles,
    recordBackup: options.recordBackup,
    classified: options.classified,
    steps: plan.steps,
  };
  const bindingsOut = () =>
    [...ctx.bindings.entries()].map(([claim, b]) => ({
      claim,
      volumeName: b.volumeName,
      volumeUid: b.volumeUid,
    }));

  for (const [group, [hop, steps]] of groupByHop(plan.steps).entries()) {
    let pending = steps.filter((step) => !completed.has(step.id));
    if (pending.length === 0) continue;
    let passed = lastPointOfNoReturn(steps.filter((step) => completed.has(step.id)));
    if (passed) {
      // The hop moved the data forward in an earlier run, which may have failed forward and put the stateless
      // Deployments back: continue forward by running everything after the point of no return again (each step
      // is idempotent), so they move to the new release once more.
      const resumeFrom = steps.indexOf(passed) + 1;
      pending = steps.slice(resumeFrom);
      options.emit({
        type: "warning",
        message: `the data moved forward in an earlier run (${passed.reason}); continuing forward from step ${pending[0]?.id ?? "(end)"}`,
      });
    }
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
        if (step.kind === "pointOfNoReturn") passed = step;
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
        const rolloutFailed =
          ROLLBACK_TRIGGERS.has(step.kind) && error instanceof KfpError && error.code.startsWith("WAIT_");
        // A write the API server refused mid-hop (after the client's retries) leaves the hop half applied: it is
        // put back like a failed rollout. An interrupted run is not (resume continues it), nor is one whose server
        // cannot be reached (the rollback could not reach it either).
        const writeFailed =
          WRITE_KINDS.has(step.kind) &&
          error instanceof KubeApiError &&
          error.statusCode !== undefined &&
          !options.signal.aborted;
        if (rolloutFailed || writeFailed) {
          const what = rolloutFailed ? "rollout failed" : `${describe(step)} failed`;
          const failure = rolloutFailed ? message : `step ${step.id} (${step.kind}) failed: ${message}`;
          if (!options.rollback) {
            if (error instanceof KubeApiError) {
              throw new KubeApiError(`${failure} (not rolled back: --no-rollback)`, {
                code: error.code,
                ...(error.statusCode === undefined ? {} : { statusCode: error.statusCode }),
                ...(error.reason === undefined ? {} : { reason: error.reason }),
                hint: "The hop is half applied, left so for debugging. Fix the cause and run `kfp-upgrade resume`, or run `kfp-upgrade rollback`.",
                cause: error,
              });
            }
            throw new RolloutFailed("ROLLOUT_FAILED", `${failure} (not rolled back: --no-rollback)`, {
              hint: "The failed state was left for debugging. Fix it and run `kfp-upgrade resume`, or run `kfp-upgrade rollback`.",
              cause: error,
            });
          }
          const which = hop === 0 ? "the run" : `hop ${hop}`;
          if (passed) {
            options.emit({
              type: "rollback",
              message: `${what} after the point of no return (${passed.reason}); restoring only the stateless Deployments of ${which}, keeping ${passed.keep.join(", ")} and the configuration at the new release`,
            });
            const result = await rollBackHop(ctx, before, { afterPointOfNoReturn: { keep: passed.keep } });
            for (const action of result.actions) options.emit({ type: "rollback", message: action });
            throw new FailedForward(
              `${failure}; the data had moved forward (${passed.reason}), so only ${result.restored} stateless objects were restored and ${result.kept} kept at the new release (${passed.keep.join(", ")} included); data volumes untouched`,
              {
                hint: "Rolling back further would start an older MySQL or API server on data a newer one already upgraded (downgrades are unsupported). Fix the cause (`kubectl get events -n <namespace>`, `kubectl describe pod`), then run `kfp-upgrade resume`: it continues forward.",
                cause: error,
              },
            );
          }
          options.emit({
            type: "rollback",
            message: `${what}; restoring the stateless objects of ${which}`,
          });
          const result = await rollBackHop(ctx, before);
          for (const action of result.actions) options.emit({ type: "rollback", message: action });
          for (const edit of editsBefore(steps, step)) {
            options.emit({ type: "rollback", message: await undoEditAppFile(edit, ctx) });
          }
          throw new RolloutFailed(
            "ROLLED_BACK",
            `${failure}; rolled back ${result.restored} objects (data volumes untouched)`,
            {
              hint: rolloutFailed
                ? "Inspect why the new pods did not become ready (`kubectl get events -n <namespace>`), then run the upgrade again."
                : "The API server refused a write of the hop; fix the cause it names, then run the upgrade again.",
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

/** Waits whose failure (the new pods never came, the old never went) rolls the hop back. */
const ROLLBACK_TRIGGERS = new Set<Step["kind"]>(["waitRollout", "waitPodsGone"]);

/** Writes of a hop whose refusal by the API server rolls the hop back (what it changed is restored). */
const WRITE_KINDS = new Set<Step["kind"]>([
  "applyObjects",
  "createIfAbsent",
  "recreateDeployment",
  "setImages",
  "carrySecret",
  "prune",
  "scaleDeployments",
]);

/** The last point-of-no-return marker among `steps`, if any: after it, the hop's data moved forward. */
function lastPointOfNoReturn(steps: Step[]): StepOf<"pointOfNoReturn"> | undefined {
  return steps.filter((step): step is StepOf<"pointOfNoReturn"> => step.kind === "pointOfNoReturn").at(-1);
}

/** The hop's KFAPP file edits before `failed`, last first: a rollback writes each file back as it was. */
function editsBefore(steps: Step[], failed: Step): StepOf<"editAppFile">[] {
  return steps
    .slice(0, steps.indexOf(failed))
    .filter((step): step is StepOf<"editAppFile"> => step.kind === "editAppFile")
    .reverse();
}

function runStep(step: Step, ctx: ExecutionContext): Promise<string> {
  const handler = STEP_HANDLERS[step.kind] as (step: Step, ctx: ExecutionContext) => Promise<string>;
  return handler(step, ctx);
}

function describe(step: Step): string {
  const lines = stepLines(step);
  const [first] = lines;
  if (!first) return step.kind;
  // A line may carry detail below it (editAppFile's diff): the event names the step by its first line.
  const text = first.text.split("\n")[0];
  return lines.length === 1 ? `${first.symbol} ${text}` : `${step.kind} (${lines.length} objects)`;
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

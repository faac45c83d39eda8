import { randomUUID } from "node:crypto";
import os from "node:os";
import { appendHistory } from "../app/history.js";
import {
  clearJournal,
  JOURNAL_PLAN_PATH,
  type Journal,
  writeJournal,
  writeJournalPlan,
} from "../app/journal.js";
import { saveVolumeDefinition } from "../app/saved-volumes.js";
import { isKfpError, UsageError } from "../errors.js";
import type { Outcome } from "../execute/execution-event.js";
import { runPlan } from "../execute/run-plan.js";
import type { KubeClient } from "../kube/kube-client.js";
import type { Plan } from "../plan/plan.js";
import { planHash } from "../plan/plan-hash.js";
import { renderPlanText } from "../plan/render-plan-text.js";
import { redactSecrets } from "../redact.js";
import type { CommandDeps } from "./command-deps.js";
import type { CommandResult } from "./command-result.js";
import { fileJournal, markJournal } from "./file-journal.js";
import type { GlobalOptions } from "./global-options.js";

export interface ExecutePlanOptions {
  plan: Plan;
  global: GlobalOptions;
  deps: CommandDeps;
  client: KubeClient;
  appDir: string;
  release: Journal["release"];
  rollback: boolean;
  /** Steps done by an interrupted earlier run (resume). */
  completed?: ReadonlySet<string>;
  runId?: string;
  /** After success: e.g. write the new version into kfp-app.yaml. */
  onSuccess?: () => Promise<void>;
}

/**
 * Prints the plan, stops there for --dry-run, asks (or needs --yes), then runs it with a journal and records the
 * run in the history whatever its outcome.
 */
export async function executePlan(options: ExecutePlanOptions): Promise<CommandResult> {
  const { plan, global, deps } = options;
  const text = renderPlanText(plan, { color: deps.output.color });
  if (global.dryRun || plan.steps.length === 0) {
    return { data: plan, text: global.dryRun ? `${text}\n\nDry run: nothing was changed.` : text };
  }
  if (global.output === "text") deps.output.result({ data: plan, text });
  if (!global.yes && !(await deps.confirm("Apply this plan?"))) {
    throw new UsageError("NOT_CONFIRMED", "the plan was not applied: it needs confirmation", {
      hint: "Answer y on a terminal, or pass --yes (scripts and CI). --dry-run prints the plan only.",
    });
  }
  const hash = planHash(plan);
  const runId = options.runId ?? randomUUID();
  const startedAt = new Date().toISOString();
  await writeJournalPlan(options.appDir, redactSecrets(plan));
  const journal: Journal = {
    runId,
    command: plan.command,
    startedAt,
    planHash: hash,
    planPath: JOURNAL_PLAN_PATH,
    completedStepIds: [...(options.completed ?? [])],
    status: "running",
    release: options.release,
  };
  await writeJournal(options.appDir, journal);
  deps.output.event({ type: "plan", plan });
  let outcome: Outcome = "failed";
  let message = "";
  try {
    const result = await runPlan(plan, {
      client: options.client,
      journal: fileJournal(options.appDir, journal),
      emit: (event) => deps.output.event(event),
      timeoutSeconds: global.timeout,
      signal: deps.signal,
      rollback: options.rollback,
      ...(options.completed ? { completed: options.completed } : {}),
      saveVolume: async (role, volume) => {
        await saveVolumeDefinition(options.appDir, role, volume);
      },
    });
    outcome = result.outcome;
    await options.onSuccess?.();
    await clearJournal(options.appDir);
    message = `${plan.command} of KFP ${plan.to} succeeded in namespace ${plan.namespace}`;
    deps.output.event({ type: "result", ok: true, outcome, message, bindings: result.bindings });
    return { data: undefined, text: "" };
  } catch (error) {
    outcome = isKfpError(error)
      ? error.code === "INTERRUPTED"
        ? "interrupted"
        : error.code === "ROLLED_BACK"
          ? "rolled-back"
          : "failed"
      : "failed";
    message = error instanceof Error ? error.message : String(error);
    await markJournal(options.appDir, outcome === "interrupted" ? "interrupted" : "failed");
    if (outcome === "rolled-back") await clearJournal(options.appDir);
    deps.output.event({ type: "result", ok: false, outcome, message, bindings: [] });
    throw error;
  } finally {
    await appendHistory(options.appDir, {
      command: plan.command,
      user: options.client.user ?? os.userInfo().username,
      startedAt,
      finishedAt: new Date().toISOString(),
      from: plan.from,
      to: plan.to,
      planHash: hash,
      outcome,
      ...(message ? { message } : {}),
    });
  }
}

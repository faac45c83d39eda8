import { randomUUID } from "node:crypto";
import os from "node:os";
import { appendHistory, type NewHistoryEntry } from "../app/history.js";
import {
  clearJournal,
  JOURNAL_PLAN_PATH,
  type Journal,
  readJournal,
  writeJournal,
  writeJournalPlan,
} from "../app/journal.js";
import { saveVolumeDefinition } from "../app/saved-volumes.js";
import { isKfpError, KubeApiError, PreflightRefusal, UsageError } from "../errors.js";
import type { Outcome } from "../execute/execution-event.js";
import { memoryJournal } from "../execute/journal-sink.js";
import { acquireLock, type HeldLock } from "../execute/lease-lock.js";
import { recordHistoryInCluster } from "../execute/record-history-in-cluster.js";
import { runPlan } from "../execute/run-plan.js";
import type { KubeClient } from "../kube/kube-client.js";
import type { Plan } from "../plan/plan.js";
import { planHash } from "../plan/plan-hash.js";
import { renderPlanText } from "../plan/render-plan-text.js";
import { redactSecrets } from "../redact.js";
import { checkAccess } from "./check-access.js";
import type { CommandDeps } from "./command-deps.js";
import type { CommandResult } from "./command-result.js";
import { fileJournal, markJournal } from "./file-journal.js";
import type { GlobalOptions } from "./global-options.js";
import { loadPendingRun } from "./load-pending-run.js";

export interface ExecutePlanOptions {
  plan: Plan;
  global: GlobalOptions;
  deps: CommandDeps;
  client: KubeClient;
  appDir: string;
  manifestsDir: string | null;
  /** The target release (its version and variant go into the journal, with the bundle directory). */
  release: Pick<Journal["release"], "version" | "variant"> & { manifests?: string | undefined };
  rollback: boolean;
  waitForLock?: boolean;
  /** Continue an interrupted run: the journaled plan, its completed steps and run id. */
  resume?: { completed: ReadonlySet<string>; runId: string; startedAt: string };
  /** After success: e.g. write the new version into kfp-app.yaml. */
  onSuccess?: () => Promise<void>;
}

/**
 * Prints the plan, stops there for --dry-run, checks RBAC, asks (or needs --yes), takes the namespace lock, runs the
 * plan with a journal, and records the run in the history whatever its outcome.
 */
export async function executePlan(options: ExecutePlanOptions): Promise<CommandResult> {
  const { global, deps, client } = options;
  let { plan } = options;
  let resume = options.resume;
  const text = renderPlanText(plan, { color: deps.output.color });
  if (plan.refusal) return refuseAfterProtecting(options, plan, text);
  if (global.dryRun || plan.steps.length === 0) {
    return { data: plan, text: global.dryRun ? `${text}\n\nDry run: nothing was changed.` : text };
  }
  if (!resume) {
    const pending = await readJournal(options.appDir);
    if (pending && pending.status !== "succeeded") {
      const same = pending.command === plan.command && pending.release.version === plan.to;
      const question = `An earlier ${pending.command} to ${pending.release.version} stopped after ${pending.completedStepIds.length} steps (${pending.status}). Resume it?`;
      if (!same || !(global.yes || (await deps.confirm(question)))) {
        throw new PreflightRefusal(
          "RUN_UNFINISHED",
          `an earlier ${pending.command} to KFP ${pending.release.version} is unfinished (${pending.status}, ${pending.completedStepIds.length} steps done)`,
          {
            hint: "Run `kfp-upgrade resume` to finish it first; check `kfp-upgrade status` for where it stopped.",
          },
        );
      }
      const loaded = await loadPendingRun(options.appDir, options.manifestsDir);
      if (loaded) {
        plan = loaded.plan;
        resume = {
          completed: loaded.completed,
          runId: loaded.journal.runId,
          startedAt: loaded.journal.startedAt,
        };
        for (const warning of loaded.warnings) deps.output.info(`warning: ${warning}`);
        deps.output.info(
          `Resuming run ${resume.runId}: ${resume.completed.size} of ${plan.steps.length} steps are done.`,
        );
      }
    }
  }
  await checkAccess(client, plan);
  if (global.output === "text" && !resume) deps.output.result({ data: plan, text });
  if (!resume && !global.yes && !(await deps.confirm("Apply this plan?"))) {
    throw new UsageError("NOT_CONFIRMED", "the plan was not applied: it needs confirmation", {
      hint: "Answer y on a terminal, or pass --yes (scripts and CI). --dry-run prints the plan only.",
    });
  }
  const hash = planHash(plan);
  const runId = resume?.runId ?? randomUUID();
  const startedAt = resume?.startedAt ?? new Date().toISOString();
  const journal: Journal = {
    runId,
    command: plan.command,
    startedAt,
    planHash: hash,
    planPath: JOURNAL_PLAN_PATH,
    completedStepIds: [...(resume?.completed ?? [])],
    status: "running",
    release: journalRelease(options.release, options.manifestsDir),
  };
  let lock: HeldLock | undefined;
  const takeLock = async () => {
    lock = await acquireLock(client, plan.namespace, {
      runId,
      wait: options.waitForLock ?? false,
      signal: deps.signal,
      onWaiting: (holder) => deps.output.info(`waiting for the lock held by ${holder}`),
    });
  };
  const namespaceExists = plan.steps.every((step) => step.kind !== "ensureNamespace" || step.exists);
  if (namespaceExists || resume) await takeLock();
  let outcome: Outcome = "failed";
  let message = "";
  try {
    await writeJournalPlan(options.appDir, redactSecrets(plan));
    await writeJournal(options.appDir, journal);
    deps.output.event({ type: "plan", plan });
    const result = await runPlan(plan, {
      client,
      journal: fileJournal(options.appDir, journal, async (current) => lock?.annotate(current)),
      emit: (event) => deps.output.event(event),
      timeoutSeconds: global.timeout,
      signal: deps.signal,
      rollback: options.rollback,
      ...(resume ? { completed: resume.completed } : {}),
      saveVolume: async (role, volume) => {
        await saveVolumeDefinition(options.appDir, role, volume);
      },
      afterStep: async (step) => {
        if (step.kind === "ensureNamespace" && !lock) await takeLock();
      },
    });
    outcome = result.outcome;
    await options.onSuccess?.();
    await clearJournal(options.appDir);
    message = `${plan.command} of KFP ${plan.to} succeeded in namespace ${plan.namespace}`;
    deps.output.event({
      type: "result",
      ok: true,
      outcome,
      message,
      bindings: result.bindings,
      apiRequests: client.requestCount(),
    });
    return { data: undefined, text: "" };
  } catch (caught) {
    // The lock is taken once the namespace exists, so a namespace gone or Terminating now went away under the run.
    const deleted = lock ? await namespaceDeletedError(client, plan, caught) : undefined;
    const error = deleted ?? caught;
    outcome = outcomeOf(error);
    message = error instanceof Error ? error.message : String(error);
    await markJournal(options.appDir, outcome === "interrupted" ? "interrupted" : "failed");
    // Nothing in a deleted namespace can be resumed, and `reinstall` would refuse while the journal is unfinished.
    if (outcome === "rolled-back" || deleted) await clearJournal(options.appDir);
    deps.output.event({
      type: "result",
      ok: false,
      outcome,
      message,
      bindings: [],
      apiRequests: client.requestCount(),
    });
    throw error;
  } finally {
    const entry: NewHistoryEntry = {
      command: plan.command,
      user: client.user ?? os.userInfo().username,
      startedAt,
      finishedAt: new Date().toISOString(),
      from: plan.from,
      to: plan.to,
      planHash: hash,
      outcome,
      ...(message ? { message } : {}),
    };
    const recorded = await appendHistory(options.appDir, entry);
    await recordHistoryInCluster(client, plan.namespace, recorded).catch((error: Error) =>
      deps.output.info(
        `warning: the run was not recorded in the namespace's history ConfigMap: ${error.message}`,
      ),
    );
    await lock
      ?.release()
      .catch((error: Error) => deps.output.info(`warning: could not release the lock: ${error.message}`));
  }
}

/**
 * A plan a data rule refused: print it, run only its protective steps (Retain; skipped by --dry-run), record the
 * run as refused, and exit 4. Minimal until the execute layer's runner takes this over.
 */
async function refuseAfterProtecting(
  options: ExecutePlanOptions,
  plan: Plan,
  text: string,
): Promise<CommandResult> {
  const { global, deps, client } = options;
  const refusal = plan.refusal;
  if (!refusal) throw new UsageError("INTERNAL", "refuseAfterProtecting needs a refused plan");
  deps.output.result({ data: plan, text });
  const protective = plan.steps.filter(
    (step) => step.kind === "setReclaimPolicy" || step.kind === "retainClaimVolumes",
  );
  const startedAt = new Date().toISOString();
  const error = new PreflightRefusal(refusal.code, refusal.message, {
    hint: refusal.hint,
    details: refusal.problems.length > 1 ? refusal.problems : [],
  });
  if (global.dryRun || protective.length === 0) throw error;
  await runPlan(
    { ...plan, steps: protective },
    {
      client,
      journal: memoryJournal(),
      emit: (event) => deps.output.event(event),
      timeoutSeconds: global.timeout,
      signal: deps.signal,
      rollback: false,
      saveVolume: async () => {},
    },
  );
  deps.output.event({
    type: "result",
    ok: false,
    outcome: "refused",
    message: refusal.message,
    bindings: [],
    apiRequests: client.requestCount(),
  });
  await appendHistory(options.appDir, {
    command: plan.command,
    user: client.user ?? os.userInfo().username,
    startedAt,
    finishedAt: new Date().toISOString(),
    from: plan.from,
    to: plan.to,
    planHash: planHash(plan),
    outcome: "refused",
    message: refusal.message,
  });
  throw error;
}

/**
 * When someone deletes the namespace mid-run, every later call fails with a 404 or 403 about some object; name the
 * real cause instead. Undefined when the namespace is still there (or cannot be read) or the run was interrupted.
 */
async function namespaceDeletedError(
  client: KubeClient,
  plan: Plan,
  error: unknown,
): Promise<KubeApiError | undefined> {
  if (isKfpError(error) && error.code === "INTERRUPTED") return undefined;
  const namespace = await client
    .get({ apiVersion: "v1", kind: "Namespace", name: plan.namespace })
    .catch(() => undefined);
  if (namespace === undefined || (namespace !== null && !namespace.metadata.deletionTimestamp))
    return undefined;
  return new KubeApiError(
    `namespace "${plan.namespace}" was deleted while this ${plan.command} was running (${namespace === null ? "it is gone" : "it is Terminating"}); the run stopped`,
    {
      code: "NAMESPACE_DELETED",
      cause: error,
      details: [error instanceof Error ? error.message : String(error)],
      hint: "Its claims went with it; data PVs with reclaim policy Retain (kfp-upgrade sets it) keep the data as Released volumes. Once the namespace is gone, `kfp-upgrade reinstall` brings KFP back on them.",
    },
  );
}

function journalRelease(
  release: ExecutePlanOptions["release"],
  manifestsDir: string | null,
): Journal["release"] {
  const manifests = release.manifests ?? manifestsDir ?? undefined;
  return { version: release.version, variant: release.variant, ...(manifests ? { manifests } : {}) };
}

function outcomeOf(error: unknown): Outcome {
  if (!isKfpError(error)) return "failed";
  if (error.code === "INTERRUPTED") return "interrupted";
  if (error.code === "ROLLED_BACK") return "rolled-back";
  return "failed";
}

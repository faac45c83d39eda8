import { randomUUID } from "node:crypto";
import os from "node:os";
import {
  DryRunRefused,
  Interrupted,
  isKfpError,
  type KfpError,
  KubeApiError,
  LockLost,
  PreflightRefusal,
  UsageError,
} from "../errors.js";
import { type InventoryCounts, inventoryCounts } from "../kfp/inventory.js";
import type { KubeClient } from "../kube/kube-client.js";
import type { BackupRecord } from "../model/backup.js";
import type { KubeObject, ObjectRef } from "../model/kube-object.js";
import type { Plan } from "../plan/plan.js";
import { planHash } from "../plan/plan-hash.js";
import { lockAccess } from "../plan/required-access.js";
import type { Step } from "../plan/step.js";
import type { ClassifiedObjects } from "./classified-objects.js";
import type { AppFiles, InventoryAccess } from "./execution-context.js";
import type { ExecutionEvent, Outcome } from "./execution-event.js";
import type { JournalSink } from "./journal-sink.js";
import { memoryJournal } from "./journal-sink.js";
import { acquireLock, type HeldLock, LOCK_NAME, type LockClock, SYSTEM_CLOCK } from "./lease-lock.js";
import { recordHistoryInCluster } from "./record-history-in-cluster.js";
import { runPlan } from "./run-plan.js";

/** The journal record of a run: enough to resume it (with its plan) or to report where it stopped. */
export interface RunRecord {
  runId: string;
  command: Plan["command"];
  startedAt: string;
  planHash: string;
  completedStepIds: string[];
  currentStepId?: string | undefined;
  status: "running" | "failed" | "interrupted" | "succeeded";
}

/** An unfinished run as stored: its record, the plan as journaled (Secrets redacted) and the command's context. */
export interface StoredRun<T> {
  record: RunRecord;
  plan: Plan;
  context: T;
}

export interface HistoryRecord {
  command: Plan["command"];
  user: string;
  startedAt: string;
  finishedAt: string;
  from: string | null;
  to: string;
  planHash: string;
  outcome: Outcome;
  message?: string;
  /** What KFP's API listed at the run's last inventory check. */
  inventory?: InventoryCounts;
  /** The backups the run took before its first change. */
  backups?: BackupRecord[];
}

/**
 * Where a run keeps its state (the CLI backs it with the KFAPP directory). `T` is the command's own context, kept
 * with the journal and given back on resume and on success (e.g. the kfp-app.yaml to write).
 */
export interface RunStore<T> {
  /** The unfinished run's record and target version, without reading its plan; undefined when there is none. */
  unfinished(): Promise<{ record: RunRecord; to: string } | undefined>;
  /** The unfinished run with its journaled plan (throws when the plan cannot be read). */
  load(): Promise<StoredRun<T> | undefined>;
  /** Fills in what the journal leaves out of a plan (Secret values) before it runs again. */
  hydrate(plan: Plan, context: T): Promise<{ plan: Plan; warnings: string[] }>;
  /** Stores the plan (redacted), then the record that names it. */
  begin(run: StoredRun<T>): Promise<void>;
  /** Rewrites the record (atomically): progress and status. */
  save(record: RunRecord): Promise<void>;
  saveBefore(group: number, states: [string, KubeObject | null][]): Promise<void>;
  loadBefore(group: number): Promise<[string, KubeObject | null][] | undefined>;
  clear(): Promise<void>;
  saveVolume(role: "mysql" | "objectStore" | "legacyObjectStore", volume: KubeObject): Promise<void>;
  /** The KFAPP's files (editAppFile steps); a store without them runs no such step. */
  appFiles?: AppFiles;
  /** Appends to the local history; returns the entry as recorded (with its id), which is mirrored in the cluster. */
  appendHistory(entry: HistoryRecord): Promise<unknown>;
  /** After success: e.g. write kfp-app.yaml. */
  succeeded(plan: Plan, context: T): Promise<void>;
}

/** How the run talks to the person (or script) that started it. */
export interface Prompter {
  /** The plan before confirmation (text output only); `done`: steps an earlier run finished. */
  showPlan(plan: Plan, done?: ReadonlySet<string>): void;
  /** A refused plan and why (always shown). */
  showRefusal(plan: Plan): void;
  info(message: string): void;
  event(event: ExecutionEvent): void;
  confirm(question: string): Promise<boolean>;
}

export type RunMode<T> =
  | {
      kind: "fresh";
      namespace: string;
      /** Snapshot and plan, called with the lock held (or read-only for --dry-run). */
      build(client: KubeClient): Promise<{ plan: Plan; context: T }>;
    }
  | { kind: "resume" };

export interface RunCommandOptions<T> {
  client: KubeClient;
  /** KFP's own API, for the plan's verifyInventory steps. */
  inventory?: InventoryAccess | undefined;
  store: RunStore<T>;
  prompter: Prompter;
  mode: RunMode<T>;
  /**
   * Classifies the plan's objects before it is shown (a server-side dry run: `classifyChanges`), adding `changes`;
   * absent: the plan is shown as built (plain `--dry-run`). Throws `DryRunRefused` when the server refuses objects.
   */
  classify?: ((client: KubeClient, plan: Plan) => Promise<Plan>) | undefined;
  /** What `classify` saw of the objects, read when the classified plan runs (see ExecutionContext.classified). */
  classified?: (() => ClassifiedObjects | undefined) | undefined;
  /** RBAC preflight: throws PreflightRefusal naming every missing right. */
  checkAccess(client: KubeClient, plan: Plan): Promise<void>;
  dryRun: boolean;
  yes: boolean;
  waitForLock: boolean;
  /** Restore a failed hop's stateless objects (false: --no-rollback). */
  rollback: boolean;
  /** Create the namespace for the lock when it does not exist (deploy, reinstall); otherwise nothing to lock. */
  createNamespace: boolean;
  timeoutSeconds: number;
  signal: AbortSignal;
  now(): Date;
  clock?: LockClock;
}

export type RunCommandResult =
  | { kind: "nothing-to-resume" }
  | { kind: "dry-run"; plan: Plan; done: ReadonlySet<string>; refusal?: KfpError }
  | { kind: "no-changes"; plan: Plan }
  | { kind: "done"; plan: Plan };

/** Step kinds a refused plan still runs: they only protect data (a PV switched to Retain). */
export const PROTECTIVE_KINDS: ReadonlySet<Step["kind"]> = new Set([
  "setReclaimPolicy",
  "retainClaimVolumes",
]);

/**
 * One run of a mutating command, in this order: lock → snapshot → plan → show → confirm → journal → execute →
 * verify → history. The lock (a Lease, the namespace created for it when missing) comes before the snapshot, so
 * the plan shown and run is computed while no other run can change the namespace; a run that waited for the lock
 * plans after the other one finished. `--dry-run` is read-only: no lock, nothing created.
 */
export async function runCommand<T>(options: RunCommandOptions<T>): Promise<RunCommandResult> {
  const { client, store, prompter, mode } = options;
  let plan: Plan;
  let context: T;
  let namespace: string;
  let resumed: { record: RunRecord; done: ReadonlySet<string> } | undefined;

  if (mode.kind === "resume") {
    const stored = await store.load();
    if (!stored) return { kind: "nothing-to-resume" };
    const expected = stored.record.planHash;
    const actual = planHash(stored.plan);
    if (actual !== expected) {
      throw new PreflightRefusal(
        "PLAN_HASH_MISMATCH",
        `the journaled plan of the unfinished ${stored.record.command} (run ${stored.record.runId}) is not the plan that started: its hash is ${actual}, the journal recorded ${expected}`,
        {
          hint: "The journal was changed since the run started; nothing was changed. Check the cluster with `kfp-upgrade status`, then remove .kfp-upgrade/journal and run the command again.",
        },
      );
    }
    const hydrated = await store.hydrate(stored.plan, stored.context);
    for (const warning of hydrated.warnings) prompter.info(`warning: ${warning}`);
    plan = hydrated.plan;
    context = stored.context;
    namespace = plan.namespace;
    resumed = { record: stored.record, done: new Set(stored.record.completedStepIds) };
    if (options.dryRun) return { kind: "dry-run", plan, done: resumed.done };
  } else {
    namespace = mode.namespace;
    const pending = await store.unfinished();
    if (pending && !options.dryRun) throw unfinishedRun(pending.record, pending.to);
    if (pending) {
      prompter.info(
        `note: an earlier ${pending.record.command} to KFP ${pending.to} is unfinished; \`kfp-upgrade resume\` continues it`,
      );
    }
    if (options.dryRun) {
      const built = await mode.build(client);
      const refusal = built.plan.refusal ? refusalError(built.plan) : undefined;
      const shown =
        options.classify && !refusal && built.plan.steps.length > 0
          ? await options.classify(client, built.plan)
          : built.plan;
      return { kind: "dry-run", plan: shown, done: new Set(), ...(refusal ? { refusal } : {}) };
    }
    // Placeholders until the plan is built under the lock.
    plan = undefined as unknown as Plan;
    context = undefined as unknown as T;
  }

  // A user who may not take the lock learns everything else that is missing too, from a plan built read-only.
  const lockRights = await client.canI(lockAccess(namespace));
  if (lockRights.some((result) => !result.allowed)) {
    await options.checkAccess(client, mode.kind === "fresh" ? (await mode.build(client)).plan : plan);
    throw new PreflightRefusal(
      "RBAC_FORBIDDEN",
      `the current user (${client.user ?? "unknown"}) may not take the lock (a Lease) in namespace "${namespace}"`,
      { hint: "Ask a cluster admin for get, create, update and delete on leases.coordination.k8s.io there." },
    );
  }
  if (mode.kind === "fresh" && options.createNamespace) {
    const existing = await client.get({ apiVersion: "v1", kind: "Namespace", name: namespace });
    if (existing === null) {
      // No namespace, so no other run can hold its lock: a plan the builder refuses is refused here, read-only,
      // before the namespace is created for the lock. The plan that runs is built again under the lock.
      const built = await mode.build(client);
      if (built.plan.steps.length === 0 && !built.plan.refusal)
        return { kind: "no-changes", plan: built.plan };
    }
  }
  const runId = resumed?.record.runId ?? randomUUID();
  const locked = await lockNamespace(options, namespace, runId);
  if (locked.kind === "unavailable") {
    // Nothing to lock (no namespace, or it is going away): a fresh plan is built read-only and refuses with the
    // builder's own words; a resumed run cannot continue in a namespace that is gone.
    if (mode.kind === "fresh") await mode.build(client);
    else if (locked.error.code === "NOT_INSTALLED") {
      throw new PreflightRefusal(
        "NAMESPACE_GONE",
        `the unfinished ${plan.command} cannot continue: namespace "${namespace}" does not exist any more`,
        {
          hint: "Nothing of that run can be resumed. Remove .kfp-upgrade/journal, then run `kfp-upgrade reinstall` to bring KFP back on its volumes.",
        },
      );
    }
    throw locked.error;
  }
  const { lock } = locked;
  let createdNamespace = locked.createdNamespace;
  let changed = false;
  // The last inventory a verifyInventory step read goes, as counts, into the run's history entry.
  let counts: InventoryCounts | undefined;
  const reader = options.inventory;
  const inventory: InventoryAccess | undefined = reader && {
    read: (step) => reader.read(step),
    async record(read) {
      await reader.record(read);
      counts = inventoryCounts(read);
    },
  };
  const backups: BackupRecord[] = [];
  let historyOutcome: Outcome | undefined;
  let historyMessage = "";
  let startedAt = resumed?.record.startedAt ?? options.now().toISOString();
  try {
    if (mode.kind === "fresh") {
      const built = await mode.build(client);
      plan = createdNamespace ? namespaceCreatedByRun(built.plan) : built.plan;
      context = built.context;
      startedAt = options.now().toISOString();
    }
    if (plan.refusal) {
      prompter.showRefusal(plan);
      const protective = plan.steps.filter((step) => PROTECTIVE_KINDS.has(step.kind));
      historyOutcome = "refused";
      historyMessage = plan.refusal.message;
      if (protective.length > 0) {
        await options.checkAccess(client, { ...plan, steps: protective });
        prompter.event({ type: "plan", plan: { ...plan, steps: protective } });
        await runPlan(
          { ...plan, steps: protective },
          {
            client,
            journal: memoryJournal(),
            emit: (event) => prompter.event(event),
            timeoutSeconds: options.timeoutSeconds,
            signal: options.signal,
            rollback: false,
            saveVolume: (role, volume) => store.saveVolume(role, volume),
            beforeStep: (step) => lock.assertHeld(`step ${step.id}`),
          },
        );
      }
      prompter.event({
        type: "result",
        ok: false,
        outcome: "refused",
        message: plan.refusal.message,
        bindings: [],
        apiRequests: client.requestCount(),
      });
      throw refusalError(plan);
    }
    if (plan.steps.length === 0) return { kind: "no-changes", plan };
    const done = resumed?.done ?? new Set<string>();
    // A dry run needs the rights the write needs: they are checked first, then the plan is classified and shown.
    const classifyFirst = mode.kind === "fresh" && options.classify !== undefined;
    if (classifyFirst && options.classify) {
      await options.checkAccess(client, plan);
      try {
        plan = await options.classify(client, plan);
      } catch (error) {
        if (!(error instanceof DryRunRefused)) throw error;
        // Refused before anything changed: recorded in the history like a hop the dry run refused.
        historyOutcome = "refused";
        historyMessage = error.message;
        prompter.event({
          type: "result",
          ok: false,
          outcome: "refused",
          message: error.message,
          bindings: [],
          apiRequests: client.requestCount(),
        });
        throw error;
      }
    }
    prompter.showPlan(plan, resumed ? done : undefined);
    if (resumed) {
      prompter.info(
        `Resuming ${plan.command} to KFP ${plan.to} (run ${resumed.record.runId}): ${done.size} of ${plan.steps.length} steps are done.`,
      );
    }
    if (!classifyFirst) await options.checkAccess(client, plan);
    const question = resumed
      ? `Continue this ${plan.command} from its first unfinished step?`
      : "Apply this plan?";
    if (!options.yes && !(await options.prompter.confirm(question))) {
      throw new UsageError("NOT_CONFIRMED", "the plan was not applied: it needs confirmation", {
        hint: "Answer y on a terminal, or pass --yes (scripts and CI). --dry-run prints the plan only.",
      });
    }

    // From here on the run changes the cluster: the namespace stays, whatever happens.
    changed = true;
    createdNamespace = false;
    let record: RunRecord = {
      runId,
      command: plan.command,
      startedAt,
      planHash: resumed?.record.planHash ?? planHash(plan),
      completedStepIds: [...done],
      status: "running",
    };
    // The Lease mirrors the journal as each step completes; a step's start is journalled locally only, which
    // halves the Lease writes (each a read and an update) of a run.
    const save = async (next: RunRecord, mirror = true) => {
      record = next;
      await store.save(record);
      if (!mirror) return;
      await lock.annotate(record).catch((error: unknown) => {
        if (error instanceof LockLost) throw error;
        prompter.info(`warning: the journal was not mirrored on the lock: ${messageOf(error)}`);
      });
    };
    if (resumed) await save(record);
    else {
      await store.begin({ record, plan, context });
      await save(record);
    }
    const sink: JournalSink = {
      stepStarted: (stepId) => save({ ...record, currentStepId: stepId }, false),
      stepCompleted: (stepId) =>
        save({ ...record, completedStepIds: [...record.completedStepIds, stepId], currentStepId: undefined }),
      saveBefore: (group, states) => store.saveBefore(group, states),
      loadBefore: (group) => store.loadBefore(group),
    };
    prompter.event({ type: "plan", plan });
    try {
      const result = await runPlan(plan, {
        client,
        journal: sink,
        emit: (event) => prompter.event(event),
        timeoutSeconds: options.timeoutSeconds,
        signal: options.signal,
        rollback: options.rollback,
        completed: done,
        saveVolume: (role, volume) => store.saveVolume(role, volume),
        appFiles: store.appFiles,
        inventory: inventory,
        recordBackup: (backup) => backups.push(backup),
        classified: classifyFirst ? options.classified?.() : undefined,
        beforeStep: (step) => lock.assertHeld(`step ${step.id}`),
      });
      historyOutcome = result.outcome;
      await store.succeeded(plan, context);
      await store.clear();
      historyMessage = `${plan.command} of KFP ${plan.to} succeeded in namespace ${plan.namespace}`;
      prompter.event({
        type: "result",
        ok: true,
        outcome: result.outcome,
        message: historyMessage,
        bindings: result.bindings,
        apiRequests: client.requestCount(),
      });
      return { kind: "done", plan };
    } catch (caught) {
      const deleted = await namespaceDeletedError(client, plan, caught);
      const error = deleted ?? (caught instanceof DryRunRefused ? refusedHop(plan, caught) : caught);
      historyOutcome = outcomeOf(error);
      historyMessage = messageOf(error);
      await store.save({ ...record, status: historyOutcome === "interrupted" ? "interrupted" : "failed" });
      // A rolled-back run is over; a hop the dry run refused never started (nothing to resume: the next command
      // plans afresh); nothing in a deleted namespace can be resumed (and `reinstall` would refuse while the journal
      // is unfinished). A run that failed forward keeps its journal: `resume` continues forward.
      if (historyOutcome === "rolled-back" || historyOutcome === "refused" || deleted) await store.clear();
      prompter.event({
        type: "result",
        ok: false,
        outcome: historyOutcome,
        message: historyMessage,
        bindings: [],
        apiRequests: client.requestCount(),
      });
      throw error;
    }
  } finally {
    if (historyOutcome !== undefined) {
      const hash = resumed?.record.planHash ?? planHash(plan);
      await recordHistory(
        options,
        plan,
        hash,
        startedAt,
        historyOutcome,
        historyMessage,
        createdNamespace,
        counts,
        backups,
      );
    }
    if (createdNamespace && !changed) {
      // The namespace existed only for the lock and the run changed nothing in it: leave the cluster as it was.
      await deleteNamespaceAndWait(client, namespace, options.clock ?? SYSTEM_CLOCK).catch((error: unknown) =>
        prompter.info(
          `warning: could not delete namespace "${namespace}", created for the lock: ${messageOf(error)}`,
        ),
      );
    }
    await lock
      .release()
      .catch((error: unknown) => prompter.info(`warning: could not release the lock: ${messageOf(error)}`));
  }
}

async function recordHistory<T>(
  options: RunCommandOptions<T>,
  plan: Plan,
  hash: string,
  startedAt: string,
  outcome: Outcome,
  message: string,
  namespaceGoesAway: boolean,
  inventory: InventoryCounts | undefined,
  backups: BackupRecord[],
): Promise<void> {
  const { client, store, prompter } = options;
  const entry: HistoryRecord = {
    command: plan.command,
    user: client.user ?? os.userInfo().username,
    startedAt,
    finishedAt: options.now().toISOString(),
    from: plan.from,
    to: plan.to,
    planHash: hash,
    outcome,
    ...(message ? { message } : {}),
    ...(inventory ? { inventory } : {}),
    ...(backups.length > 0 ? { backups } : {}),
  };
  const recorded = await store.appendHistory(entry);
  if (namespaceGoesAway) return;
  await recordHistoryInCluster(client, plan.namespace, recorded).catch((error: unknown) =>
    prompter.info(
      `warning: the run was not recorded in the namespace's history ConfigMap: ${messageOf(error)}`,
    ),
  );
}

type Locked =
  | { kind: "held"; lock: HeldLock; createdNamespace: boolean }
  | { kind: "unavailable"; error: KfpError };

/**
 * Takes the Lease, creating the namespace first when it is missing and the command installs into it. A Terminating
 * namespace is refused (or, with --wait-for-lock, waited for until it is gone). A namespace that disappears while
 * we wait for the lock (the holder created it only for its lock, then deleted it) is created again.
 */
async function lockNamespace<T>(
  options: RunCommandOptions<T>,
  namespace: string,
  runId: string,
): Promise<Locked> {
  const { client, prompter } = options;
  const clock = options.clock ?? SYSTEM_CLOCK;
  const ref: ObjectRef = { apiVersion: "v1", kind: "Namespace", name: namespace };
  let created = false;
  // Once another run held the lock, the namespace holds its work: never ours to delete again, whoever created it.
  let waitedForAnotherRun = false;
  for (;;) {
    const existing = await client.get(ref);
    if (existing?.metadata.deletionTimestamp || phaseOf(existing) === "Terminating") {
      if (!options.waitForLock) {
        return {
          kind: "unavailable",
          error: new PreflightRefusal("NAMESPACE_TERMINATING", `namespace "${namespace}" is Terminating`, {
            hint: "Wait until it is gone (`kubectl get namespace`), then run the command again; nothing was changed.",
          }),
        };
      }
      prompter.info(`waiting for namespace "${namespace}" to finish terminating`);
      await clock.sleep(2000, options.signal).catch((error: unknown) => {
        throw interruptedWaiting(namespace, error);
      });
      continue;
    }
    if (existing === null) {
      if (!options.createNamespace) {
        return {
          kind: "unavailable",
          error: new PreflightRefusal(
            "NOT_INSTALLED",
            `no KFP install found in namespace "${namespace}" (the namespace does not exist)`,
            {
              hint: "Use `kfp-upgrade deploy` for a first install, or `kfp-upgrade reinstall` to re-attach old volumes.",
            },
          ),
        };
      }
      try {
        await client.create({
          apiVersion: "v1",
          kind: "Namespace",
          metadata: { name: namespace },
        });
        created = true;
      } catch (error) {
        // Another run created it in the meantime: it is theirs, and we lock it like any existing namespace.
        if (!(error instanceof KubeApiError && error.statusCode === 409)) throw error;
      }
    }
    try {
      const lock = await acquireLock(client, namespace, {
        runId,
        wait: options.waitForLock,
        signal: options.signal,
        ...(options.clock ? { clock: options.clock } : {}),
        onWaiting: (holder) => {
          waitedForAnotherRun = true;
          prompter.info(`waiting for the lock held by ${holder}`);
        },
        onRenewFailure: (error, count) =>
          prompter.event({
            type: "warning",
            message: `renewing the lock failed (${count} so far): ${messageOf(error)}`,
          }),
      });
      return { kind: "held", lock, createdNamespace: created && !waitedForAnotherRun };
    } catch (error) {
      const now = await client.get(ref).catch(() => undefined);
      const gone = now === null || (now !== undefined && phaseOf(now) === "Terminating");
      if (error instanceof KubeApiError && gone && options.waitForLock) {
        created = false;
        continue;
      }
      if (created && !gone) await removeUnlockedNamespace(client, namespace);
      throw error;
    }
  }
}

/**
 * Deletes the namespace created for the lock (its Lease goes with it, so no other run can take the lock in between)
 * and waits a little for it to be gone, so a refused run leaves the cluster as it found it.
 */
async function deleteNamespaceAndWait(
  client: KubeClient,
  namespace: string,
  clock: LockClock,
): Promise<void> {
  const ref: ObjectRef = { apiVersion: "v1", kind: "Namespace", name: namespace };
  const foreign = await objectsNotOurs(client, namespace);
  if (foreign.length > 0) {
    throw new Error(`it holds ${foreign.join(", ")}, which this run did not create; it was left as it is`);
  }
  await client.delete(ref);
  const never = new AbortController().signal;
  for (let waited = 0; waited < 30_000; waited += 500) {
    if ((await client.get(ref)) === null) return;
    await clock.sleep(500, never);
  }
}

/**
 * What a namespace created only for the lock should not hold: a second guard, so that whatever the lock's history,
 * a refused run never deletes a namespace another run installed into (its claims would go with it).
 */
async function objectsNotOurs(client: KubeClient, namespace: string): Promise<string[]> {
  const kinds: [string, string][] = [
    ["v1", "PersistentVolumeClaim"],
    ["apps/v1", "Deployment"],
    ["apps/v1", "StatefulSet"],
    ["v1", "ConfigMap"],
  ];
  const lists = await Promise.all(
    kinds.map(([apiVersion, kind]) => client.listMetadata(apiVersion, kind, { namespace })),
  );
  return lists
    .flat()
    .filter((object) => !(object.kind === "ConfigMap" && object.metadata.name === "kube-root-ca.crt"))
    .map((object) => `${object.kind}/${object.metadata.name}`);
}

/** A namespace this run created for its lock, and nobody locked: removed again (best effort). */
async function removeUnlockedNamespace(client: KubeClient, namespace: string): Promise<void> {
  const lease = await client
    .get({ apiVersion: "coordination.k8s.io/v1", kind: "Lease", name: LOCK_NAME, namespace })
    .catch(() => undefined);
  if (lease !== null) return;
  await client.delete({ apiVersion: "v1", kind: "Namespace", name: namespace }).catch(() => undefined);
}

function phaseOf(object: KubeObject | null): string | undefined {
  return (object?.status as { phase?: string } | undefined)?.phase;
}

function interruptedWaiting(namespace: string, cause: unknown): KfpError {
  return new Interrupted(`interrupted while waiting for namespace "${namespace}" to finish terminating`, {
    hint: "Nothing was changed. Run the command again once the namespace is gone.",
    cause,
  });
}

/** The plan as shown when the namespace exists only because this run created it for its lock. */
function namespaceCreatedByRun(plan: Plan): Plan {
  return {
    ...plan,
    steps: plan.steps.map((step) =>
      step.kind === "ensureNamespace" && step.name === plan.namespace ? { ...step, exists: false } : step,
    ),
  };
}

function unfinishedRun(record: RunRecord, to: string): PreflightRefusal {
  return new PreflightRefusal(
    "RUN_UNFINISHED",
    `an earlier ${record.command} to KFP ${to} is unfinished (${record.status}, ${record.completedStepIds.length} steps done)`,
    {
      hint: "Run `kfp-upgrade resume` to finish it first (it shows the remaining plan and asks); check `kfp-upgrade status` for where it stopped.",
    },
  );
}

/** The dry run's refusal, with what the cluster is left at: the run ends there, as refused. */
function refusedHop(plan: Plan, error: DryRunRefused): DryRunRefused {
  const hop = error.hop ?? 1;
  const previous = plan.hops[hop - 2];
  const state =
    hop <= 1 || !previous
      ? "nothing but protective and bookkeeping steps ran before it (volumes set to Retain, field ownership moved to kfp-upgrade); no object of the release was changed"
      : `hop${hop > 2 ? "s" : ""} 1${hop > 2 ? `-${hop - 1}` : ""} completed and the cluster is at KFP ${previous.to}; hop ${hop} (to ${plan.hops[hop - 1]?.to ?? plan.to}) was not started`;
  return new DryRunRefused(`${error.message}: ${state}`, {
    hop: error.hop,
    details: error.details,
    ...(error.hint === undefined ? {} : { hint: error.hint }),
    cause: error,
  });
}

function refusalError(plan: Plan): PreflightRefusal {
  const refusal = plan.refusal;
  if (!refusal) throw new Error("refusalError needs a refused plan");
  return new PreflightRefusal(refusal.code, refusal.message, {
    details: refusal.problems,
    hint: refusal.hint,
  });
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
      details: [messageOf(error)],
      hint: "Its claims went with it; data PVs with reclaim policy Retain (kfp-upgrade sets it) keep the data as Released volumes. Once the namespace is gone, `kfp-upgrade reinstall` brings KFP back on them.",
    },
  );
}

function outcomeOf(error: unknown): Outcome {
  if (!isKfpError(error)) return "failed";
  if (error.code === "INTERRUPTED") return "interrupted";
  if (error.code === "ROLLED_BACK") return "rolled-back";
  if (error.code === "FAILED_FORWARD") return "failed-forward";
  if (error instanceof DryRunRefused) return "refused";
  return "failed";
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

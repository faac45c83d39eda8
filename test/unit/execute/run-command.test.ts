import { describe, expect, it } from "vitest";
import { defaultApp, type KfpApp } from "../../../src/app/kfp-app.js";
import { DryRunRefused, FailedForward, PreflightRefusal } from "../../../src/errors.js";
import { classifyChanges } from "../../../src/execute/classify-changes.js";
import type { ExecutionEvent } from "../../../src/execute/execution-event.js";
import { LOCK_NAME, type LockClock } from "../../../src/execute/lease-lock.js";
import {
  type HistoryRecord,
  type Prompter,
  type RunCommandOptions,
  type RunRecord,
  type RunStore,
  runCommand,
  type StoredRun,
} from "../../../src/execute/run-command.js";
import type { KfpInventory } from "../../../src/kfp/inventory.js";
import type { KubeClient } from "../../../src/kube/kube-client.js";
import { takeSnapshot } from "../../../src/kube/take-snapshot.js";
import type { KubeObject, ObjectRef } from "../../../src/model/kube-object.js";
import { buildDeployPlan } from "../../../src/plan/build-deploy-plan.js";
import type { Plan } from "../../../src/plan/plan.js";
import { withBackupStep } from "../../../src/plan/plan-backup.js";
import { planHash } from "../../../src/plan/plan-hash.js";
import type { InventoryBaseline } from "../../../src/plan/step.js";
import {
  DEFAULT_SERVED_API_VERSIONS,
  FakeKubeClient,
  type FakeReactor,
} from "../../support/fake-kube-client.js";
import { catalogueRelease } from "../../support/manifests.js";
import {
  bindNamedClaims,
  hostPathVolume,
  NS,
  rollOut,
  tinyReleaseObjects,
  writes,
} from "./executor-fixtures.js";

const NOW = new Date("2026-01-02T03:04:05Z");
const APP: KfpApp = {
  ...defaultApp(NS),
  storage: { mysql: { pvName: "kfp-mysql" }, objectStore: { pvName: "kfp-minio" } },
};
const LEASE: ObjectRef = {
  apiVersion: "coordination.k8s.io/v1",
  kind: "Lease",
  name: LOCK_NAME,
  namespace: NS,
};
const NAMESPACE: ObjectRef = { apiVersion: "v1", kind: "Namespace", name: NS };
const FOREIGN_HOLDER = "someone@elsewhere pid 1 run other";

/** An honest in-memory RunStore: what the CLI keeps in the KFAPP directory. */
class MemoryStore implements RunStore<string> {
  stored: StoredRun<string> | undefined;
  records: RunRecord[] = [];
  history: HistoryRecord[] = [];
  before = new Map<number, [string, KubeObject | null][]>();
  succeededWith: string | undefined;

  async unfinished() {
    const run = this.stored;
    if (!run || run.record.status === "succeeded") return undefined;
    return { record: run.record, to: run.plan.to };
  }
  async load() {
    return this.stored ? structuredClone(this.stored) : undefined;
  }
  async hydrate(plan: Plan) {
    return { plan, warnings: [] };
  }
  async begin(run: StoredRun<string>) {
    this.stored = structuredClone(run);
  }
  async save(record: RunRecord) {
    this.records.push(structuredClone(record));
    if (this.stored) this.stored.record = structuredClone(record);
  }
  async saveBefore(group: number, states: [string, KubeObject | null][]) {
    this.before.set(group, states);
  }
  async loadBefore(group: number) {
    return this.before.get(group);
  }
  async clear() {
    this.stored = undefined;
    this.before.clear();
  }
  async saveVolume() {}
  async appendHistory(entry: HistoryRecord) {
    this.history.push(entry);
    return { ...entry, id: this.history.length };
  }
  async succeeded(_plan: Plan, context: string) {
    this.succeededWith = context;
  }
}

class RecordingPrompter implements Prompter {
  shown: { plan: Plan; done: string[] | undefined }[] = [];
  refused: Plan[] = [];
  infos: string[] = [];
  events: ExecutionEvent[] = [];
  questions: string[] = [];
  answer = true;
  onInfo: (message: string) => void = () => {};

  showPlan(plan: Plan, done?: ReadonlySet<string>) {
    this.shown.push({ plan, done: done ? [...done] : undefined });
  }
  showRefusal(plan: Plan) {
    this.refused.push(plan);
  }
  info(message: string) {
    this.infos.push(message);
    this.onInfo(message);
  }
  event(event: ExecutionEvent) {
    this.events.push(event);
  }
  async confirm(question: string) {
    this.questions.push(question);
    return this.answer;
  }
}

/** Sleeps advance the monotonic clock instead of waiting. */
function steppingClock(): LockClock & { ms: number } {
  const clock = {
    ms: 0,
    now: () => new Date(NOW.getTime() + clock.ms),
    monotonicMs: () => clock.ms,
    sleep: async (ms: number, signal: AbortSignal) => {
      if (signal.aborted) throw signal.reason;
      clock.ms += ms;
    },
  };
  return clock;
}

function cluster(options: { namespace?: boolean; failing?: string[] } = {}): FakeKubeClient {
  const fake = new FakeKubeClient({ defaultNamespace: NS })
    .seed([hostPathVolume("kfp-mysql"), hostPathVolume("kfp-minio")])
    .react(rollOut(options.failing ?? []))
    .react(bindNamedClaims);
  if (options.namespace) fake.seed([{ apiVersion: "v1", kind: "Namespace", metadata: { name: NS } }]);
  return fake;
}

async function deployPlan(client: KubeClient, image?: string): Promise<Plan> {
  const snapshot = await takeSnapshot(client, { namespace: NS });
  const release = { ...(await catalogueRelease("2.5.0")), objects: tinyReleaseObjects("2.5.0", image) };
  return buildDeployPlan({ app: APP, snapshot, release, command: "deploy", now: NOW });
}

interface Harness {
  fake: FakeKubeClient;
  store: MemoryStore;
  prompter: RecordingPrompter;
  controller: AbortController;
  clock: LockClock & { ms: number };
  /** What the lock looked like each time the plan was built. */
  atBuild: { leaseHolder: string | undefined; namespace: boolean }[];
  options: RunCommandOptions<string>;
}

function harness(fake: FakeKubeClient, overrides: Partial<RunCommandOptions<string>> = {}): Harness {
  const store = new MemoryStore();
  const prompter = new RecordingPrompter();
  const controller = new AbortController();
  const clock = steppingClock();
  const atBuild: Harness["atBuild"] = [];
  return {
    fake,
    store,
    prompter,
    controller,
    clock,
    atBuild,
    options: {
      client: fake,
      store,
      prompter,
      mode: {
        kind: "fresh",
        namespace: NS,
        async build(client) {
          atBuild.push({
            leaseHolder: (fake.peek(LEASE)?.spec as { holderIdentity?: string } | undefined)?.holderIdentity,
            namespace: fake.peek(NAMESPACE) !== null,
          });
          return { plan: await deployPlan(client), context: "app-after-deploy" };
        },
      },
      checkAccess: async () => {},
      dryRun: false,
      yes: true,
      waitForLock: false,
      rollback: true,
      createNamespace: true,
      timeoutSeconds: 5,
      signal: controller.signal,
      now: () => NOW,
      clock,
      ...overrides,
    },
  };
}

const stepStarts = (prompter: RecordingPrompter) =>
  prompter.events.flatMap((event) => (event.type === "step-start" ? [event.stepId] : []));

describe("runCommand: the lock comes first", () => {
  it("takes the Lease (creating the namespace) before the plan is built, and shows the namespace as created", async () => {
    const h = harness(cluster());
    const result = await runCommand(h.options);
    expect(result.kind).toBe("done");
    // A read-only check first (no namespace, so nothing to lock), then the plan that runs, built under the lock.
    expect(h.atBuild).toEqual([
      { leaseHolder: undefined, namespace: false },
      { leaseHolder: expect.stringMatching(/ run [0-9a-f-]+$/), namespace: true },
    ]);
    const shown = h.prompter.shown[0]?.plan.steps[0];
    expect(shown).toMatchObject({ kind: "ensureNamespace", exists: false });
    expect(writes(h.fake).slice(0, 2)).toEqual([
      "create Namespace/kubeflow",
      "create Lease/kfp-upgrade-lock",
    ]);
    expect(h.fake.peek(LEASE)).toBeNull();
    expect(h.fake.peek(NAMESPACE)?.metadata.deletionTimestamp).toBeUndefined();
    expect(h.store.history.map((e) => e.outcome)).toEqual(["succeeded"]);
    expect(h.store.succeededWith).toBe("app-after-deploy");
    expect(h.store.stored).toBeUndefined();
  });

  it("--dry-run takes no lock and creates nothing", async () => {
    const h = harness(cluster(), { dryRun: true });
    const result = await runCommand(h.options);
    expect(result).toMatchObject({ kind: "dry-run" });
    expect(writes(h.fake)).toEqual([]);
    expect(h.atBuild).toEqual([{ leaseHolder: undefined, namespace: false }]);
    expect(h.store.history).toEqual([]);
  });

  it("a lock another run holds: exit 7 before any plan is made", async () => {
    const fake = cluster({ namespace: true });
    fake.seed([lease(FOREIGN_HOLDER, "2026-01-02T03:04:00.000000Z")]);
    const h = harness(fake);
    await expect(runCommand(h.options)).rejects.toMatchObject({ code: "LOCK_HELD", exitCode: 7 });
    expect(h.atBuild).toEqual([]);
    expect(writes(fake)).toEqual([]);
  });

  it("--wait-for-lock plans only after the other run finished, and sees what it did", async () => {
    const fake = cluster({ namespace: true });
    fake.seed([lease(FOREIGN_HOLDER, "2026-01-02T03:04:00.000000Z")]);
    const h = harness(fake, { waitForLock: true });
    let waits = 0;
    h.prompter.onInfo = (message) => {
      if (!message.startsWith("waiting for the lock")) return;
      waits += 1;
      // The other run finishes: it installed a ConfigMap, then released the lock.
      if (waits === 2) {
        fake.seed([
          {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: "pipeline-install-config", namespace: NS },
            data: { appVersion: "2.5.0" },
          },
        ]);
        void fake.delete(LEASE);
      }
    };
    await expect(runCommand(h.options)).rejects.toMatchObject({ code: "PREFLIGHT", exitCode: 4 });
    expect(waits).toBe(2);
    expect(h.atBuild).toHaveLength(1);
    expect(h.atBuild[0]?.leaseHolder).toMatch(/ run [0-9a-f-]+$/);
    expect(stepStarts(h.prompter)).toEqual([]);
  });

  it("a namespace it created but another run locked first (and installed into) is never deleted after a refusal", async () => {
    const fake = cluster();
    // The other run lost the race to create the namespace but won the Lease; it installs, then lets go.
    fake.react((write, f) => {
      if (write.verb === "create" && write.object.kind === "Namespace") {
        f.seed([lease(FOREIGN_HOLDER, "2026-01-02T03:04:00.000000Z")]);
      }
    });
    const h = harness(fake, { waitForLock: true });
    let builds = 0;
    h.prompter.onInfo = (message) => {
      if (!message.startsWith("waiting for the lock")) return;
      fake.seed([
        {
          apiVersion: "v1",
          kind: "PersistentVolumeClaim",
          metadata: { name: "mysql-pv-claim", namespace: NS },
          spec: {},
        },
      ]);
      void fake.delete(LEASE);
    };
    h.options.mode = {
      kind: "fresh",
      namespace: NS,
      build: async (client) => {
        // The first, read-only build finds no namespace; the one under the lock sees the other run's install.
        builds += 1;
        if (builds > 1) throw new PreflightRefusal("ALREADY_INSTALLED", "KFP 2.5.0 is already installed");
        return { plan: await deployPlan(client), context: "x" };
      },
    };
    await expect(runCommand(h.options)).rejects.toMatchObject({ code: "ALREADY_INSTALLED" });
    expect(h.fake.peek(NAMESPACE)?.metadata.deletionTimestamp).toBeUndefined();
    expect(writes(h.fake).filter((w) => w.includes("Namespace/"))).toEqual(["create Namespace/kubeflow"]);
  });

  it("a namespace created for the lock that holds a claim anyway is left alone, with a warning", async () => {
    const h = harness(cluster());
    let builds = 0;
    h.options.mode = {
      kind: "fresh",
      namespace: NS,
      build: async (client) => {
        builds += 1;
        if (builds === 1) return { plan: await deployPlan(client), context: "x" };
        h.fake.seed([
          {
            apiVersion: "v1",
            kind: "PersistentVolumeClaim",
            metadata: { name: "someone-elses", namespace: NS },
            spec: {},
          },
        ]);
        throw new PreflightRefusal("PREFLIGHT", "no");
      },
    };
    await expect(runCommand(h.options)).rejects.toMatchObject({ code: "PREFLIGHT" });
    expect(h.fake.peek(NAMESPACE)?.metadata.deletionTimestamp).toBeUndefined();
    expect(h.prompter.infos.join("\n")).toContain(
      "it holds PersistentVolumeClaim/someone-elses, which this run did not create",
    );
  });

  it.each([
    {
      name: "a plan the builder refuses once the lock is held",
      overrides: (h: Harness): Partial<RunCommandOptions<string>> => ({
        mode: {
          kind: "fresh",
          namespace: NS,
          build: async (client) => {
            h.atBuild.push({ leaseHolder: undefined, namespace: h.fake.peek(NAMESPACE) !== null });
            if (h.atBuild.length > 1) throw new PreflightRefusal("PREFLIGHT", "no");
            return { plan: await deployPlan(client), context: "x" };
          },
        },
      }),
      code: "PREFLIGHT",
    },
    { name: "a plan not confirmed", overrides: () => ({ yes: false }), code: "NOT_CONFIRMED" },
  ])("$name: the namespace created for the lock is deleted again", async ({ overrides, code }) => {
    const h = harness(cluster());
    h.prompter.answer = false;
    await expect(runCommand({ ...h.options, ...overrides(h) })).rejects.toMatchObject({ code });
    expect(h.fake.peek(NAMESPACE)?.metadata.deletionTimestamp).toBeDefined();
    expect(writes(h.fake).filter((w) => !w.includes("Lease/"))).toEqual([
      "create Namespace/kubeflow",
      "delete Namespace/kubeflow",
    ]);
    expect(h.store.stored).toBeUndefined();
  });

  it("a plan refused before the namespace exists is refused read-only: nothing is created", async () => {
    const h = harness(cluster());
    h.options.mode = {
      kind: "fresh",
      namespace: NS,
      build: async () => {
        throw new PreflightRefusal("PREFLIGHT", "no");
      },
    };
    await expect(runCommand(h.options)).rejects.toMatchObject({ code: "PREFLIGHT", exitCode: 4 });
    expect(writes(h.fake)).toEqual([]);
  });

  it("a user who may not take the lock learns every missing right from a read-only plan", async () => {
    const fake = cluster({ namespace: true }).deny({ verb: "create", resource: "leases" });
    const h = harness(fake);
    h.options.checkAccess = async (_client, plan) => {
      throw new PreflightRefusal("RBAC_FORBIDDEN", `lacks rights for ${plan.steps.length} steps`);
    };
    await expect(runCommand(h.options)).rejects.toMatchObject({ code: "RBAC_FORBIDDEN", exitCode: 4 });
    expect(h.atBuild).toEqual([{ leaseHolder: undefined, namespace: true }]);
    expect(writes(fake)).toEqual([]);
  });

  it("an existing namespace is never deleted after a refusal", async () => {
    const h = harness(cluster({ namespace: true }), { yes: false });
    h.prompter.answer = false;
    await expect(runCommand(h.options)).rejects.toMatchObject({ code: "NOT_CONFIRMED", exitCode: 2 });
    expect(h.fake.peek(NAMESPACE)?.metadata.deletionTimestamp).toBeUndefined();
    expect(h.prompter.questions).toEqual(["Apply this plan?"]);
  });

  it("a Terminating namespace is refused without a lock", async () => {
    const fake = cluster({ namespace: true });
    fake.update(NAMESPACE, (ns) => {
      ns.metadata.deletionTimestamp = NOW.toISOString();
      ns.status = { phase: "Terminating" };
    });
    const h = harness(fake);
    await expect(runCommand(h.options)).rejects.toMatchObject({ exitCode: 4 });
    expect(writes(fake)).toEqual([]);
  });
});

describe("runCommand: an unfinished run", () => {
  it("refuses any new plan (RUN_UNFINISHED, exit 4) before touching the cluster", async () => {
    const h = harness(cluster({ namespace: true }));
    h.store.stored = {
      record: record({ status: "interrupted", completedStepIds: ["01-ensureNamespace"] }),
      plan: await deployPlan(h.fake),
      context: "old",
    };
    h.fake.calls.length = 0;
    await expect(runCommand(h.options)).rejects.toMatchObject({
      code: "RUN_UNFINISHED",
      exitCode: 4,
      message: "an earlier deploy to KFP 2.5.0 is unfinished (interrupted, 1 steps done)",
      hint: expect.stringContaining("Run `kfp-upgrade resume` to finish it first"),
    });
    expect(h.atBuild).toEqual([]);
    expect(h.fake.calls).toEqual([]);
  });
});

describe("runCommand: resume", () => {
  async function interrupted(): Promise<{ h: Harness; plan: Plan; done: string[] }> {
    const fake = cluster();
    const plan = await deployPlan(fake);
    const done = plan.steps.slice(0, 1).map((step) => step.id);
    const h = harness(fake, { mode: { kind: "resume" } });
    h.store.stored = {
      record: record({ planHash: planHash(plan), status: "interrupted", completedStepIds: done }),
      plan: JSON.parse(JSON.stringify(plan)),
      context: "journaled-app",
    };
    // The steps the interrupted run did.
    await fake.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
    return { h, plan, done };
  }

  it("shows the plan with the done steps, asks, and runs only what is left", async () => {
    const { h, plan, done } = await interrupted();
    const result = await runCommand({ ...h.options, yes: false });
    expect(result.kind).toBe("done");
    expect(h.prompter.shown).toEqual([{ plan, done }]);
    expect(h.prompter.questions).toEqual(["Continue this deploy from its first unfinished step?"]);
    expect(stepStarts(h.prompter)).toEqual(plan.steps.slice(1).map((step) => step.id));
    expect(h.store.succeededWith).toBe("journaled-app");
    expect(h.store.history).toMatchObject([{ outcome: "succeeded", planHash: planHash(plan) }]);
  });

  it("not confirmed: nothing runs and the journal stays", async () => {
    const { h, done } = await interrupted();
    h.prompter.answer = false;
    await expect(runCommand({ ...h.options, yes: false })).rejects.toMatchObject({ code: "NOT_CONFIRMED" });
    expect(stepStarts(h.prompter)).toEqual([]);
    expect(h.store.stored?.record.completedStepIds).toEqual(done);
  });

  it("refuses a journaled plan whose hash is not the one recorded", async () => {
    const { h } = await interrupted();
    const stored = h.store.stored as StoredRun<string>;
    stored.plan.steps = stored.plan.steps.slice(1);
    await expect(runCommand(h.options)).rejects.toMatchObject({
      code: "PLAN_HASH_MISMATCH",
      exitCode: 4,
      message: expect.stringContaining("is not the plan that started"),
    });
    expect(writes(h.fake).slice(1)).toEqual([]);
  });

  it("nothing to resume", async () => {
    const h = harness(cluster(), { mode: { kind: "resume" } });
    await expect(runCommand(h.options)).resolves.toEqual({ kind: "nothing-to-resume" });
    expect(h.fake.calls).toEqual([]);
  });
});

describe("runCommand: KFP's inventory", () => {
  const INVENTORY: KfpInventory = {
    api: "v2beta1",
    serverTag: "2.0.5",
    multiUser: false,
    namespaces: null,
    experiments: [{ id: "e1", name: "nightly" }],
    pipelines: [{ id: "p1", name: "train" }],
    pipelineVersions: [{ id: "v1", name: "train v1", pipelineId: "p1" }],
    runs: [],
    recurringRuns: [],
  };
  const withCheck = (plan: Plan, baseline: InventoryBaseline): Plan => ({
    ...plan,
    steps: [
      ...plan.steps,
      {
        id: "99-verifyInventory",
        kind: "verifyInventory",
        namespace: NS,
        source: "as recorded in the KFAPP at 2026-01-01T00:00:00.000Z",
        baseline,
      },
    ],
  });
  const BASELINE: InventoryBaseline = {
    experiments: [{ id: "e1", name: "nightly" }],
    pipelines: [],
    pipelineVersions: [],
    runs: [],
    recurringRuns: [],
  };

  it("records the inventory it read and its counts in the run's history entry", async () => {
    const recorded: KfpInventory[] = [];
    const h = harness(cluster(), {
      inventory: { read: async () => INVENTORY, record: async (read) => void recorded.push(read) },
    });
    h.options.mode = {
      kind: "fresh",
      namespace: NS,
      build: async (client) => ({ plan: withCheck(await deployPlan(client), BASELINE), context: "x" }),
    };
    await expect(runCommand(h.options)).resolves.toMatchObject({ kind: "done" });
    expect(recorded).toEqual([INVENTORY]);
    expect(h.store.history).toMatchObject([
      {
        outcome: "succeeded",
        inventory: { experiments: 1, pipelines: 1, pipelineVersions: 1, runs: 0, recurringRuns: 0 },
      },
    ]);
  });

  it("something missing: exit 9, history failed without counts, the journal kept for resume", async () => {
    const h = harness(cluster(), {
      inventory: { read: async () => ({ ...INVENTORY, experiments: [] }), record: async () => {} },
    });
    h.options.mode = {
      kind: "fresh",
      namespace: NS,
      build: async (client) => ({ plan: withCheck(await deployPlan(client), BASELINE), context: "x" }),
    };
    await expect(runCommand(h.options)).rejects.toMatchObject({ code: "INVENTORY_MISSING", exitCode: 9 });
    expect(h.store.history).toHaveLength(1);
    expect(h.store.history[0]).toMatchObject({ outcome: "failed" });
    expect(h.store.history[0]).not.toHaveProperty("inventory");
    expect(h.store.stored?.record.status).toBe("failed");
  });
});

describe("runCommand: outcomes and history", () => {
  it("a failed rollout is rolled back: exit 6, history rolled-back, journal cleared", async () => {
    const failing = "ghcr.io/kubeflow/kfp-api-server:broken";
    const h = harness(cluster({ failing: [failing] }));
    h.options.mode = {
      kind: "fresh",
      namespace: NS,
      build: async (client) => ({ plan: await deployPlan(client, failing), context: "x" }),
    };
    await expect(runCommand(h.options)).rejects.toMatchObject({ code: "ROLLED_BACK", exitCode: 6 });
    expect(h.store.history.map((e) => e.outcome)).toEqual(["rolled-back"]);
    expect(h.store.stored).toBeUndefined();
    expect(h.fake.peek(LEASE)).toBeNull();
  });

  it("failed forward: exit 8, history failed-forward, the journal kept for resume", async () => {
    const fake = cluster();
    fake.react(({ verb, object }) => {
      if (verb === "apply" && object.kind === "Deployment") throw new FailedForward("mysql kept at 8.4");
    });
    const h = harness(fake);
    await expect(runCommand(h.options)).rejects.toMatchObject({ code: "FAILED_FORWARD", exitCode: 8 });
    expect(h.store.history.map((e) => e.outcome)).toEqual(["failed-forward"]);
    expect(h.store.stored?.record.status).toBe("failed");
  });

  it("interrupted: exit 130, the journal kept as interrupted", async () => {
    const fake = cluster();
    const h = harness(fake);
    fake.react(({ verb, object }) => {
      if (verb === "create" && object.kind === "Secret") h.controller.abort(new Error("SIGINT"));
    });
    await expect(runCommand(h.options)).rejects.toMatchObject({ code: "INTERRUPTED", exitCode: 130 });
    expect(h.store.history.map((e) => e.outcome)).toEqual(["interrupted"]);
    expect(h.store.stored?.record.status).toBe("interrupted");
    expect(h.fake.peek(LEASE)).toBeNull();
  });

  it("the namespace deleted mid-run: NAMESPACE_DELETED, the journal dropped", async () => {
    const fake = cluster();
    fake.react(({ verb, object }, self) => {
      if (verb === "create" && object.kind === "Secret") {
        self.update(NAMESPACE, (ns) => {
          ns.metadata.deletionTimestamp = NOW.toISOString();
          ns.status = { phase: "Terminating" };
        });
      }
    });
    const h = harness(fake);
    await expect(runCommand(h.options)).rejects.toMatchObject({
      code: "NAMESPACE_DELETED",
      exitCode: 5,
      message: `namespace "${NS}" was deleted while this deploy was running (it is Terminating); the run stopped`,
    });
    expect(h.store.history.map((e) => e.outcome)).toEqual(["failed"]);
    expect(h.store.stored).toBeUndefined();
  });

  it("a lease taken over mid-run stops the run before its next step (exit 7)", async () => {
    const fake = cluster();
    fake.react(({ verb, object }, self) => {
      if (verb === "create" && object.kind === "Secret") {
        self.update(LEASE, (l) => {
          (l.spec as { holderIdentity: string }).holderIdentity = FOREIGN_HOLDER;
        });
      }
    });
    const h = harness(fake);
    await expect(runCommand(h.options)).rejects.toMatchObject({
      code: "LOCK_LOST",
      exitCode: 7,
      message: expect.stringContaining(`it is now held by ${FOREIGN_HOLDER}`),
    });
    const secretStep = h.prompter.events.find((e) => e.type === "step-start" && e.kind === "createIfAbsent");
    const started = stepStarts(h.prompter);
    expect(started.at(-1)).toBe(secretStep?.type === "step-start" ? secretStep.stepId : "");
    expect(writes(fake).filter((w) => w.startsWith("apply ConfigMap"))).toEqual([]);
    expect(h.store.stored?.record.status).toBe("failed");
    // Not ours any more: left alone.
    expect(holderOf(fake)).toBe(FOREIGN_HOLDER);
  });
});

describe("runCommand: a hop the server-side dry run refuses", () => {
  /** The deploy plan with a dry run before its first apply, and a Deployment the API server refuses (422). */
  function refusedByDryRun(plan: Plan, hop?: number): Plan {
    const applies = plan.steps.filter((step) => step.kind === "applyObjects");
    const first = plan.steps.findIndex((step) => step.kind === "applyObjects");
    const steps = plan.steps.map((step) =>
      step.kind === "applyObjects"
        ? {
            ...step,
            objects: step.objects.map(({ action, object }) =>
              object.kind === "Deployment"
                ? {
                    action,
                    object: {
                      ...object,
                      spec: { ...(object.spec as object), selector: { matchLabels: { x: "y" } } },
                    },
                  }
                : { action, object },
            ),
          }
        : step,
    );
    const dryRun = {
      id: "00-serverDryRun",
      kind: "serverDryRun" as const,
      steps: applies.map((step) => step.id),
      ...(hop ? { hop } : {}),
    };
    return {
      ...plan,
      hops: hop
        ? [
            { from: "2.3.0", to: "2.4.0", strategy: "manifests", reason: "a stop on the way" },
            { from: "2.4.0", to: "2.5.0", strategy: "manifests", reason: "the target release" },
          ]
        : plan.hops,
      steps: [...steps.slice(0, first), dryRun, ...steps.slice(first)],
    };
  }

  it.each([
    {
      name: "a single hop: exit 4, nothing of the release changed, history refused, no journal left",
      hop: undefined,
      state: "nothing but protective and bookkeeping steps ran before it",
    },
    {
      name: "a later hop: the message says the earlier hops completed and where the cluster is",
      hop: 2,
      state: "hop 1 completed and the cluster is at KFP 2.4.0; hop 2 (to 2.5.0) was not started",
    },
  ])("$name", async ({ hop, state }) => {
    const h = harness(cluster());
    h.options.mode = {
      kind: "fresh",
      namespace: NS,
      build: async (client) => ({ plan: refusedByDryRun(await deployPlan(client), hop), context: "x" }),
    };
    const error = await runCommand(h.options).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: "SERVER_DRY_RUN_REJECTED",
      exitCode: 4,
      message: expect.stringContaining(state),
      details: [expect.stringContaining("apply deployment/ml-pipeline -n kubeflow: API server says:")],
    });
    expect(
      h.fake.peek({ apiVersion: "apps/v1", kind: "Deployment", name: "ml-pipeline", namespace: NS }),
    ).toBeNull();
    const applies = h.fake.callsOf("apply");
    expect(applies.length).toBeGreaterThan(0);
    expect(applies.filter((call) => (call.options as { dryRun?: boolean }).dryRun !== true)).toEqual([]);
    expect(h.store.history.map((e) => e.outcome)).toEqual(["refused"]);
    expect(h.store.stored).toBeUndefined();
    expect(h.prompter.events.at(-1)).toMatchObject({ type: "result", ok: false, outcome: "refused" });
    expect(h.prompter.events.filter((event) => event.type === "rollback")).toEqual([]);
    expect(h.fake.peek(LEASE)).toBeNull();
  });
});

describe("runCommand: a refused plan", () => {
  it("runs only its protective steps, without asking, then exits 4 with the refusal; history refused", async () => {
    const fake = cluster({ namespace: true });
    const h = harness(fake, { yes: false });
    h.options.mode = {
      kind: "fresh",
      namespace: NS,
      build: async (client) => {
        const plan = await deployPlan(client);
        plan.refusal = {
          code: "CLAIM_TERMINATING",
          message: "mysql-pv-claim is Terminating",
          problems: ["claim mysql-pv-claim is being deleted"],
          hint: "Wait, then reinstall.",
        };
        return { plan, context: "x" };
      },
    };
    fake.update({ apiVersion: "v1", kind: "PersistentVolume", name: "kfp-mysql" }, (pv) => {
      (pv.spec as { persistentVolumeReclaimPolicy: string }).persistentVolumeReclaimPolicy = "Delete";
    });
    await expect(runCommand(h.options)).rejects.toMatchObject({
      code: "CLAIM_TERMINATING",
      exitCode: 4,
      message: "mysql-pv-claim is Terminating",
      details: ["claim mysql-pv-claim is being deleted"],
      hint: "Wait, then reinstall.",
    });
    expect(h.prompter.questions).toEqual([]);
    expect(h.prompter.refused).toHaveLength(1);
    // The builder's own first protective step: the PV behind the claim switched to Retain.
    expect(stepStarts(h.prompter)).toEqual(["02-setReclaimPolicy"]);
    expect(
      writes(fake).filter((w) => !w.includes("Lease/") && !w.includes("ConfigMap/kfp-upgrade-history")),
    ).toEqual(["patch PersistentVolume/kfp-mysql"]);
    expect(fake.peek({ apiVersion: "v1", kind: "PersistentVolume", name: "kfp-mysql" })?.spec).toMatchObject({
      persistentVolumeReclaimPolicy: "Retain",
    });
    expect(h.store.history).toMatchObject([{ outcome: "refused", message: "mysql-pv-claim is Terminating" }]);
    expect(h.prompter.events.at(-1)).toMatchObject({
      type: "result",
      ok: false,
      outcome: "refused",
      message: "mysql-pv-claim is Terminating",
    });
    expect(h.store.stored).toBeUndefined();
  });

  it("--dry-run returns the refusal and runs nothing", async () => {
    const fake = cluster({ namespace: true });
    const h = harness(fake, { dryRun: true });
    h.options.mode = {
      kind: "fresh",
      namespace: NS,
      build: async (client) => ({
        plan: {
          ...(await deployPlan(client)),
          refusal: { code: "R", message: "m", problems: [], hint: "h" },
        },
        context: "x",
      }),
    };
    const result = await runCommand(h.options);
    expect(result).toMatchObject({ kind: "dry-run", refusal: { code: "R", exitCode: 4 } });
    expect(writes(fake)).toEqual([]);
  });
});

function lease(holder: string, renewTime: string): KubeObject {
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: { name: LOCK_NAME, namespace: NS },
    spec: { holderIdentity: holder, leaseDurationSeconds: 30, acquireTime: renewTime, renewTime },
  };
}

function record(overrides: Partial<RunRecord>): RunRecord {
  return {
    runId: "7d4e6f2a-0000-4000-8000-000000000001",
    command: "deploy",
    startedAt: "2026-01-01T00:00:00Z",
    planHash: "0123456789abcdef",
    completedStepIds: [],
    status: "interrupted",
    ...overrides,
  };
}

function holderOf(client: FakeKubeClient): string | undefined {
  return (client.peek(LEASE)?.spec as { holderIdentity?: string } | undefined)?.holderIdentity;
}

describe("runCommand: backups", () => {
  const SNAPSHOTS = "snapshot.storage.k8s.io/v1";
  /** The snapshot controller: a VolumeSnapshot becomes readyToUse right after it is created. */
  const readySnapshots: FakeReactor = ({ verb, object }, fake) => {
    if (verb !== "create" || object.kind !== "VolumeSnapshot") return;
    setTimeout(() =>
      fake.update(
        { apiVersion: SNAPSHOTS, kind: "VolumeSnapshot", name: object.metadata.name, namespace: NS },
        (o) => {
          o.status = {
            readyToUse: true,
            boundVolumeSnapshotContentName: "snapcontent-1",
            restoreSize: "20Gi",
          };
        },
      ),
    );
  };

  it("runs the backup before any workload and records what it took in the run's history entry", async () => {
    const fake = new FakeKubeClient({
      defaultNamespace: NS,
      servedApiVersions: [...DEFAULT_SERVED_API_VERSIONS, SNAPSHOTS],
    })
      .seed([hostPathVolume("kfp-mysql"), hostPathVolume("kfp-minio")])
      .react(rollOut([]))
      .react(bindNamedClaims)
      .react(readySnapshots);
    const h = harness(fake);
    const target = {
      method: "csi" as const,
      role: "mysql" as const,
      claim: "mysql-pv-claim",
      volume: "kfp-mysql",
      driver: "d",
      snapshotClass: "c",
      name: "kubeflow-mysql-none-to-2.5.0-20260102t030405",
    };
    h.options.mode = {
      kind: "fresh",
      namespace: NS,
      build: async (client) => {
        const snapshot = await takeSnapshot(client, { namespace: NS });
        return {
          plan: withBackupStep(await deployPlan(client), snapshot, [target], "--backup"),
          context: "x",
        };
      },
    };
    await expect(runCommand(h.options)).resolves.toMatchObject({ kind: "done" });
    const started = stepStarts(h.prompter);
    const backupAt = started.findIndex((id) => id.endsWith("backupVolumes"));
    expect(backupAt).toBeGreaterThan(started.findIndex((id) => id.endsWith("ensureClaim")));
    // No step before it starts a program on the data: no Deployment is applied until the backup is ready.
    const shown = h.prompter.shown[0]?.plan.steps ?? [];
    const at = shown.findIndex((step) => step.kind === "backupVolumes");
    const deploymentsBefore = shown
      .slice(0, at)
      .flatMap((step) => (step.kind === "applyObjects" ? step.objects : []))
      .filter(({ object }) => object.kind === "Deployment");
    expect(deploymentsBefore).toEqual([]);
    expect(
      shown
        .slice(at + 1)
        .flatMap((step) => (step.kind === "applyObjects" ? step.objects : []))
        .some(({ object }) => object.kind === "Deployment"),
    ).toBe(true);
    expect(h.store.history).toEqual([
      expect.objectContaining({
        outcome: "succeeded",
        backups: [
          {
            method: "csi",
            role: "mysql",
            claim: "mysql-pv-claim",
            volume: "kfp-mysql",
            namespace: NS,
            snapshot: "kubeflow-mysql-none-to-2.5.0-20260102t030405",
            snapshotClass: "c",
            content: "snapcontent-1",
            restoreSize: "20Gi",
            takenAt: null,
          },
        ],
      }),
    ]);
  });
});

describe("runCommand: the plan is classified before it is shown", () => {
  it("checks the rights, classifies by a server-side dry run under the lock, shows and journals the classified plan", async () => {
    const order: string[] = [];
    const h = harness(cluster(), {
      checkAccess: async () => {
        order.push("checkAccess");
      },
      classify: async (client, plan) => {
        order.push("classify");
        return (await classifyChanges(plan, client)).plan;
      },
    });
    h.prompter.onInfo = () => {};
    const result = await runCommand(h.options);
    expect(result.kind).toBe("done");
    expect(order).toEqual(["checkAccess", "classify"]);
    const shown = h.prompter.shown[0]?.plan;
    expect(shown?.changes?.objects.length).toBeGreaterThan(0);
    expect(new Set(shown?.changes?.objects.map((change) => change.change))).toEqual(new Set(["create"]));
    const planned = h.prompter.events.find((event) => event.type === "plan");
    expect(planned?.type === "plan" ? planned.plan.changes : undefined).toEqual(shown?.changes);
  });

  it("a refusal of the dry run stops the run before any step, leaving the cluster as it was", async () => {
    const h = harness(cluster(), {
      classify: async () => {
        throw new DryRunRefused("the API server refused 1 of the plan's objects in a server-side dry run", {
          details: ["apply service/ml-pipeline -n kubeflow: invalid"],
        });
      },
    });
    await expect(runCommand(h.options)).rejects.toMatchObject({
      code: "SERVER_DRY_RUN_REJECTED",
      exitCode: 4,
    });
    expect(h.prompter.shown).toEqual([]);
    expect(stepStarts(h.prompter)).toEqual([]);
    // The namespace existed only for the lock: it goes again (as for a plan refused under the lock).
    expect(h.fake.peek(NAMESPACE)?.metadata.deletionTimestamp).toBeDefined();
    expect(h.store.history.map((entry) => [entry.outcome, entry.message])).toEqual([
      ["refused", "the API server refused 1 of the plan's objects in a server-side dry run"],
    ]);
    expect(h.prompter.events.at(-1)).toMatchObject({ type: "result", ok: false, outcome: "refused" });
  });

  it("--dry-run with a classifier (--dry-run=server) returns the classified plan and writes nothing", async () => {
    const h = harness(cluster({ namespace: true }), {
      dryRun: true,
      classify: async (client, plan) => (await classifyChanges(plan, client)).plan,
    });
    const result = await runCommand(h.options);
    expect(result.kind === "dry-run" ? result.plan.changes?.objects.length : 0).toBeGreaterThan(0);
    const made = h.fake.calls.filter(
      (call) =>
        ["apply", "create", "replace", "patch", "delete"].includes(call.method) &&
        (call.options as { dryRun?: boolean } | undefined)?.dryRun !== true,
    );
    expect(made).toEqual([]);
  });
});

import { cpSync, existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { NEVER_READY_LABEL, READY_DELAY_ANNOTATION } from "../../local-cluster/kwok-stages.js";
import { derivedManifests, podTemplate } from "../support/derived-manifests.js";
import { eventually, kubectl, kubectlJson, sharedCluster } from "../support/e2e-cluster.js";
import {
  dataState,
  deleteNamespaceAndWait,
  expectDataIntactAndBound,
  type InstalledKfp,
  installKfp,
  tempAppDir,
} from "../support/installed-kfp.js";
import { runCli } from "../support/run-cli.js";
import { rolloutWaitStarted, whenEvent } from "../support/when-event.js";

// Faults in the middle of an upgrade from 2.5.0 to 2.14.4 on seeded data volumes: an API server outage, Ctrl-C,
// SIGKILL, a second run, pods that never become ready, the namespace deleted by someone else. Each ends with the
// same PV UIDs and byte-identical volume contents, and with the install in a state the README documents.

const LOCK = "kfp-upgrade-lock";

/** 2.14.4 whose API server pods become ready 20 s after they start: the rollout wait is long enough to hit. */
function slowTarget(): string {
  return derivedManifests({
    "2.5.0": "shared",
    "2.14.4": { objects: podTemplate("ml-pipeline", { annotations: { [READY_DELAY_ANNOTATION]: "20s" } }) },
  });
}

/** 2.14.4 whose API server pods never become ready (kwok keeps them Running, not Ready). */
function neverReadyTarget(): string {
  return derivedManifests({
    "2.5.0": "shared",
    "2.14.4": { objects: podTemplate("ml-pipeline", { labels: { [NEVER_READY_LABEL]: "true" } }) },
  });
}

interface Deployment {
  metadata: { name: string };
  spec: {
    template: { metadata: { labels?: Record<string, string> }; spec: { containers: { image: string }[] } };
  };
  status: { conditions?: { type: string; status: string }[]; updatedReplicas?: number; replicas?: number };
}

async function deployments(namespace: string): Promise<Deployment[]> {
  return (await kubectlJson<{ items: Deployment[] }>(["get", "deployments", "-n", namespace])).items;
}

/** deployment -> its images, joined. */
async function imagesIn(namespace: string): Promise<Record<string, string>> {
  return Object.fromEntries(
    (await deployments(namespace)).map((d) => [
      d.metadata.name,
      d.spec.template.spec.containers.map((c) => c.image).join(","),
    ]),
  );
}

async function apiServerImage(namespace: string): Promise<string> {
  return (await imagesIn(namespace))["ml-pipeline"] ?? "";
}

async function allAvailable(namespace: string): Promise<true | undefined> {
  const list = await deployments(namespace);
  const ready = list.every(
    (d) =>
      d.status.conditions?.some((c) => c.type === "Available" && c.status === "True") &&
      d.status.updatedReplicas === d.status.replicas,
  );
  return ready ? true : undefined;
}

function appVersion(appDir: string): string {
  return (yaml.load(readFileSync(path.join(appDir, "kfp-app.yaml"), "utf8")) as { version: string }).version;
}

interface JournalFile {
  status: string;
  command: string;
  currentStepId?: string;
  completedStepIds: string[];
}

function journalOf(appDir: string): JournalFile | null {
  const file = path.join(appDir, ".kfp-upgrade", "journal", "journal.json");
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as JournalFile) : null;
}

function lastHistoryEntry(appDir: string): { command: string; outcome: string; message?: string } {
  const lines = readFileSync(path.join(appDir, ".kfp-upgrade", "history.jsonl"), "utf8")
    .trim()
    .split("\n");
  return JSON.parse(lines.at(-1) ?? "{}");
}

async function leaseHolder(namespace: string): Promise<string | null> {
  const out = await kubectl(["get", "lease", LOCK, "-n", namespace, "--ignore-not-found", "-o", "json"]);
  if (out.trim() === "") return null;
  return (JSON.parse(out) as { spec: { holderIdentity?: string } }).spec.holderIdentity ?? "";
}

/** The data survived and is attached: same PV UIDs, same bytes, each claim Bound to its own PV. */
/** A finished upgrade to 2.14.4: API server image, app version, no journal, no lock, data intact and bound. */
async function expectUpgraded(kfp: InstalledKfp): Promise<void> {
  expect(await apiServerImage(kfp.namespace)).toBe("ghcr.io/kubeflow/kfp-api-server:2.14.4");
  await eventually(`every Deployment in ${kfp.namespace} available`, () => allAvailable(kfp.namespace));
  expect(appVersion(kfp.appDir)).toBe("2.14.4");
  expect(journalOf(kfp.appDir)).toBeNull();
  expect(await leaseHolder(kfp.namespace)).toBeNull();
  expect(lastHistoryEntry(kfp.appDir)).toMatchObject({ command: "upgrade", outcome: "succeeded" });
  await expectDataIntactAndBound(kfp);
}

function log(line: string): void {
  console.log(`[faults] ${line}`);
}

describe("faults during an upgrade", () => {
  it("the API server stopped for 10 s during the rollout wait: the run rides it out and completes", async () => {
    const kfp = await installKfp({ prefix: "fault-api-wait", versions: ["2.5.0"], manifests: slowTarget() });
    const cluster = await sharedCluster();
    let cliAliveAtRestart = false;
    const trigger = whenEvent(rolloutWaitStarted, async (child) => {
      await cluster.stopApiServer();
      try {
        await sleep(10_000);
      } finally {
        await cluster.startApiServer();
      }
      cliAliveAtRestart = child.exitCode === null && child.signalCode === null;
    });

    const started = performance.now();
    const run = await runCli(["upgrade", "--tag", "2.14.4"], {
      appDir: kfp.appDir,
      onSpawn: trigger.onSpawn,
    });
    await trigger.done();
    log(
      `API server down during the wait: exit ${run.exitCode} after ${((performance.now() - started) / 1000).toFixed(1)}s`,
    );

    expect(run.exitCode, run.stderr).toBe(0);
    expect(cliAliveAtRestart).toBe(true);
    expect(run.result).toMatchObject({ ok: true, outcome: "succeeded" });
    await expectUpgraded(kfp);
  });

  it("the API server stopped for 10 s before the first write: the writes are retried and the run completes", async () => {
    const kfp = await installKfp({ prefix: "fault-api-write", versions: ["2.5.0"] });
    const cluster = await sharedCluster();
    let cliAliveAtRestart = false;
    const trigger = whenEvent(
      (event) => event.type === "plan",
      async (child) => {
        await cluster.stopApiServer();
        try {
          await sleep(10_000);
        } finally {
          await cluster.startApiServer();
        }
        cliAliveAtRestart = child.exitCode === null && child.signalCode === null;
      },
    );

    const started = performance.now();
    const run = await runCli(["upgrade", "--tag", "2.14.4"], {
      appDir: kfp.appDir,
      onSpawn: trigger.onSpawn,
    });
    await trigger.done();
    log(
      `API server down at the first write: exit ${run.exitCode} after ${((performance.now() - started) / 1000).toFixed(1)}s`,
    );

    expect(run.exitCode, run.stderr).toBe(0);
    expect(cliAliveAtRestart).toBe(true);
    expect(run.events.filter((e) => e.type === "step-end").every((e) => e.ok === true)).toBe(true);
    await expectUpgraded(kfp);
  });

  it("SIGINT during the rollout wait exits 130 with the journal kept and the lock released; resume completes", async () => {
    const kfp = await installKfp({ prefix: "fault-sigint", versions: ["2.5.0"], manifests: slowTarget() });
    const trigger = whenEvent(rolloutWaitStarted, (child) => {
      child.kill("SIGINT");
    });

    const run = await runCli(["upgrade", "--tag", "2.14.4"], {
      appDir: kfp.appDir,
      onSpawn: trigger.onSpawn,
    });
    const waitStep = String((await trigger.done()).stepId);
    log(`SIGINT during ${waitStep}: exit ${run.exitCode}`);

    expect(run.exitCode, run.stderr).toBe(130);
    expect(run.stderr).toContain(`error: interrupted during step ${waitStep}`);
    expect(run.stderr).toContain("hint: Run `kfp-upgrade resume` to continue from this step.");
    expect(run.result).toMatchObject({ ok: false, outcome: "interrupted" });
    const journal = journalOf(kfp.appDir);
    expect(journal).toMatchObject({ command: "upgrade", status: "interrupted", currentStepId: waitStep });
    expect(journal?.completedStepIds).not.toContain(waitStep);
    expect(await leaseHolder(kfp.namespace)).toBeNull();
    expect(lastHistoryEntry(kfp.appDir)).toMatchObject({ command: "upgrade", outcome: "interrupted" });
    expect(appVersion(kfp.appDir)).toBe("2.5.0");
    await expectDataIntactAndBound(kfp);

    const resumed = await runCli(["resume"], { appDir: kfp.appDir });
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(
      /Resuming upgrade to KFP 2\.14\.4 \(run [0-9a-f-]+\): \d+ of \d+ steps are done\./,
    );
    const started = resumed.events.filter((e) => e.type === "step-start").map((e) => e.stepId);
    expect(started[0]).toBe(waitStep);
    for (const done of journal?.completedStepIds ?? []) expect(started).not.toContain(done);
    await expectUpgraded(kfp);
  });

  it("SIGKILL during the rollout wait: resume is locked out until the dead run's lease expires, then completes", async () => {
    const kfp = await installKfp({ prefix: "fault-sigkill", versions: ["2.5.0"], manifests: slowTarget() });
    const trigger = whenEvent(rolloutWaitStarted, (child) => {
      child.kill("SIGKILL");
    });

    const run = await runCli(["upgrade", "--tag", "2.14.4"], {
      appDir: kfp.appDir,
      onSpawn: trigger.onSpawn,
    });
    const waitStep = String((await trigger.done()).stepId);
    const pid = trigger.child?.pid;
    expect(trigger.child?.signalCode).toBe("SIGKILL");
    expect(run.result).toBeUndefined();
    // Every step the run reported finished was journaled first; the kill may land before waitStep is marked current.
    const finished = run.events.filter((e) => e.type === "step-end" && e.ok === true).map((e) => e.stepId);
    expect(finished.length).toBeGreaterThan(0);
    expect(journalOf(kfp.appDir)).toMatchObject({ status: "running", completedStepIds: finished });
    expect(await leaseHolder(kfp.namespace)).toContain(`pid ${pid} run `);

    const locked = await runCli(["resume"], { appDir: kfp.appDir });
    log(`resume right after SIGKILL: exit ${locked.exitCode}`);
    expect(locked.exitCode, locked.stderr).toBe(7);
    expect(locked.stderr).toContain(
      `error: another kfp-upgrade run holds the lock on namespace "${kfp.namespace}": `,
    );
    expect(locked.stderr).toContain(`pid ${pid} run `);
    expect(locked.stderr).toContain("--wait-for-lock");
    expect(journalOf(kfp.appDir)).toMatchObject({ status: "running", completedStepIds: finished });

    const started = performance.now();
    const resumed = await runCli(["resume", "--wait-for-lock"], { appDir: kfp.appDir });
    log(
      `resume --wait-for-lock: exit ${resumed.exitCode} after ${((performance.now() - started) / 1000).toFixed(1)}s`,
    );
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`waiting for the lock held by `);
    expect(resumed.stderr).toContain(`pid ${pid} run `);
    expect(resumed.events.find((e) => e.type === "step-start")?.stepId).toBe(waitStep);
    await expectUpgraded(kfp);
  });

  it("two upgrades started together: exactly one proceeds, the other exits 7 naming the holder", async () => {
    const kfp = await installKfp({ prefix: "fault-twice", versions: ["2.5.0"], manifests: slowTarget() });
    // A second operator with their own copy of the KFAPP.
    const otherAppDir = await tempAppDir();
    cpSync(kfp.appDir, otherAppDir, { recursive: true });
    const pids = new Map<string, number | undefined>();
    const upgrade = (appDir: string) =>
      runCli(["upgrade", "--tag", "2.14.4"], {
        appDir,
        onSpawn: (child) => pids.set(appDir, child.pid),
      });

    const runs = await Promise.all([upgrade(kfp.appDir), upgrade(otherAppDir)]);
    log(`two concurrent upgrades: exits ${runs.map((r) => r.exitCode).join(", ")}`);

    expect(runs.map((r) => r.exitCode).sort()).toEqual([0, 7]);
    const winner = runs[0]?.exitCode === 0 ? 0 : 1;
    const winnerDir = [kfp.appDir, otherAppDir][winner] ?? "";
    const loserDir = [kfp.appDir, otherAppDir][1 - winner] ?? "";
    const loser = runs[1 - winner];
    expect(loser?.stderr).toContain(
      `error: another kfp-upgrade run holds the lock on namespace "${kfp.namespace}": `,
    );
    expect(loser?.stderr).toContain(`pid ${pids.get(winnerDir)} run `);
    expect(loser?.events.filter((e) => e.type === "step-start")).toEqual([]);
    expect(journalOf(loserDir)).toBeNull();
    expect(appVersion(loserDir)).toBe("2.5.0");
    await expectUpgraded({ ...kfp, appDir: winnerDir });
  });

  it("a target whose API server never becomes ready fails forward (exit 8): MySQL 8.4 and the API server kept, the rest restored; resume continues forward", async () => {
    const kfp = await installKfp({
      prefix: "fault-never",
      versions: ["2.5.0"],
      manifests: neverReadyTarget(),
    });
    const before = await imagesIn(kfp.namespace);
    expect(before["ml-pipeline"]).toBe("ghcr.io/kubeflow/kfp-api-server:2.5.0");
    expect(before.mysql).toBe("gcr.io/ml-pipeline/mysql:8.0.26");

    const run = await runCli(["--timeout", "20", "upgrade", "--tag", "2.14.4"], { appDir: kfp.appDir });
    log(`never-ready target: exit ${run.exitCode}`);
    // MySQL 8.4 became Available first (its own phase) and upgraded the data directory: the point of no return.
    expect(run.exitCode, run.stderr).toBe(8);
    expect(run.stderr).toContain(
      `error: 1 of 13 objects did not become Deployments available: deployment/ml-pipeline -n ${kfp.namespace}: timed out after 20s`,
    );
    expect(run.stderr).toContain("the data had moved forward (MySQL 8.4 is Available");
    expect(run.stderr).toContain("run `kfp-upgrade resume`: it continues forward.");
    expect(
      run.events.some(
        (e) => e.type === "step-end" && e.ok === true && /^passed: MySQL 8\.4/.test(String(e.message)),
      ),
    ).toBe(true);
    const rollback = run.events.filter((e) => e.type === "rollback").map((e) => String(e.message));
    expect(rollback).toContain(
      `kept deployment/mysql -n ${kfp.namespace} at the new release (the data moved forward; it is never restored to an older one)`,
    );
    expect(rollback).toContain(
      `kept deployment/ml-pipeline -n ${kfp.namespace} at the new release (the data moved forward; it is never restored to an older one)`,
    );
    expect(rollback).toContain(`restored deployment/ml-pipeline-ui -n ${kfp.namespace}`);
    expect(run.result).toMatchObject({ ok: false, outcome: "failed-forward" });
    const after = await imagesIn(kfp.namespace);
    // Kept at 2.14.4: MySQL (8.4 upgraded the data directory), the object store, the API server (schema migrated).
    expect(after.mysql).toBe("mysql:8.4");
    expect(after.minio).toBe("minio/minio:RELEASE.2019-08-14T20-37-41Z");
    expect(after["ml-pipeline"]).toBe("ghcr.io/kubeflow/kfp-api-server:2.14.4");
    // Every other (stateless) Deployment is back at 2.5.0.
    const { mysql: _m, minio: _o, "ml-pipeline": _a, ...restAfter } = after;
    const { mysql: _m0, minio: _o0, "ml-pipeline": _a0, ...restBefore } = before;
    expect(restAfter).toEqual(restBefore);
    await eventually(`every Deployment but ml-pipeline in ${kfp.namespace} available`, async () => {
      const list = await deployments(kfp.namespace);
      return list
        .filter((d) => d.metadata.name !== "ml-pipeline")
        .every(
          (d) =>
            d.status.conditions?.some((c) => c.type === "Available" && c.status === "True") &&
            d.status.updatedReplicas === d.status.replicas,
        )
        ? true
        : undefined;
    });
    // The run can be resumed forward: the journal stays, the lock is released, the app still says 2.5.0.
    expect(journalOf(kfp.appDir)).toMatchObject({ command: "upgrade", status: "failed" });
    expect(await leaseHolder(kfp.namespace)).toBeNull();
    expect(appVersion(kfp.appDir)).toBe("2.5.0");
    expect(lastHistoryEntry(kfp.appDir)).toMatchObject({ command: "upgrade", outcome: "failed-forward" });
    await expectDataIntactAndBound(kfp);

    // `resume` continues forward: the stateless Deployments move to 2.14.4 again; the API server still never gets
    // ready, so the run fails forward once more, restores them, and keeps the data and the journal.
    const resumed = await runCli(["--timeout", "10", "resume"], { appDir: kfp.appDir });
    log(`never-ready target resumed: exit ${resumed.exitCode}`);
    expect(resumed.exitCode, resumed.stderr).toBe(8);
    expect(
      resumed.events.some(
        (e) => e.type === "warning" && String(e.message).includes("the data moved forward in an earlier run"),
      ),
    ).toBe(true);
    const reapplied = resumed.events.find(
      (e) =>
        e.type === "step-start" && e.kind === "applyObjects" && String(e.description).includes("workloads"),
    );
    expect(resumed.events.filter((e) => e.type === "step-start" && e.kind === "scaleDeployments")).toEqual(
      [],
    );
    expect(
      reapplied ?? resumed.events.some((e) => e.type === "step-start" && e.kind === "applyObjects"),
    ).toBeTruthy();
    expect(resumed.result).toMatchObject({ ok: false, outcome: "failed-forward" });
    const again = await imagesIn(kfp.namespace);
    expect(again.mysql).toBe("mysql:8.4");
    expect(again["ml-pipeline"]).toBe("ghcr.io/kubeflow/kfp-api-server:2.14.4");
    expect(journalOf(kfp.appDir)).toMatchObject({ command: "upgrade", status: "failed" });
    expect(await leaseHolder(kfp.namespace)).toBeNull();
    expect(appVersion(kfp.appDir)).toBe("2.5.0");
    await expectDataIntactAndBound(kfp);
    // An install, a failed-forward run and a resume, each with its rollback's wait for the restored Deployments.
  }, 480_000);

  it("the namespace deleted by someone else mid-run: a clean failure naming it, data kept, reinstall brings it back", async () => {
    const kfp = await installKfp({ prefix: "fault-nsdel", versions: ["2.5.0"], manifests: slowTarget() });
    const trigger = whenEvent(rolloutWaitStarted, async () => {
      await kubectl(["delete", "namespace", kfp.namespace, "--wait=false"]);
    });

    const started = performance.now();
    const run = await runCli(["upgrade", "--tag", "2.14.4"], {
      appDir: kfp.appDir,
      onSpawn: trigger.onSpawn,
    });
    await trigger.done();
    log(
      `namespace deleted mid-run: exit ${run.exitCode} after ${((performance.now() - started) / 1000).toFixed(1)}s`,
    );

    expect(run.exitCode, run.stderr).toBe(5);
    expect(run.stderr).toMatch(
      new RegExp(
        `error: namespace "${kfp.namespace}" was deleted while this upgrade was running \\(it is (Terminating|gone)\\); the run stopped\\n`,
      ),
    );
    expect(run.stderr).toContain("`kfp-upgrade reinstall` brings KFP back on them");
    expect(run.result).toMatchObject({ ok: false, outcome: "failed" });
    expect(journalOf(kfp.appDir)).toBeNull();
    expect(lastHistoryEntry(kfp.appDir)).toMatchObject({ command: "upgrade", outcome: "failed" });
    await deleteNamespaceAndWait(kfp.namespace);
    const volumes = await kubectlJson<{
      items: {
        metadata: { name: string };
        spec: { persistentVolumeReclaimPolicy: string };
        status: { phase: string };
      }[];
    }>(["get", "persistentvolumes"]);
    const ours = volumes.items.filter(
      (pv) => pv.metadata.name === kfp.mysql.name || pv.metadata.name === kfp.objectStore.name,
    );
    expect(ours.map((pv) => `${pv.spec.persistentVolumeReclaimPolicy} ${pv.status.phase}`)).toEqual([
      "Retain Released",
      "Retain Released",
    ]);
    expect(await dataState(kfp)).toEqual(kfp.seeded);

    // The run died while MySQL 8.4 was starting on the data (the first rollout wait is the series phase's): the PVs
    // record KFP 2.14.4 from before that start, so the reinstall brings back 2.14.4, never MySQL 8.0 on 8.4 data.
    const reinstalled = await runCli(["reinstall"], { appDir: kfp.appDir });
    expect(reinstalled.exitCode, reinstalled.stderr).toBe(0);
    const planEvent = reinstalled.events.find((event) => event.type === "plan") as
      | { plan: { to: string; warnings: string[] } }
      | undefined;
    expect(planEvent?.plan.to).toBe("2.14.4");
    expect(planEvent?.plan.warnings.join("\n")).toContain(
      "reinstalling KFP 2.14.4, not the app's 2.5.0: the data volumes record that KFP 2.14.4 may have written them",
    );
    expect(await apiServerImage(kfp.namespace)).toBe("ghcr.io/kubeflow/kfp-api-server:2.14.4");
    await expectDataIntactAndBound(kfp);
  });
});

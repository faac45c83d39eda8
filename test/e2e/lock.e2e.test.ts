import { cpSync, existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { READY_DELAY_ANNOTATION } from "../../local-cluster/kwok-stages.js";
import { derivedManifests, podTemplate } from "../support/derived-manifests.js";
import { kubectl } from "../support/e2e-cluster.js";
import {
  deleteNamespaceAndWait,
  expectDataIntactAndBound,
  type InstalledKfp,
  installKfp,
  tempAppDir,
} from "../support/installed-kfp.js";
import { type CliRun, runCli } from "../support/run-cli.js";
import { rolloutWaitStarted, whenEvent } from "../support/when-event.js";

// "The lock comes first" (README, Safety during a run): the Lease is taken before the snapshot, the namespace created
// for it when missing, so two reinstalls after an accident never race on the same volumes; `resume` shows the plan
// that is left and asks.

function journalOf(appDir: string): { status: string; completedStepIds: string[] } | null {
  const file = path.join(appDir, ".kfp-upgrade", "journal", "journal.json");
  return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : null;
}

async function apiServerImage(namespace: string): Promise<string> {
  return (
    await kubectl([
      "get",
      "deployment",
      "ml-pipeline",
      "-n",
      namespace,
      "-o",
      "jsonpath={.spec.template.spec.containers[0].image}",
    ])
  ).trim();
}

/** Runs `reinstall` from two copies of the KFAPP (two operators) at the same moment. */
async function twoReinstalls(
  kfp: InstalledKfp,
  extra: string[],
): Promise<{ runs: CliRun[]; dirs: string[] }> {
  const otherAppDir = await tempAppDir();
  cpSync(kfp.appDir, otherAppDir, { recursive: true });
  const dirs = [kfp.appDir, otherAppDir];
  const runs = await Promise.all(dirs.map((appDir) => runCli(["reinstall", ...extra], { appDir })));
  return { runs, dirs };
}

function log(line: string): void {
  console.log(`[lock] ${line}`);
}

describe("the lock comes first", () => {
  it("two reinstalls into a deleted namespace: one runs, the other exits 7; with --wait-for-lock it waits, then finds the work done", async () => {
    const kfp = await installKfp({ prefix: "lock-race", versions: ["2.5.0"] });
    await deleteNamespaceAndWait(kfp.namespace);

    const first = await twoReinstalls(kfp, []);
    log(`two reinstalls: exits ${first.runs.map((r) => r.exitCode).join(", ")}`);
    expect(first.runs.map((r) => r.exitCode).sort()).toEqual([0, 7]);
    const loser = first.runs.find((r) => r.exitCode === 7);
    const loserDir = first.dirs[first.runs.findIndex((r) => r.exitCode === 7)] ?? "";
    expect(loser?.stderr).toContain(
      `error: another kfp-upgrade run holds the lock on namespace "${kfp.namespace}": `,
    );
    expect(loser?.events.filter((e) => e.type === "step-start")).toEqual([]);
    expect(journalOf(loserDir)).toBeNull();
    expect(await apiServerImage(kfp.namespace)).toBe("ghcr.io/kubeflow/kfp-api-server:2.5.0");
    await expectDataIntactAndBound(kfp);

    await deleteNamespaceAndWait(kfp.namespace);
    const second = await twoReinstalls(kfp, ["--wait-for-lock"]);
    log(`two reinstalls --wait-for-lock: exits ${second.runs.map((r) => r.exitCode).join(", ")}`);
    // The waiter plans only once the other run is done: it finds KFP installed on the volumes and changes nothing.
    expect(second.runs.map((r) => r.exitCode).sort()).toEqual([0, 4]);
    const waiter = second.runs.find((r) => r.exitCode === 4);
    expect(waiter?.stderr).toContain("waiting for the lock held by ");
    expect(waiter?.stderr).toContain(`KFP 2.5.0 is already installed in namespace "${kfp.namespace}"`);
    expect(waiter?.events.filter((e) => e.type === "step-start")).toEqual([]);
    await expectDataIntactAndBound(kfp);
  });

  it("a refused deploy into a new namespace leaves no namespace behind", async () => {
    const kfp = await installKfp({ prefix: "lock-refused", versions: ["2.5.0"] });
    const appDir = await tempAppDir();
    const namespace = `${kfp.namespace}-second`;
    // The same PVs are bound to the first install: refused after the lock, before anything changed.
    const run = await runCli(
      [
        "deploy",
        "--tag",
        "2.5.0",
        "--mysql-pv",
        kfp.mysql.name,
        "--minio-pv",
        kfp.objectStore.name,
        "--manifests",
        kfp.manifests,
        "-n",
        namespace,
      ],
      { appDir },
    );
    expect(run.exitCode, run.stderr).toBe(4);
    const left = await kubectl(["get", "namespace", namespace, "--ignore-not-found", "-o", "name"]);
    const phase = left.trim()
      ? (await kubectl(["get", "namespace", namespace, "-o", "jsonpath={.status.phase}"])).trim()
      : "gone";
    expect(["gone", "Terminating"]).toContain(phase);
    await deleteNamespaceAndWait(namespace);
    await expectDataIntactAndBound(kfp);
  });
});

describe("resume shows and asks", () => {
  it("prints the remaining plan with the done steps marked, refuses other commands meanwhile, then completes", async () => {
    const manifests = derivedManifests({
      "2.5.0": "shared",
      "2.14.4": {
        objects: podTemplate("ml-pipeline", { annotations: { [READY_DELAY_ANNOTATION]: "20s" } }),
      },
    });
    const kfp = await installKfp({ prefix: "lock-resume", versions: ["2.5.0"], manifests });
    const trigger = whenEvent(rolloutWaitStarted, (child) => {
      child.kill("SIGINT");
    });
    const run = await runCli(["upgrade", "--tag", "2.14.4"], {
      appDir: kfp.appDir,
      onSpawn: trigger.onSpawn,
    });
    await trigger.done();
    expect(run.exitCode, run.stderr).toBe(130);
    const journal = journalOf(kfp.appDir);
    expect(journal?.status).toBe("interrupted");
    const done = journal?.completedStepIds ?? [];
    expect(done.length).toBeGreaterThan(0);

    // Another command, even the same upgrade with --yes, never runs the journaled plan silently.
    const again = await runCli(["upgrade", "--tag", "2.14.4"], { appDir: kfp.appDir });
    expect(again.exitCode, again.stderr).toBe(4);
    expect(again.stderr).toContain("error: an earlier upgrade to KFP 2.14.4 is unfinished (interrupted,");
    expect(again.stderr).toContain("hint: Run `kfp-upgrade resume` to finish it first");

    // Without --yes and without a terminal: the remaining plan is shown, then nothing runs.
    const shown = await runCli(["resume"], { appDir: kfp.appDir, machine: false });
    expect(shown.exitCode, shown.stderr).toBe(2);
    expect(shown.stdout).toContain("✓ done: ");
    expect(shown.stdout).toMatch(
      new RegExp(`Resume: ${done.length} of \\d+ steps done \\(✓\\), \\d+ to run\\.`),
    );
    expect(shown.stderr).toContain("error: the plan was not applied: it needs confirmation");
    expect(journalOf(kfp.appDir)?.completedStepIds).toEqual(done);

    const resumed = await runCli(["resume"], { appDir: kfp.appDir });
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    const started = resumed.events.filter((e) => e.type === "step-start").map((e) => e.stepId);
    for (const id of done) expect(started).not.toContain(id);
    expect(journalOf(kfp.appDir)).toBeNull();
    expect(await apiServerImage(kfp.namespace)).toBe("ghcr.io/kubeflow/kfp-api-server:2.14.4");
    await expectDataIntactAndBound(kfp);
  });
});

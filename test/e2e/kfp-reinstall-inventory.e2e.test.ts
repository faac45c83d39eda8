import type { ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type LocalCluster, startCluster } from "../../local-cluster/local-cluster.js";
import { type RealServerEvent, readRealServerEvents } from "../../local-cluster/real-kfp-servers.js";
import { newClusterStateDir } from "../../local-cluster/state-dirs.js";
import { type BundleObject, derivedManifests } from "../support/derived-manifests.js";
import { e2eCluster, eventually } from "../support/e2e-cluster.js";
import { deleteNamespaceAndWait, stepKinds } from "../support/kfp-install.js";
import {
  createKfpObjectSet,
  type KfpObjectListing,
  type KfpObjectSet,
  listKfpObjectSet,
  OBJECT_SET_EXPERIMENTS,
  OBJECT_SET_PIPELINES,
} from "../support/kfp-object-set.js";
import { kfpProxyClient } from "../support/kfp-proxy-client.js";
import {
  deployOnRealPvs,
  realServerEvents,
  realServerLogsTail,
  waitForKfpApi,
} from "../support/real-kfp-api.js";
import { type CliRun, runCli } from "../support/run-cli.js";
import { whenEvent } from "../support/when-event.js";

// Issue 10, "done when": KFP's own upgrade-test objects (3 experiments, 3 pipelines with a second version each, a run
// and a recurring run), created through the real 2.0.5 API server on the volumes kfp-upgrade bound, are listed
// again with the same ids and fields by a real server started on the re-bound volumes: after a reinstall into the
// same control plane, and after one into a second control plane from the saved PV definitions. And the negative
// control: an experiment deleted between the two hops of one upgrade stops the run, named.

const VERSION = "2.0.5";

const cleanups: (() => Promise<void> | void)[] = [];
const defer = (cleanup: () => Promise<void> | void) => {
  cleanups.push(cleanup);
};

/** The verifyInventory steps of a run: id, and whether and how each ended. */
function inventoryChecks(run: CliRun): { id: string; ok: unknown; message: unknown }[] {
  const kinds = stepKinds(run);
  return run.events
    .filter((event) => event.type === "step-end" && kinds[String(event.stepId)] === "verifyInventory")
    .map((event) => ({ id: String(event.stepId), ok: event.ok, message: event.message }));
}

/** Every real server of `namespace` that started has stopped (its pod is gone), per the harness's event log. */
async function realServersStopped(stateDir: string, namespace: string): Promise<void> {
  await eventually(`the real servers of ${namespace} stopped`, async () => {
    const events = (await readRealServerEvents(stateDir)).filter((e) => e.pod.startsWith(`${namespace}/`));
    const running = new Set<string>();
    for (const event of events) {
      if (event.type === "started") running.add(event.uid);
      if (event.type === "stopped" || event.type === "exited") running.delete(event.uid);
    }
    return running.size === 0 ? true : undefined;
  });
}

const startedDirs = (events: RealServerEvent[], kind: RealServerEvent["kind"]) =>
  events.filter((e) => e.kind === kind && e.type === "started").map((e) => e.dir ?? null);

describe("KFP's upgrade-test objects survive a reinstall, listed by the real 2.0.5 API server", () => {
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }, 300_000);

  let namespace = "";
  let appDir = "";
  let mysqlPath = "";
  let objectStorePath = "";
  let created: KfpObjectSet;
  let before: KfpObjectListing;
  const logsOnFailure = async (message: string, stateDir?: string) =>
    `${message}\n${await realServerLogsTail(namespace).catch(() => "")}${stateDir ? `\n(second cluster: ${stateDir})` : ""}`;

  it("deploy, create the object set, status, delete the namespace, reinstall: the same ids and fields", async () => {
    const install = await deployOnRealPvs({ prefix: "reinv", version: VERSION, defer });
    ({ namespace, appDir } = install);
    const { mysql, objectStore } = install;
    mysqlPath = mysql.path;
    objectStorePath = objectStore.path;

    const kfp = await kfpProxyClient(e2eCluster().kubeconfigPath, namespace);
    created = await createKfpObjectSet(kfp);
    before = await listKfpObjectSet(kfp);
    expect(before.experiments.map((e) => e.name).sort()).toEqual(
      ["Default", ...OBJECT_SET_EXPERIMENTS].sort(),
    );
    expect(before.pipelines.map((p) => p.name).sort()).toEqual([...OBJECT_SET_PIPELINES].sort());
    // The upload made each pipeline's first version, upload_version its second.
    expect(before.pipelineVersions).toHaveLength(6);
    for (const pipeline of created.pipelines) {
      expect(before.pipelineVersions.filter((v) => v.pipelineId === pipeline.id).map((v) => v.name)).toEqual(
        expect.arrayContaining([pipeline.name, `${pipeline.name}-v2`]),
      );
    }
    const [firstPipeline] = created.pipelines;
    const reference = {
      experimentId: created.experimentIds[0],
      pipelineId: firstPipeline?.id,
      pipelineVersionId: firstPipeline?.secondVersionId,
    };
    expect(before.runs).toEqual([expect.objectContaining({ id: created.runId, ...reference })]);
    expect(before.recurringRuns).toEqual([
      expect.objectContaining({ id: created.recurringRunId, ...reference, cron: "0 0 0 * * *" }),
    ]);

    const status = await runCli(["status"], { appDir });
    expect(status.exitCode, status.stderr).toBe(0);
    expect(status.json, status.stdout).toMatchObject({
      inventory: { experiments: 4, pipelines: 3, pipelineVersions: 6, runs: 1, recurringRuns: 1 },
    });
    // status records what it read: what the reinstall compares with.
    const recorded = JSON.parse(
      await readFile(path.join(appDir, ".kfp-upgrade", "inventory.json"), "utf8"),
    ) as { inventory: { experiments: { id: string }[]; runs: { id: string }[] } };
    expect(recorded.inventory.experiments.map((e) => e.id).sort()).toEqual(
      before.experiments.map((e) => e.id),
    );
    expect(recorded.inventory.runs.map((r) => r.id)).toEqual([created.runId]);

    await deleteNamespaceAndWait(namespace);
    const reinstall = await runCli(["reinstall"], { appDir });
    expect(reinstall.exitCode, await logsOnFailure(reinstall.stderr)).toBe(0);
    expect(inventoryChecks(reinstall)).toEqual([
      {
        id: expect.any(String),
        ok: true,
        message:
          "KFP lists 4 experiments, 3 pipelines, 6 pipeline versions, 1 run, 1 recurring run; nothing missing",
      },
    ]);
    await waitForKfpApi(namespace);
    expect(await listKfpObjectSet(kfp)).toEqual(before);

    // Two generations of real servers on the same directories, the first stopped before the second started.
    const events = (await readRealServerEvents(e2eCluster().stateDir)).filter((e) =>
      e.pod.startsWith(`${namespace}/`),
    );
    expect(startedDirs(events, "mysql")).toEqual([mysql.path, mysql.path]);
    expect(startedDirs(events, "object-store")).toEqual([
      `${objectStore.path}/minio`,
      `${objectStore.path}/minio`,
    ]);
    for (const kind of ["mysql", "object-store", "kfp-api-server"] as const)
      expect(events.filter((e) => e.kind === kind).map((e) => e.type)).toEqual([
        "started",
        "stopped",
        "started",
      ]);
  }, 600_000);

  it("the same after a reinstall into a second control plane from the saved PV definitions", async () => {
    expect(before, "the first test set the install up").toBeDefined();
    // One install serves the directories at a time: the first cluster's goes (its servers stop with its pods).
    await deleteNamespaceAndWait(namespace);
    await realServersStopped(e2eCluster().stateDir, namespace);

    const second: LocalCluster = await startCluster({ stateDir: await newClusterStateDir("second-inv") });
    defer(() => second.stop());
    const there = { kubeconfigPath: second.kubeconfigPath };
    const reinstall = await runCli(["reinstall"], { appDir, ...there, timeoutMs: 400_000 });
    expect(reinstall.exitCode, await logsOnFailure(reinstall.stderr, second.stateDir)).toBe(0);
    expect(inventoryChecks(reinstall)).toEqual([
      {
        id: expect.any(String),
        ok: true,
        message:
          "KFP lists 4 experiments, 3 pipelines, 6 pipeline versions, 1 run, 1 recurring run; nothing missing",
      },
    ]);
    await waitForKfpApi(namespace, there);
    expect(await listKfpObjectSet(await kfpProxyClient(second.kubeconfigPath, namespace))).toEqual(before);

    const events = (await readRealServerEvents(second.stateDir)).filter((e) =>
      e.pod.startsWith(`${namespace}/`),
    );
    expect(startedDirs(events, "mysql")).toEqual([mysqlPath]);
    expect(startedDirs(events, "object-store")).toEqual([`${objectStorePath}/minio`]);
    expect(startedDirs(events, "kfp-api-server")).toEqual([null]);

    // Stop the second cluster's servers before the directories go (afterAll removes them).
    await deleteNamespaceAndWait(namespace, there);
    await realServersStopped(second.stateDir, namespace);
  }, 600_000);

  it("an experiment deleted through the API between the two hops of one upgrade stops it: exit 9, named", async () => {
    // No upgrade from 2.0.5 takes two hops over the shared bundles: its MySQL 8.0 is one series from 8.4. A 2.0.5
    // install still on MySQL 5.7 is one (upgrading 1.8.5 with --strategy images leaves `mysql` as it was): then
    // MySQL must stop at 8.0, so 2.0.5 -> 2.5.0 -> 2.14.4. Only the 2.0.5 bundle is derived (its mysql image).
    const mysql57 = (object: BundleObject) => {
      if (object.kind !== "Deployment" || object.metadata?.name !== "mysql") return;
      const template = object.spec?.template as
        | { spec: { containers: { name: string; image: string }[] } }
        | undefined;
      for (const container of template?.spec.containers ?? [])
        if (container.name === "mysql") container.image = "gcr.io/ml-pipeline/mysql:5.7-debian";
    };
    const manifests = derivedManifests(
      { "2.0.5": { objects: mysql57 }, "2.5.0": "shared", "2.14.4": "shared" },
      defer,
    );
    const install = await deployOnRealPvs({ prefix: "hops", version: VERSION, manifests, defer });
    namespace = install.namespace;
    const dir = install.appDir;
    const kfp = await kfpProxyClient(e2eCluster().kubeconfigPath, namespace);
    const set = await createKfpObjectSet(kfp);
    const moonshot = set.experimentIds[OBJECT_SET_EXPERIMENTS.indexOf("moonshot")];
    expect(moonshot).toBeDefined();

    const plan = await runCli(["upgrade", "--tag", "2.14.4", "--dry-run"], { appDir: dir });
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect((plan.json as { hops: { from: string; to: string }[] }).hops).toEqual([
      expect.objectContaining({ from: "2.0.5", to: "2.5.0" }),
      expect.objectContaining({ from: "2.5.0", to: "2.14.4" }),
    ]);

    // Hop 2's first step: freeze the CLI, delete the experiment, let it go on.
    const trigger = whenEvent(
      (event) => event.type === "step-start" && String(event.stepId).startsWith("h2-"),
      async (child: ChildProcess) => {
        child.kill("SIGSTOP");
        try {
          await kfp.delete(`/apis/v2beta1/experiments/${moonshot}`);
        } finally {
          child.kill("SIGCONT");
        }
      },
    );
    const upgrade = await runCli(["upgrade", "--tag", "2.14.4"], {
      appDir: dir,
      onSpawn: trigger.onSpawn,
      timeoutMs: 500_000,
    });
    const fired = await trigger.done();
    expect(String(fired.stepId)).toMatch(/^h2-/);

    expect(upgrade.exitCode, await logsOnFailure(upgrade.stderr)).toBe(9);
    expect(upgrade.stderr).toContain("code: INVENTORY_MISSING (exit 9)");
    expect(upgrade.stderr).toContain(`experiment "moonshot" (id ${moonshot})`);
    // Only the deleted experiment is missing: the rest of the set came through both hops.
    expect(upgrade.stderr).toContain("no longer lists 1 object ");
    // Every read asked a real server: 2.0.5's own before the run, then the same binary standing in for 2.5.0's
    // image (hop 1's check) and for 2.14.4's (hop 2's).
    const apiServers = (await realServerEvents(namespace)).filter(
      (e) => e.kind === "kfp-api-server" && e.type === "started",
    );
    expect(apiServers.map((e) => e.message ?? "2.0.5 itself")).toEqual([
      "2.0.5 itself",
      expect.stringMatching(/^KFP API server 2\.0\.5 stands in for .*:2\.5\.0$/),
      expect.stringMatching(/^KFP API server 2\.0\.5 stands in for .*:2\.14\.4$/),
    ]);
  }, 900_000);
});

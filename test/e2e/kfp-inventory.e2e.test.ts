import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { kubectl, uniqueName } from "../support/e2e-cluster.js";
import type { DataPv } from "../support/installed-kfp.js";
import { deleteNamespaceAndWait, namespaceName, tempAppDir } from "../support/installed-kfp.js";
import {
  createRealDataPv,
  kfpPost,
  kfpProxyPath,
  listExperiments,
  realServerLogsTail,
  type V2Experiment,
  waitForKfpApi,
} from "../support/real-kfp-api.js";
import { runCli, SHARED_MANIFESTS } from "../support/run-cli.js";

// Issue 10: the product's inventory (status, the 2.15 pre-check, the reinstall comparison) against KFP's real 2.0.5
// API server and database, reached through the service proxy. The steps share one install and run in order.

const VERSION = "2.0.5";

const cleanups: (() => Promise<void> | void)[] = [];
const defer = (cleanup: () => Promise<void> | void) => {
  cleanups.push(cleanup);
};

describe("KFP's own inventory, read from the real 2.0.5 API server", () => {
  afterAll(async () => {
    // The namespace first: its claims hold the PVs (pv-protection), the empty ones created last included.
    if (namespace !== "") await deleteNamespaceAndWait(namespace);
    for (const cleanup of cleanups.reverse()) await cleanup();
  }, 300_000);

  let namespace = "";
  let appDir = "";
  let mysql: DataPv;
  let objectStore: DataPv;
  const experimentIds: string[] = [];
  let pipelineId = "";
  const logsOnFailure = async (message: string) =>
    `${message}\n${await realServerLogsTail(namespace).catch(() => "")}`;

  it("status -o json counts what the real server lists: experiments (KFP's Default included) and a pipeline", async () => {
    mysql = await createRealDataPv(uniqueName("inv-mysql"), defer);
    objectStore = await createRealDataPv(uniqueName("inv-minio"), defer);
    appDir = await tempAppDir(defer);
    namespace = namespaceName("inv-api", defer);

    const deploy = await runCli(
      [
        "deploy",
        "--tag",
        VERSION,
        "--mysql-pv",
        mysql.name,
        "--minio-pv",
        objectStore.name,
        "--manifests",
        SHARED_MANIFESTS,
        "-n",
        namespace,
      ],
      { appDir },
    );
    expect(deploy.exitCode, await logsOnFailure(deploy.stderr)).toBe(0);
    await waitForKfpApi(namespace);

    for (const name of ["training", "prediction", "moonshot"]) {
      const created = await kfpPost<V2Experiment>(namespace, "/apis/v2beta1/experiments", {
        display_name: name,
        description: `my ${name} experiment`,
      });
      experimentIds.push(created.experiment_id);
    }
    // A pipeline without a version: v2beta1 CreatePipeline takes the metadata alone (uploads are multipart).
    const pipeline = await kfpPost<{ pipeline_id: string }>(namespace, "/apis/v2beta1/pipelines", {
      display_name: "hello-world",
      description: "created through the service proxy",
    });
    expect(pipeline.pipeline_id).toMatch(/^[0-9a-f-]{36}$/);
    pipelineId = pipeline.pipeline_id;
    const listed = await listExperiments(namespace);
    expect(listed.map((e) => e.display_name).sort()).toEqual([
      "Default",
      "moonshot",
      "prediction",
      "training",
    ]);

    const status = await runCli(["status"], { appDir });
    expect(status.exitCode, status.stderr).toBe(0);
    expect(status.json, status.stdout).toMatchObject({
      inventory: { experiments: 4, pipelines: 1, pipelineVersions: 0, runs: 0, recurringRuns: 0 },
      inventoryRecorded: true,
    });
    // What status read is what a later reinstall compares with.
    const recorded = JSON.parse(
      await readFile(path.join(appDir, ".kfp-upgrade", "inventory.json"), "utf8"),
    ) as { inventory: { experiments: { id: string }[]; pipelines: { id: string }[] } };
    expect(recorded.inventory.experiments.map((e) => e.id).sort()).toEqual(
      listed.map((e) => e.experiment_id).sort(),
    );
    expect(recorded.inventory.pipelines.map((p) => p.id)).toEqual([pipelineId]);
  }, 600_000);

  it("upgrade --tag 2.15.0 --dry-run refuses a 200-character experiment name, and no longer once it is deleted", async () => {
    const longName = `x${"0123456789".repeat(20)}`.slice(0, 200);
    // KFP 2.0.5 accepts it; 2.15's legacy-schema migration would refuse to start on it (limit 128).
    const long = await kfpPost<V2Experiment>(namespace, "/apis/v2beta1/experiments", {
      display_name: longName,
    });
    expect(long.display_name).toHaveLength(200);

    const dryRun = () =>
      runCli(
        [
          "upgrade",
          "--tag",
          "2.15.0",
          "--dry-run",
          "--object-store",
          "keep-minio",
          "--manifests",
          SHARED_MANIFESTS,
        ],
        { appDir },
      );
    const refused = await dryRun();
    expect(refused.exitCode, refused.stderr).toBe(4);
    expect(refused.stderr).toContain("code: LEGACY_SCHEMA_TOO_LONG (exit 4)");
    expect(refused.stderr).toContain(long.experiment_id);

    // KFP has no rename: the way out is to delete (or archive and recreate) the experiment.
    await kubectl([
      "delete",
      "--raw",
      kfpProxyPath(namespace, `/apis/v2beta1/experiments/${long.experiment_id}`),
    ]);
    expect((await listExperiments(namespace)).map((e) => e.experiment_id)).not.toContain(long.experiment_id);

    const again = await dryRun();
    expect(again.stderr).not.toContain("LEGACY_SCHEMA_TOO_LONG");
    expect(again.stderr).not.toContain(long.experiment_id);
    expect(again.stdout).not.toContain(long.experiment_id);
  }, 600_000);

  it("an upgrade records the inventory, a reinstall compares with it, and one onto fresh empty PVs is stopped with the missing experiments named", async () => {
    const before = await listExperiments(namespace);
    // A passing verifyInventory step records it too: one hop, after which the harness's 2.0.5 server stands in for
    // 2.3.0's and lists the same database.
    const upgrade = await runCli(["upgrade", "--tag", "2.3.0", "--manifests", SHARED_MANIFESTS], {
      appDir,
      timeoutMs: 400_000,
    });
    expect(upgrade.exitCode, await logsOnFailure(upgrade.stderr)).toBe(0);
    const recorded = JSON.parse(
      await readFile(path.join(appDir, ".kfp-upgrade", "inventory.json"), "utf8"),
    ) as { inventory: { experiments: { id: string }[] } };
    expect(recorded.inventory.experiments.map((e) => e.id).sort()).toEqual(
      before.map((e) => e.experiment_id).sort(),
    );

    // Positive control: reinstall onto the original volumes finds everything recorded.
    await deleteNamespaceAndWait(namespace);
    const reinstall = await runCli(["reinstall"], { appDir });
    expect(reinstall.exitCode, await logsOnFailure(reinstall.stderr)).toBe(0);
    await waitForKfpApi(namespace);
    expect(await listExperiments(namespace)).toEqual(before);

    // Negative control: the same KFAPP onto volumes that hold nothing. The new server starts on an empty database
    // (with a new Default experiment); everything recorded is missing.
    const emptyMysql = await createRealDataPv(uniqueName("inv-empty-mysql"), defer);
    const emptyObjectStore = await createRealDataPv(uniqueName("inv-empty-minio"), defer);
    await deleteNamespaceAndWait(namespace);
    const onEmpty = await runCli(
      ["reinstall", "--mysql-pv", emptyMysql.name, "--minio-pv", emptyObjectStore.name],
      { appDir },
    );
    expect(onEmpty.exitCode, await logsOnFailure(onEmpty.stderr)).toBe(9);
    expect(onEmpty.stderr).toContain("code: INVENTORY_MISSING (exit 9)");
    for (const id of [...experimentIds, pipelineId]) expect(onEmpty.stderr).toContain(id);
    const defaultBefore = before.find((e) => e.display_name === "Default");
    expect(defaultBefore).toBeDefined();
    expect(onEmpty.stderr).toContain(defaultBefore?.experiment_id);
  }, 900_000);
});

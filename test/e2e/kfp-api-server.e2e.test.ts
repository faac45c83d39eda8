import { describe, expect, it, onTestFailed, onTestFinished } from "vitest";
import { deleteNamespaceAndWait } from "../support/installed-kfp.js";
import {
  deployOnRealPvs,
  kfpPost,
  listExperiments,
  realServerEvents,
  realServerLogsTail,
  type V2Experiment,
  waitForKfpApi,
} from "../support/real-kfp-api.js";
import { runCli } from "../support/run-cli.js";

// Issue 10: KFP's own API server (2.0.5, built from the module proxy) and a real database run beside the simulated
// pods on the volumes kfp-upgrade bound. What it lists after a reinstall was written by a real KFP server before
// the namespace was deleted, and read back from the re-bound volume by a new one.

const VERSION = "2.0.5";

describe("the real KFP API server on the volumes kfp-upgrade binds", () => {
  it("lists, after the namespace was deleted and reinstalled, the experiment it created before", async () => {
    const { namespace, appDir, mysql, objectStore } = await deployOnRealPvs({
      prefix: "real-api",
      version: VERSION,
      defer: onTestFinished,
    });
    onTestFailed(async () => {
      process.stderr.write(`${await realServerLogsTail(namespace)}\n`);
    });

    const created = await kfpPost<V2Experiment>(namespace, "/apis/v2beta1/experiments", {
      display_name: "survives-reinstall",
      description: "created through the service proxy before the namespace was deleted",
    });
    expect(created.experiment_id).toMatch(/^[0-9a-f-]{36}$/);
    const before = await listExperiments(namespace);
    expect(before.map((e) => e.display_name).sort()).toEqual(["Default", "survives-reinstall"]);

    await deleteNamespaceAndWait(namespace);
    const reinstall = await runCli(["reinstall"], { appDir });
    expect(reinstall.exitCode, reinstall.stderr).toBe(0);
    await waitForKfpApi(namespace);

    const after = await listExperiments(namespace);
    expect(after).toEqual(before);
    expect(after.find((e) => e.experiment_id === created.experiment_id)).toMatchObject({
      display_name: "survives-reinstall",
      created_at: created.created_at,
    });

    // Two generations of real servers, each on the same directories, the first stopped before the second.
    const events = await realServerEvents(namespace);
    const starts = (kind: string) =>
      events.filter((e) => e.kind === kind && e.type === "started").map((e) => e.dir ?? null);
    expect(starts("mysql")).toEqual([mysql.path, mysql.path]);
    expect(starts("object-store")).toEqual([`${objectStore.path}/minio`, `${objectStore.path}/minio`]);
    expect(starts("kfp-api-server")).toEqual([null, null]);
    expect(events.filter((e) => e.type === "exited")).toEqual([]);
  }, 600_000);
});

import { randomBytes } from "node:crypto";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { READY_DELAY_ANNOTATION } from "../../local-cluster/kwok-stages.js";
import { derivedManifests, podTemplate } from "../support/derived-manifests.js";
import { filesUnder } from "../support/dir-state.js";
import { kubectl, kubectlJson } from "../support/e2e-cluster.js";
import { dataClaims, dataState, installKfp } from "../support/installed-kfp.js";
import { type CliRun, runCli } from "../support/run-cli.js";
import { rolloutWaitStarted, whenEvent } from "../support/when-event.js";

// "Secret values never reach output, logs, the journal or the history" (README), checked where they could leak:
// a user's own MySQL password in the cluster, and the release bundle's own Secret values, across an upgrade that
// is interrupted (so its journal is on disk) and resumed, with -v.

interface Secret {
  metadata: { resourceVersion: string; uid: string };
  data: Record<string, string>;
}

/** The bundle's mlpipeline-minio-artifact `secretkey`: a Secret value the plan itself carries. */
const BUNDLE_SECRET_VALUE = "minio123";

describe("secrets", () => {
  it("a custom MySQL password survives an upgrade unchanged and appears in no output, journal or history", async () => {
    const manifests = derivedManifests({
      "2.5.0": "shared",
      "2.14.4": { objects: podTemplate("ml-pipeline", { annotations: { [READY_DELAY_ANNOTATION]: "20s" } }) },
    });
    const kfp = await installKfp({ prefix: "secret", versions: ["2.5.0"], manifests });
    const password = `pw-${randomBytes(12).toString("hex")}`;
    await kubectl([
      "patch",
      "secret",
      "mysql-secret",
      "-n",
      kfp.namespace,
      "--type",
      "merge",
      "-p",
      JSON.stringify({ stringData: { password } }),
    ]);
    const before = await kubectlJson<Secret>(["get", "secret", "mysql-secret", "-n", kfp.namespace]);
    expect(Buffer.from(before.data.password ?? "", "base64").toString()).toBe(password);
    const forbidden = [
      password,
      Buffer.from(password).toString("base64"),
      BUNDLE_SECRET_VALUE,
      Buffer.from(BUNDLE_SECRET_VALUE).toString("base64"),
    ];

    const runs: CliRun[] = [];
    runs.push(await runCli(["-v", "upgrade", "--tag", "2.14.4", "--dry-run"], { appDir: kfp.appDir }));
    runs.push(
      await runCli(["-v", "upgrade", "--tag", "2.14.4", "--dry-run", "-o", "yaml"], { appDir: kfp.appDir }),
    );
    let leaseDuringRun = "";
    const trigger = whenEvent(rolloutWaitStarted, async (child) => {
      leaseDuringRun = await kubectl(["get", "lease", "kfp-upgrade-lock", "-n", kfp.namespace, "-o", "json"]);
      child.kill("SIGINT");
    });
    const interrupted = await runCli(["-v", "upgrade", "--tag", "2.14.4"], {
      appDir: kfp.appDir,
      onSpawn: trigger.onSpawn,
    });
    await trigger.done();
    runs.push(interrupted);
    expect(interrupted.exitCode, interrupted.stderr).toBe(130);
    const journal = filesUnder(path.join(kfp.appDir, ".kfp-upgrade", "journal"));
    expect(Object.keys(journal).sort()).toEqual(["before-0.json", "journal.json", "plan.json"]);
    for (const value of forbidden) {
      for (const [file, text] of Object.entries(journal))
        expect(text, `journal/${file}`).not.toContain(value);
      expect(leaseDuringRun, "the Lease's journal annotation").not.toContain(value);
    }

    const resumed = await runCli(["-v", "resume"], { appDir: kfp.appDir });
    runs.push(resumed);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    runs.push(await runCli(["status"], { appDir: kfp.appDir }));
    runs.push(await runCli(["history"], { appDir: kfp.appDir }));

    const after = await kubectlJson<Secret>(["get", "secret", "mysql-secret", "-n", kfp.namespace]);
    expect(after.metadata).toMatchObject({
      uid: before.metadata.uid,
      resourceVersion: before.metadata.resourceVersion,
    });
    expect(after.data).toEqual(before.data);
    const history = await kubectl([
      "get",
      "configmap",
      "kfp-upgrade-history",
      "-n",
      kfp.namespace,
      "-o",
      "json",
    ]);
    const appFiles = filesUnder(kfp.appDir);
    expect(Object.keys(appFiles)).toContain(".kfp-upgrade/history.jsonl");
    for (const value of forbidden) {
      for (const [i, run] of runs.entries()) {
        expect(run.stdout, `stdout of run ${i}`).not.toContain(value);
        expect(run.stderr, `stderr of run ${i}`).not.toContain(value);
      }
      for (const [file, text] of Object.entries(appFiles)) expect(text, file).not.toContain(value);
      expect(history, "the kfp-upgrade-history ConfigMap").not.toContain(value);
    }
    expect(await dataState(kfp)).toEqual(kfp.seeded);
    expect(await dataClaims(kfp.namespace)).toEqual({
      "minio-pvc": `Bound ${kfp.objectStore.name}`,
      "mysql-pv-claim": `Bound ${kfp.mysql.name}`,
    });
  });
});

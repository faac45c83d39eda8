import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { appDir } from "../support/app-dir.js";
import { e2eCluster, kubectl } from "../support/e2e-cluster.js";
import {
  boundVolume,
  bundleImages,
  expectDryRunChangesNothing,
  fingerprintsOf,
  hostPathOf,
  imagesIn,
  listDeployments,
  resultBindings,
  secretsIn,
  seedDataDirs,
  testNamespace,
  timed,
  unavailableDeployments,
} from "../support/kfp-install.js";
import { runCli, SHARED_MANIFESTS } from "../support/run-cli.js";

// Issue 13: `uninstall` removes KFP and keeps its data; `reinstall` brings the same KFP back on the same PVs, with
// the same bytes and the same Secrets.

const VERSION = "2.14.4";
const BIN = fileURLToPath(new URL("../../bin/kfp-upgrade.js", import.meta.url));

/** Runs the built CLI on a pseudo-terminal (script(1)), typing `answer` at its prompt; returns what the terminal showed. */
function typedOnTerminal(args: string[], answer: string): Promise<{ exitCode: number; output: string }> {
  const command = [process.execPath, BIN, ...args].map((arg) => `'${arg}'`).join(" ");
  return new Promise((resolve) => {
    const child = execFile(
      "script",
      ["-qec", command, "/dev/null"],
      {
        env: {
          PATH: process.env.PATH ?? "",
          HOME: process.env.HOME ?? "/root",
          NO_COLOR: "1",
          TERM: "dumb",
          KUBECONFIG: e2eCluster().kubeconfigPath,
        },
        timeout: 170_000,
      },
      (error, stdout) =>
        resolve({
          exitCode: error ? (typeof error.code === "number" ? error.code : 1) : 0,
          output: stdout.replaceAll("\r", ""),
        }),
    );
    child.stdin?.end(`${answer}\n`);
  });
}

describe("uninstall keeps the data", () => {
  it("removes every Deployment and Service, keeps claims, PVs and Secrets; reinstall brings KFP back on them", async () => {
    await timed("uninstall, then reinstall", async () => {
      const namespace = testNamespace("uninstall");
      const dir = appDir();
      const deploy = await runCli(
        ["deploy", "--tag", VERSION, "--manifests", SHARED_MANIFESTS, "-n", namespace],
        { appDir: dir },
      );
      expect(deploy.exitCode, deploy.stderr).toBe(0);
      const mysql = await boundVolume(namespace, "mysql-pv-claim");
      const minio = await boundVolume(namespace, "minio-pvc");
      const seeded = await seedDataDirs(hostPathOf(mysql.pv), hostPathOf(minio.pv));
      const secrets = await secretsIn(namespace);
      expect(Object.keys(secrets)).toContain("mysql-secret");

      const plan = (await expectDryRunChangesNothing(["uninstall"], { appDir: dir, namespace })) as {
        command: string;
        steps: { kind: string; objects?: { kind: string }[] }[];
      };
      expect(plan.command).toBe("uninstall");
      const going = plan.steps.flatMap((step) => (step.kind === "prune" ? (step.objects ?? []) : []));
      expect(going.map((ref) => ref.kind)).not.toContain("PersistentVolumeClaim");
      expect(going.map((ref) => ref.kind)).not.toContain("Secret");

      const uninstall = await runCli(["uninstall"], { appDir: dir });
      expect(uninstall.exitCode, uninstall.stderr).toBe(0);
      expect(uninstall.result).toMatchObject({ ok: true, outcome: "succeeded" });
      expect((await listDeployments(namespace)).items).toEqual([]);
      expect((await kubectl(["get", "services", "-n", namespace, "-o", "name"])).trim()).toBe("");
      expect((await kubectl(["get", "pods", "-n", namespace, "-o", "name"])).trim()).toBe("");
      for (const before of [mysql, minio]) {
        const after = await boundVolume(namespace, before.claim.metadata.name);
        expect(after.claim.metadata.uid).toBe(before.claim.metadata.uid);
        expect(after.pv.metadata.uid).toBe(before.pv.metadata.uid);
        expect(after.pv.spec.persistentVolumeReclaimPolicy).toBe("Retain");
      }
      expect(await secretsIn(namespace)).toEqual(secrets);
      expect(await fingerprintsOf(hostPathOf(mysql.pv), hostPathOf(minio.pv))).toEqual(seeded);

      const status = await runCli(["status"], { appDir: dir });
      expect(status.json, status.stdout).toMatchObject({ installedVersion: null });

      const reinstall = await runCli(["reinstall"], { appDir: dir });
      expect(reinstall.exitCode, reinstall.stderr).toBe(0);
      expect(resultBindings(reinstall)).toEqual({
        "mysql-pv-claim": mysql.pv.metadata.uid,
        "minio-pvc": minio.pv.metadata.uid,
      });
      expect(await unavailableDeployments(namespace)).toEqual([]);
      expect(await imagesIn(namespace)).toEqual(bundleImages(VERSION));
      expect(await fingerprintsOf(hostPathOf(mysql.pv), hostPathOf(minio.pv))).toEqual(seeded);
      const after = await secretsIn(namespace);
      for (const [name, state] of Object.entries(secrets))
        expect(after[name]?.data, name).toEqual(state.data);
    });
  }, 600_000);

  it("--delete-data: refused without the namespace's name; with it, the claims go, the Retain PVs and their bytes stay, and reinstall binds them again", async () => {
    await timed("uninstall --delete-data, then reinstall", async () => {
      const namespace = testNamespace("uninstall-data");
      const dir = appDir();
      const deploy = await runCli(
        ["deploy", "--tag", VERSION, "--manifests", SHARED_MANIFESTS, "-n", namespace],
        { appDir: dir },
      );
      expect(deploy.exitCode, deploy.stderr).toBe(0);
      const mysql = await boundVolume(namespace, "mysql-pv-claim");
      const minio = await boundVolume(namespace, "minio-pvc");
      const seeded = await seedDataDirs(hostPathOf(mysql.pv), hostPathOf(minio.pv));

      // --yes is no confirmation of deleting data: without a terminal the name must be given.
      const unconfirmed = await runCli(["uninstall", "--delete-data"], { appDir: dir });
      expect(unconfirmed.exitCode, unconfirmed.stderr).toBe(2);
      expect(unconfirmed.stderr).toContain("code: DELETE_DATA_NOT_CONFIRMED");
      expect(unconfirmed.stderr).toContain(`hint: Pass --confirm-namespace ${namespace}`);
      const wrong = await runCli(["uninstall", "--delete-data", "--confirm-namespace", "kubeflow"], {
        appDir: dir,
      });
      expect(wrong.exitCode, wrong.stderr).toBe(2);
      expect(wrong.stderr).toContain("code: DELETE_DATA_NOT_CONFIRMED");
      // On a terminal (script(1) gives it one) the plan is shown and the name asked for, even with --yes.
      const typed = await typedOnTerminal(
        ["uninstall", "--delete-data", "--yes", "--app-dir", dir],
        "kubeflow",
      );
      expect(typed.output).toContain(
        `uninstall KFP ${VERSION} from namespace ${namespace}, keeping its data`,
      );
      expect(typed.output).toContain(`Type the namespace's name (${namespace}) to delete its data claims:`);
      expect(typed.output).toContain(`"kubeflow" is not "${namespace}": nothing was changed`);
      expect(typed.exitCode).toBe(2);
      expect((await listDeployments(namespace)).items.length).toBeGreaterThan(0);
      expect((await boundVolume(namespace, "mysql-pv-claim")).claim.metadata.uid).toBe(
        mysql.claim.metadata.uid,
      );

      const uninstall = await runCli(["uninstall", "--delete-data", "--confirm-namespace", namespace], {
        appDir: dir,
      });
      expect(uninstall.exitCode, uninstall.stderr).toBe(0);
      expect(uninstall.result).toMatchObject({ ok: true, outcome: "succeeded" });
      expect(
        uninstall.events.find((e) => e.type === "step-end" && String(e.stepId).endsWith("deleteDataClaims")),
      ).toMatchObject({ ok: true });
      expect((await kubectl(["get", "pvc", "-n", namespace, "-o", "name"])).trim()).toBe("");
      for (const before of [mysql, minio]) {
        const pv = JSON.parse(await kubectl(["get", "pv", before.pv.metadata.name, "-o", "json"])) as {
          metadata: { uid: string };
          spec: { persistentVolumeReclaimPolicy: string };
          status: { phase: string };
        };
        expect(pv.metadata.uid).toBe(before.pv.metadata.uid);
        expect(pv.spec.persistentVolumeReclaimPolicy).toBe("Retain");
        expect(pv.status.phase).toBe("Released");
      }
      expect(await fingerprintsOf(hostPathOf(mysql.pv), hostPathOf(minio.pv))).toEqual(seeded);

      const reinstall = await runCli(["reinstall"], { appDir: dir });
      expect(reinstall.exitCode, reinstall.stderr).toBe(0);
      expect(resultBindings(reinstall)).toEqual({
        "mysql-pv-claim": mysql.pv.metadata.uid,
        "minio-pvc": minio.pv.metadata.uid,
      });
      expect(await unavailableDeployments(namespace)).toEqual([]);
      expect(await fingerprintsOf(hostPathOf(mysql.pv), hostPathOf(minio.pv))).toEqual(seeded);
    });
  }, 600_000);

  it("refuses where no KFP is installed, and changes nothing", async () => {
    const namespace = testNamespace("uninstall-none");
    await kubectl(["create", "namespace", namespace]);
    const run = await runCli(["uninstall", "-n", namespace, "--manifests", SHARED_MANIFESTS], {
      appDir: appDir(),
    });
    expect(run.exitCode, run.stderr).toBe(4);
    expect(run.stderr).toContain(`no KFP install found in namespace "${namespace}"`);
  }, 120_000);
});

import { describe, expect, it } from "vitest";
import { appDir } from "../support/app-dir.js";
import { createHostPathPv, uniqueName } from "../support/e2e-cluster.js";
import {
  boundVolume,
  bundleImages,
  expectDryRunChangesNothing,
  fingerprintsOf,
  imagesIn,
  resultBindings,
  secretsIn,
  seedDataDirs,
  stepKinds,
  testNamespace,
  timed,
  unavailableDeployments,
} from "../support/kfp-install.js";
import {
  expectMysqlCanStart,
  mysqlVersionOf,
  recordedMysqlVersion,
  secondServerAttempts,
  serverOverlapsOn,
} from "../support/mysql-data.js";
import { runCli, SHARED_MANIFESTS } from "../support/run-cli.js";

// Scenario 1 of issue 5: deploy KFP 2.5.0 onto two pre-created hostPath PVs (reclaim Retain), then upgrade to
// 2.14.4. The data must stay on the same PVs (same UIDs, same bytes) and the Secrets must not be rewritten.

describe("deploy onto pre-created PVs, then upgrade", () => {
  it("deploys 2.5.0 onto two Retain PVs and upgrades to 2.14.4 with the same PVs, data and Secrets", async () => {
    await timed("scenario 1 (deploy 2.5.0 on PVs -> upgrade 2.14.4)", async () => {
      const namespace = testNamespace("s1");
      const dir = appDir();
      const mysqlPv = await createHostPathPv(uniqueName("s1-mysql"), { capacity: "20Gi" });
      const minioPv = await createHostPathPv(uniqueName("s1-minio"), { capacity: "20Gi" });
      const seeded = await seedDataDirs(mysqlPv.path, minioPv.path, {
        mysqlVersion: mysqlVersionOf("2.5.0"),
      });
      expect(seeded.mysql).toMatch(/^[0-9a-f]{64}$/);
      expect(seeded.objectStore).toMatch(/^[0-9a-f]{64}$/);

      const deployArgs = [
        "deploy",
        "--tag",
        "2.5.0",
        "--mysql-pv",
        mysqlPv.name,
        "--minio-pv",
        minioPv.name,
        "--manifests",
        SHARED_MANIFESTS,
        "-n",
        namespace,
      ];
      // Scenario 7 at the first starting point: no namespace yet, two Available PVs.
      expect(await expectDryRunChangesNothing(deployArgs, { appDir: dir, namespace })).toMatchObject({
        command: "deploy",
        to: "2.5.0",
        storage: [
          { claim: "mysql-pv-claim", mode: "pvName", volumeName: mysqlPv.name },
          { claim: "minio-pvc", mode: "pvName", volumeName: minioPv.name },
        ],
      });

      const deploy = await timed("scenario 1: deploy 2.5.0", () => runCli(deployArgs, { appDir: dir }));
      expect(deploy.exitCode, deploy.stderr).toBe(0);
      expect(deploy.result).toMatchObject({ ok: true, outcome: "succeeded" });
      expect(resultBindings(deploy)).toEqual({ "mysql-pv-claim": mysqlPv.uid, "minio-pvc": minioPv.uid });
      expect(await imagesIn(namespace)).toEqual(bundleImages("2.5.0"));
      expect(await unavailableDeployments(namespace)).toEqual([]);
      const mysqlBefore = await boundVolume(namespace, "mysql-pv-claim");
      const minioBefore = await boundVolume(namespace, "minio-pvc");
      expect(mysqlBefore.pv.metadata.uid).toBe(mysqlPv.uid);
      expect(minioBefore.pv.metadata.uid).toBe(minioPv.uid);
      const secretsBefore = await secretsIn(namespace);
      expect(Object.keys(secretsBefore).sort()).toEqual(["mlpipeline-minio-artifact", "mysql-secret"]);

      // Scenario 7 at this starting point: the dry run prints the upgrade plan and changes nothing.
      expect(
        await expectDryRunChangesNothing(["upgrade", "--tag", "2.14.4"], { appDir: dir, namespace }),
      ).toMatchObject({ command: "upgrade", namespace, from: "2.5.0", to: "2.14.4" });

      // CI gating: --dry-run --exit-code exits 2 while the plan would change something, 0 once it would not.
      const gate = () => runCli(["upgrade", "--tag", "2.14.4", "--dry-run", "--exit-code"], { appDir: dir });
      expect((await gate()).exitCode).toBe(2);

      const upgrade = await timed("scenario 1: upgrade 2.5.0 -> 2.14.4", () =>
        runCli(["upgrade", "--tag", "2.14.4"], { appDir: dir }),
      );
      expect(upgrade.exitCode, upgrade.stderr).toBe(0);
      expect(upgrade.result).toMatchObject({ ok: true, outcome: "succeeded" });
      expect(resultBindings(upgrade)).toEqual({ "mysql-pv-claim": mysqlPv.uid, "minio-pvc": minioPv.uid });
      expect(Object.values(stepKinds(upgrade))).toEqual(
        expect.arrayContaining(["waitRollout", "verifyBinding"]),
      );

      expect(await unavailableDeployments(namespace)).toEqual([]);
      const images = await imagesIn(namespace);
      expect(images).toEqual(bundleImages("2.14.4"));
      expect(images["ml-pipeline"]?.["ml-pipeline-api-server"]).toBe(
        "ghcr.io/kubeflow/kfp-api-server:2.14.4",
      );
      expect(images.mysql?.mysql).toBe("mysql:8.4");
      const again = await gate();
      expect(again.exitCode, again.stderr).toBe(0);

      const mysqlAfter = await boundVolume(namespace, "mysql-pv-claim");
      const minioAfter = await boundVolume(namespace, "minio-pvc");
      expect(mysqlAfter.pv.metadata.uid).toBe(mysqlPv.uid);
      expect(minioAfter.pv.metadata.uid).toBe(minioPv.uid);
      expect(mysqlAfter.claim.metadata.uid).toBe(mysqlBefore.claim.metadata.uid);
      expect(minioAfter.claim.metadata.uid).toBe(minioBefore.claim.metadata.uid);
      expect(mysqlAfter.pv.spec.persistentVolumeReclaimPolicy).toBe("Retain");
      expect(minioAfter.pv.spec.persistentVolumeReclaimPolicy).toBe("Retain");
      expect(await secretsIn(namespace)).toEqual(secretsBefore);
      expect(await fingerprintsOf(mysqlPv.path, minioPv.path)).toEqual(seeded);
      // Under the data-store simulation: MySQL 8.4 runs on the data (recorded 8.0.26 -> 8.4.0, one series up),
      // would start on it again, and no two servers ever ran on it.
      expect(await recordedMysqlVersion(mysqlPv.path)).toBe("8.4.0");
      await expectMysqlCanStart({ namespace, dir: mysqlPv.path });
      expect(await secondServerAttempts(mysqlPv.path)).toEqual([]);
      expect(await serverOverlapsOn(mysqlPv.path)).toEqual([]);
    });
  }, 600_000);
});

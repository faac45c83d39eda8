import { describe, expect, it, onTestFinished } from "vitest";
import { startCluster } from "../../local-cluster/local-cluster.js";
import { newClusterStateDir } from "../../local-cluster/state-dirs.js";
import { appDir } from "../support/app-dir.js";
import { kubectl } from "../support/e2e-cluster.js";
import {
  boundVolume,
  bundleImages,
  expectDryRunChangesNothing,
  fingerprintsOf,
  hostPathOf,
  imagesIn,
  type Pv,
  resultBindings,
  seedDataDirs,
  testNamespace,
  timed,
  unavailableDeployments,
} from "../support/kfp-install.js";
import { runCli, SHARED_MANIFESTS } from "../support/run-cli.js";

// Scenario 4 of issue 5: the cluster is gone but the disks are not. `reinstall` against a second, fresh control
// plane recreates the data PVs from the definitions the deploy saved in .kfp-upgrade/volumes/ and binds KFP to
// them. Both control planes run on this machine, so the second one sees the same hostPath directories.

const VERSION = "2.14.4";

/** The parts of a PV spec that describe the storage (claimRef is per cluster). */
function storageSpec(pv: Pv): Omit<Pv["spec"], "claimRef"> {
  const { claimRef: _claimRef, ...spec } = pv.spec;
  return spec;
}

describe("reinstall into a new cluster", () => {
  it("recreates the saved PVs with identical specs in a fresh control plane and binds KFP to them", async () => {
    await timed("scenario 4 (deploy, reinstall into a second control plane)", async () => {
      const namespace = testNamespace("s4");
      const dir = appDir();
      const deploy = await timed("scenario 4: deploy", () =>
        runCli(["deploy", "--tag", VERSION, "--manifests", SHARED_MANIFESTS, "-n", namespace], {
          appDir: dir,
        }),
      );
      expect(deploy.exitCode, deploy.stderr).toBe(0);
      const mysql = await boundVolume(namespace, "mysql-pv-claim");
      const minio = await boundVolume(namespace, "minio-pvc");
      const seeded = await seedDataDirs(hostPathOf(mysql.pv), hostPathOf(minio.pv));

      const second = await timed("scenario 4: start the second control plane", async () =>
        startCluster({ stateDir: await newClusterStateDir("second") }),
      );
      onTestFinished(() => second.stop());
      const there = { kubeconfigPath: second.kubeconfigPath };
      const pvsThere = await kubectl(["get", "persistentvolumes", "-o", "name"], there);
      expect(pvsThere.trim()).toBe("");

      // Scenario 7 at this starting point (an empty cluster).
      const plan = (await expectDryRunChangesNothing(["reinstall"], {
        appDir: dir,
        namespace,
        ...there,
      })) as {
        command: string;
        steps: { kind: string; volume?: { metadata: { name: string } } }[];
      };
      expect(plan.command).toBe("reinstall");
      expect(
        plan.steps.filter((step) => step.kind === "ensureVolume").map((step) => step.volume?.metadata.name),
      ).toEqual([mysql.pv.metadata.name, minio.pv.metadata.name]);

      const reinstall = await timed("scenario 4: reinstall into the second control plane", () =>
        runCli(["reinstall"], { appDir: dir, ...there }),
      );
      expect(reinstall.exitCode, reinstall.stderr).toBe(0);
      expect(reinstall.result).toMatchObject({ ok: true, outcome: "succeeded" });

      const mysqlThere = await boundVolume(namespace, "mysql-pv-claim", there);
      const minioThere = await boundVolume(namespace, "minio-pvc", there);
      expect(mysqlThere.pv.metadata.name).toBe(mysql.pv.metadata.name);
      expect(minioThere.pv.metadata.name).toBe(minio.pv.metadata.name);
      expect(storageSpec(mysqlThere.pv)).toEqual(storageSpec(mysql.pv));
      expect(storageSpec(minioThere.pv)).toEqual(storageSpec(minio.pv));
      expect(mysqlThere.pv.spec.persistentVolumeReclaimPolicy).toBe("Retain");
      expect(minioThere.pv.spec.persistentVolumeReclaimPolicy).toBe("Retain");
      expect(resultBindings(reinstall)).toEqual({
        "mysql-pv-claim": mysqlThere.pv.metadata.uid,
        "minio-pvc": minioThere.pv.metadata.uid,
      });
      expect(await unavailableDeployments(namespace, there)).toEqual([]);
      expect(await imagesIn(namespace, there)).toEqual(bundleImages(VERSION));
      expect(await fingerprintsOf(hostPathOf(mysqlThere.pv), hostPathOf(minioThere.pv))).toEqual(seeded);
    });
  }, 600_000);
});

import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { pkiPaths } from "../../local-cluster/generate-pki.js";
import { createKubeRest } from "../../local-cluster/kube-rest.js";
import {
  LOCAL_DIR_CSI_DRIVER,
  runSnapshotController,
  snapshotCopyDir,
} from "../../local-cluster/snapshot-controller-simulation.js";
import { installVolumeSnapshotCrds } from "../../local-cluster/volume-snapshot-crds.js";
import { BACKUP_OF_LABEL } from "../../src/model/backup.js";
import { appDir } from "../support/app-dir.js";
import { createHostPathPv, e2eCluster, kubectl, kubectlJson, uniqueName } from "../support/e2e-cluster.js";
import {
  bundleImages,
  deleteNamespaceAndWait,
  fingerprintsOf,
  imagesIn,
  seedDataDirs,
  testNamespace,
  timed,
} from "../support/kfp-install.js";
import { mysqlVersionOf } from "../support/mysql-data.js";
import { type CliEvent, type CliRun, runCli, SHARED_MANIFESTS } from "../support/run-cli.js";
import { volumeFingerprint } from "../support/volume-fingerprint.js";

// Issue 11, backups before one-way steps, on any cluster: the CSI path. 2.5.0 -> 2.14.4 moves MySQL 8.0 -> 8.4 (a
// one-way step). With the VolumeSnapshot CRDs, a class for the test's CSI driver and the harness standing in for the
// snapshot controller (local-cluster/snapshot-controller-simulation.ts), `--backup` snapshots both data claims before
// the first change; without a class it refuses and prints the commands that back the data up by hand.

interface VolumeSnapshot {
  metadata: { name: string; uid: string; labels?: Record<string, string> };
  spec: { source: { persistentVolumeClaimName?: string }; volumeSnapshotClassName?: string };
  status?: { readyToUse?: boolean; boundVolumeSnapshotContentName?: string; restoreSize?: string };
}

/** A CSI PV of the test driver whose volumeHandle is a directory on this machine (kwok pods never mount it). */
async function createCsiDirPv(name: string): Promise<{ name: string; path: string; uid: string }> {
  const path = join(e2eCluster().hostPathRoot, name);
  await mkdir(path, { recursive: true });
  const created = JSON.parse(
    await kubectl(["create", "-f", "-", "-o", "json"], {
      input: JSON.stringify({
        apiVersion: "v1",
        kind: "PersistentVolume",
        metadata: { name },
        spec: {
          capacity: { storage: "20Gi" },
          accessModes: ["ReadWriteOnce"],
          persistentVolumeReclaimPolicy: "Retain",
          storageClassName: "",
          csi: { driver: LOCAL_DIR_CSI_DRIVER, volumeHandle: path },
        },
      }),
    }),
  ) as { metadata: { uid: string } };
  onTestFinished(async () => {
    await kubectl(["delete", "persistentvolume", name, "--wait=false", "--ignore-not-found"]);
    await rm(path, { recursive: true, force: true });
  });
  return { name, path, uid: created.metadata.uid };
}

/** The CRDs (kept: other tests may use them), a class for the test driver, and the stand-in controller. */
async function snapshotSupport(): Promise<void> {
  const { apiServerUrl, stateDir } = e2eCluster();
  const rest = await createKubeRest(apiServerUrl, pkiPaths(join(stateDir, "pki")));
  await installVolumeSnapshotCrds(rest);
  const className = uniqueName("bk-class");
  await kubectl(["create", "-f", "-"], {
    input: JSON.stringify({
      apiVersion: "snapshot.storage.k8s.io/v1",
      kind: "VolumeSnapshotClass",
      metadata: { name: className },
      driver: LOCAL_DIR_CSI_DRIVER,
      deletionPolicy: "Retain",
    }),
  });
  const controller = new AbortController();
  const running = runSnapshotController({ rest, stateDir, signal: controller.signal, log: () => undefined });
  onTestFinished(async () => {
    controller.abort();
    await running;
    await kubectl(["delete", "volumesnapshotclass", className, "--ignore-not-found"]);
  });
}

async function deploy250(namespace: string, dir: string, mysqlPv: string, minioPv: string): Promise<void> {
  const deploy = await runCli(
    [
      "deploy",
      "--tag",
      "2.5.0",
      "--mysql-pv",
      mysqlPv,
      "--minio-pv",
      minioPv,
      "--manifests",
      SHARED_MANIFESTS,
      "-n",
      namespace,
    ],
    { appDir: dir },
  );
  expect(deploy.exitCode, deploy.stderr).toBe(0);
}

function stepOrder(run: CliRun): string[] {
  return run.events
    .filter((e) => e.type === "step-start" || e.type === "step-end")
    .map((e) => `${String(e.type)} ${String(e.stepId)}`);
}

describe("backups before one-way steps", () => {
  it("--backup snapshots both data claims before the first change of an upgrade, records them, and lists them", async () => {
    await timed("backups: CSI snapshots before 2.5.0 -> 2.14.4", async () => {
      await snapshotSupport();
      const namespace = testNamespace("bk");
      const dir = appDir();
      const mysqlPv = await createCsiDirPv(uniqueName("bk-mysql"));
      const minioPv = await createCsiDirPv(uniqueName("bk-minio"));
      await seedDataDirs(mysqlPv.path, minioPv.path, { mysqlVersion: mysqlVersionOf("2.5.0") });
      await deploy250(namespace, dir, mysqlPv.name, minioPv.name);
      onTestFinished(async () => {
        const contents = await kubectlJson<{
          items: { metadata: { name: string }; spec: { volumeSnapshotRef: { namespace: string } } }[];
        }>(["get", "volumesnapshotcontents"]);
        for (const c of contents.items.filter(
          (item) => item.spec.volumeSnapshotRef.namespace === namespace,
        )) {
          await kubectl(["delete", "volumesnapshotcontent", c.metadata.name, "--ignore-not-found"]);
        }
      });
      const atSnapshot = await fingerprintsOf(mysqlPv.path, minioPv.path);

      // The dry run shows the backup step first and changes nothing.
      const dry = await runCli(["upgrade", "--tag", "2.14.4", "--backup", "--dry-run"], { appDir: dir });
      expect(dry.exitCode, dry.stderr).toBe(0);
      const planned = dry.json as { steps: { kind: string }[]; oneWay: string[] };
      expect(planned.steps[0]?.kind).toBe("backupVolumes");
      expect(planned.oneWay).toEqual([
        expect.stringContaining("MySQL 8.0 → 8.4 upgrades the data directory"),
      ]);

      const upgrade = await runCli(["upgrade", "--tag", "2.14.4", "--backup"], { appDir: dir });
      expect(upgrade.exitCode, upgrade.stderr).toBe(0);
      expect(upgrade.result).toMatchObject({ ok: true, outcome: "succeeded" });
      // The backup is the first step, and it ended (ready) before the second started.
      const order = stepOrder(upgrade);
      expect(order[0]).toMatch(/^step-start \d+-backupVolumes$/);
      expect(order[1]).toMatch(/^step-end \d+-backupVolumes$/);
      const backupEnd = upgrade.events.find(
        (e) => e.type === "step-end" && String(e.stepId).endsWith("backupVolumes"),
      );
      expect(backupEnd).toMatchObject({ ok: true, message: expect.stringMatching(/^2 backups ready/) });
      expect(
        upgrade.events.some((e) => e.type === "step-progress" && String(e.message).includes("readyToUse")),
      ).toBe(true);
      expect(await imagesIn(namespace)).toEqual(bundleImages("2.14.4"));

      const snapshots = await kubectlJson<{ items: VolumeSnapshot[] }>([
        "get",
        "volumesnapshots",
        "-n",
        namespace,
        "-l",
        `${BACKUP_OF_LABEL}=${namespace}`,
      ]);
      const byClaim = Object.fromEntries(
        snapshots.items.map((s) => [s.spec.source.persistentVolumeClaimName ?? "", s]),
      );
      expect(Object.keys(byClaim).sort()).toEqual(["minio-pvc", "mysql-pv-claim"]);
      for (const s of snapshots.items) {
        expect(s.status?.readyToUse).toBe(true);
        expect(s.metadata.name).toMatch(
          new RegExp(`^${namespace}-(mysql|objects)-2\\.5\\.0-to-2\\.14\\.4-\\d{8}t\\d{6}$`),
        );
      }
      // Each snapshot holds the volume's bytes as they were when it was cut.
      const { stateDir } = e2eCluster();
      const mysqlSnapshot = byClaim["mysql-pv-claim"];
      const minioSnapshot = byClaim["minio-pvc"];
      if (!mysqlSnapshot || !minioSnapshot) throw new Error("both snapshots exist (checked above)");
      expect(await volumeFingerprint(snapshotCopyDir(stateDir, mysqlSnapshot.metadata.uid))).toBe(
        atSnapshot.mysql,
      );
      expect(await volumeFingerprint(snapshotCopyDir(stateDir, minioSnapshot.metadata.uid))).toBe(
        atSnapshot.objectStore,
      );

      // Recorded in the run's history entry, listed by `backups`, shown by `status`.
      const history = await runCli(["history"], { appDir: dir });
      const last = (
        history.json as { command: string; backups?: { snapshot: string; claim: string }[] }[]
      ).at(-1);
      expect(last?.command).toBe("upgrade");
      expect(last?.backups?.map((b) => b.snapshot).sort()).toEqual(
        snapshots.items.map((s) => s.metadata.name).sort(),
      );
      const listed = await runCli(["backups"], { appDir: dir });
      expect(listed.exitCode, listed.stderr).toBe(0);
      expect(listed.json).toMatchObject({
        namespace,
        snapshotApi: true,
        snapshots: expect.arrayContaining([
          expect.objectContaining({ claim: "mysql-pv-claim", readyToUse: true, from: "2.5.0", to: "2.14.4" }),
          expect.objectContaining({ claim: "minio-pvc", readyToUse: true, from: "2.5.0", to: "2.14.4" }),
        ]),
        recorded: [expect.objectContaining({ command: "upgrade", from: "2.5.0", to: "2.14.4" })],
      });
      const text = await runCli(["backups"], { appDir: dir, machine: false });
      expect(text.stdout).toContain(`VolumeSnapshots in namespace ${namespace}:`);
      const shown = await runCli(["status"], { appDir: dir });
      expect(shown.json).toMatchObject({
        backups: {
          command: "upgrade",
          snapshots: [expect.objectContaining({ inCluster: true }), expect.anything()],
        },
      });

      // A reinstall with --backup onto the Released PVs: the plan creates the claims, so the backup follows them and
      // precedes every workload; the snapshot controller cuts each once its claim is Bound.
      await deleteNamespaceAndWait(namespace);
      const afterUpgrade = await fingerprintsOf(mysqlPv.path, minioPv.path);
      const reinstall = await runCli(["reinstall", "--backup"], { appDir: dir });
      expect(reinstall.exitCode, reinstall.stderr).toBe(0);
      const shownPlan = (
        reinstall.events.find((e) => e.type === "plan") as CliEvent & {
          plan: { steps: { kind: string; objects?: { object: { kind: string } }[] }[] };
        }
      ).plan;
      const at = shownPlan.steps.findIndex((step) => step.kind === "backupVolumes");
      expect(at).toBeGreaterThan(shownPlan.steps.findIndex((step) => step.kind === "ensureClaim"));
      const workloadsBefore = shownPlan.steps
        .slice(0, at)
        .flatMap((step) => (step.kind === "applyObjects" ? (step.objects ?? []) : []))
        .filter(({ object }) => object.kind === "Deployment");
      expect(workloadsBefore).toEqual([]);
      const reinstallOrder = stepOrder(reinstall);
      const startAt = reinstallOrder.findIndex((line) => /^step-start \d+-backupVolumes$/.test(line));
      expect(reinstallOrder[startAt + 1]).toMatch(/^step-end \d+-backupVolumes$/);
      const again = await kubectlJson<{ items: VolumeSnapshot[] }>([
        "get",
        "volumesnapshots",
        "-n",
        namespace,
        "-l",
        `${BACKUP_OF_LABEL}=${namespace}`,
      ]);
      expect(again.items.map((item) => item.status?.readyToUse)).toEqual([true, true]);
      for (const item of again.items) {
        expect(item.metadata.name).toMatch(new RegExp(`^${namespace}-(mysql|objects)-none-to-2\\.14\\.4-`));
        const role =
          item.spec.source.persistentVolumeClaimName === "mysql-pv-claim" ? "mysql" : "objectStore";
        expect(await volumeFingerprint(snapshotCopyDir(stateDir, item.metadata.uid))).toBe(
          afterUpgrade[role],
        );
      }
      const afterReinstall = (await runCli(["history"], { appDir: dir })).json as {
        command: string;
        backups?: unknown[];
      }[];
      expect(afterReinstall.at(-1)).toMatchObject({
        command: "reinstall",
        backups: [expect.anything(), expect.anything()],
      });
    });
  }, 600_000);

  it("on hostPath volumes: --backup refuses with the manual commands, and --yes without a choice refuses the one-way plan", async () => {
    await timed("backups: no snapshot possible", async () => {
      const namespace = testNamespace("bk-manual");
      const dir = appDir();
      const mysqlPv = await createHostPathPv(uniqueName("bk-mysql-hp"), { capacity: "20Gi" });
      const minioPv = await createHostPathPv(uniqueName("bk-minio-hp"), { capacity: "20Gi" });
      await seedDataDirs(mysqlPv.path, minioPv.path, { mysqlVersion: mysqlVersionOf("2.5.0") });
      await deploy250(namespace, dir, mysqlPv.name, minioPv.name);

      const backup = await runCli(["upgrade", "--tag", "2.14.4", "--backup"], { appDir: dir });
      expect(backup.exitCode, backup.stderr).toBe(4);
      expect(backup.stderr).toContain("BACKUP_UNAVAILABLE");
      expect(backup.stderr).toContain(`PV ${mysqlPv.name} is a hostPath volume, not a CSI one`);
      expect(backup.stderr).toContain(
        `kubectl -n ${namespace} exec deploy/mysql -- mysqldump -u root --all-databases --single-transaction --routines --events > ${namespace}-mysql-2.5.0.sql`,
      );
      expect(backup.stderr).toContain(`kubectl -n ${namespace} exec deploy/minio -- tar -C /data -cf - .`);
      expect(backup.stderr).toContain(`tar -C ${mysqlPv.path} -czf`);

      const unchosen = await runCli(["upgrade", "--tag", "2.14.4"], { appDir: dir, chooseNoBackup: false });
      expect(unchosen.exitCode, unchosen.stderr).toBe(4);
      expect(unchosen.stderr).toContain("BACKUP_CHOICE_REQUIRED");
      expect(unchosen.stderr).toContain("--no-backup");
      // Nothing but the protective steps ran: KFP is still 2.5.0, and nothing claims to have backed anything up.
      expect(await imagesIn(namespace)).toEqual(bundleImages("2.5.0"));
      const history = (await runCli(["history"], { appDir: dir })).json as {
        outcome: string;
        backups?: unknown;
      }[];
      expect(history.slice(-2).map((e) => e.outcome)).toEqual(["refused", "refused"]);
      expect(history.every((e) => e.backups === undefined)).toBe(true);
    });
  }, 600_000);
});

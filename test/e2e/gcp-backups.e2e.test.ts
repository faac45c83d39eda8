import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appDir } from "../support/app-dir.js";
import { changedObjects, clusterState } from "../support/cluster-state.js";
import { kubectl } from "../support/e2e-cluster.js";
import { type GcloudStandIn, startGcloudStandIn } from "../support/gcloud-stand-in.js";
import { bundleImages, imagesIn, testNamespace, timed } from "../support/kfp-install.js";
import { type CliRun, runCli, SHARED_MANIFESTS } from "../support/run-cli.js";

// Issue 11, backups before one-way steps on GCP: an app whose platform is gcp keeps its data on two persistent disks
// (--mysql-pd/--minio-pd). `upgrade --backup` over 2.5.0 -> 2.14.4 (MySQL 8.0 -> 8.4, one-way) has the REAL gcloud
// (throwaway CLOUDSDK_CONFIG, api_endpoint_overrides -> the stand-in on 127.0.0.1) snapshot both disks, waits until
// the snapshots are READY, and only then changes the cluster. What this cannot show: how long a real snapshot of a
// 200 GB disk takes, or real IAM and quotas (the stand-in's errors are the documented shapes; see gcloud-stand-in.ts).

const PROJECT = "kfp-e2e-project";
const ZONE = "us-central1-a";

let standIn: GcloudStandIn;
let gcloudEnv: Record<string, string>;

beforeAll(async () => {
  standIn = await startGcloudStandIn({ project: PROJECT });
  gcloudEnv = { CLOUDSDK_CONFIG: await standIn.configDir() };
  await kubectl(["label", "nodes", "--all", `topology.kubernetes.io/zone=${ZONE}`, "--overwrite"]);
}, 120_000);
afterAll(() => standIn?.close());

function stepOrder(run: CliRun): string[] {
  return run.events
    .filter((e) => e.type === "step-start" || e.type === "step-end")
    .map((e) => `${String(e.type)} ${String(e.stepId)}`);
}

/** A gcp app deployed at 2.5.0 onto two fresh disks of the stand-in. */
async function deployOnDisks(
  namespace: string,
): Promise<{ dir: string; mysqlDisk: string; minioDisk: string }> {
  const mysqlDisk = `${namespace}-storage-metadata-store`;
  const minioDisk = `${namespace}-storage-artifact-store`;
  standIn.addDisk({ name: mysqlDisk, zone: ZONE, sizeGb: 20 });
  standIn.addDisk({ name: minioDisk, zone: ZONE, sizeGb: 200 });
  const dir = appDir({
    "kfp-app.yaml": [
      "apiVersion: kfp-upgrade/v1",
      "kind: KfpApp",
      `namespace: ${namespace}`,
      "platform:",
      "  type: gcp",
      `  project: ${PROJECT}`,
      `  zone: ${ZONE}`,
      "",
    ].join("\n"),
  });
  const deploy = await timed("gcp backups: deploy 2.5.0", () =>
    runCli(
      [
        "deploy",
        "--tag",
        "2.5.0",
        "--manifests",
        SHARED_MANIFESTS,
        "--mysql-pd",
        mysqlDisk,
        "--minio-pd",
        minioDisk,
      ],
      { appDir: dir, env: gcloudEnv },
    ),
  );
  expect(deploy.exitCode, deploy.stderr).toBe(0);
  return { dir, mysqlDisk, minioDisk };
}

describe("GCP disk snapshots before one-way steps, with the real gcloud", () => {
  it("upgrade --backup snapshots both disks before the first change, records them, and `backups` and `status` show them", async () => {
    await timed("gcp backups: snapshots before 2.5.0 -> 2.14.4", async () => {
      const namespace = testNamespace("gcp-bk");
      const { dir, mysqlDisk, minioDisk } = await deployOnDisks(namespace);

      // The dry run names the snapshots the run will take.
      const dry = await runCli(["upgrade", "--tag", "2.14.4", "--backup", "--dry-run"], {
        appDir: dir,
        env: gcloudEnv,
      });
      expect(dry.exitCode, dry.stderr).toBe(0);
      expect(JSON.stringify(dry.json)).toContain(`"method":"gcp-snapshot"`);

      // At each snapshot request (gcloud waits for the answer), what of the cluster has changed since the upgrade
      // began: only the run's lock Lease may have.
      const before = await clusterState([namespace]);
      const changedAtSnapshot: string[][] = [];
      standIn.requests.length = 0;
      standIn.onRequest(async (request) => {
        if (request.method === "POST" && request.path.endsWith("/global/snapshots")) {
          changedAtSnapshot.push(changedObjects(before, await clusterState([namespace])));
        }
      });
      const upgrade = await timed("gcp backups: upgrade --backup", () =>
        runCli(["upgrade", "--tag", "2.14.4", "--backup"], { appDir: dir, env: gcloudEnv }),
      );
      standIn.onRequest(null);
      expect(upgrade.exitCode, upgrade.stderr).toBe(0);
      expect(upgrade.result).toMatchObject({ ok: true, outcome: "succeeded" });

      const snapshotPosts = standIn.requests.filter(
        (r) => r.method === "POST" && r.path === `/compute/v1/projects/${PROJECT}/global/snapshots`,
      );
      const bodies = snapshotPosts.map((r) => r.body as { name: string; sourceDisk: string });
      expect(bodies.map((b) => b.sourceDisk.split("/").slice(-4).join("/"))).toEqual([
        `zones/${ZONE}/disks/${mysqlDisk}`,
        `zones/${ZONE}/disks/${minioDisk}`,
      ]);
      const names = bodies.map((b) => b.name);
      for (const [index, role] of ["mysql", "objects"].entries()) {
        const name = names[index] ?? "";
        expect(name.length).toBeLessThanOrEqual(63);
        expect(name).toMatch(new RegExp(`^[a-z][a-z0-9-]*-${role}-2-5-0-to-2-14-4-\\d{8}t\\d{6}$`));
        expect(standIn.snapshot(name)?.status).toBe("READY");
      }
      expect(changedAtSnapshot).toHaveLength(2);
      for (const changed of changedAtSnapshot) {
        expect(changed.filter((key) => !key.startsWith("Lease/"))).toEqual([]);
      }
      // The backup is the first step, and it ended (both READY) before the second started.
      const order = stepOrder(upgrade);
      expect(order[0]).toMatch(/^step-start \d+-backupVolumes$/);
      expect(order[1]).toMatch(/^step-end \d+-backupVolumes$/);
      expect(
        upgrade.events.find((e) => e.type === "step-end" && String(e.stepId).endsWith("backupVolumes")),
      ).toMatchObject({ ok: true, message: expect.stringMatching(/^2 backups ready: GCP snapshot /) });
      expect(
        upgrade.events.some(
          (e) => e.type === "step-progress" && String(e.message).endsWith(`${names[0]} is READY`),
        ),
      ).toBe(true);
      expect(await imagesIn(namespace)).toEqual(bundleImages("2.14.4"));

      // Recorded in the run's history entry, listed by `backups`, shown by `status`.
      const listed = await runCli(["backups"], { appDir: dir });
      expect(listed.exitCode, listed.stderr).toBe(0);
      expect(listed.json).toMatchObject({
        recorded: [
          {
            command: "upgrade",
            from: "2.5.0",
            to: "2.14.4",
            backups: [
              expect.objectContaining({
                method: "gcp-snapshot",
                claim: "mysql-pv-claim",
                snapshot: names[0],
                project: PROJECT,
                disk: mysqlDisk,
                zone: ZONE,
                diskSizeGb: "20",
              }),
              expect.objectContaining({
                method: "gcp-snapshot",
                claim: "minio-pvc",
                snapshot: names[1],
                disk: minioDisk,
                diskSizeGb: "200",
              }),
            ],
          },
        ],
      });
      const text = await runCli(["backups"], { appDir: dir, machine: false });
      expect(text.stdout).toContain(`GCP snapshot ${names[0]} (project ${PROJECT}): mysql-pv-claim`);
      const shown = await runCli(["status"], { appDir: dir });
      expect(shown.json).toMatchObject({
        backups: {
          command: "upgrade",
          snapshots: [
            expect.objectContaining({ method: "gcp-snapshot", snapshot: names[0], inCluster: null }),
            expect.objectContaining({ method: "gcp-snapshot", snapshot: names[1] }),
          ],
        },
      });
    });
  }, 600_000);

  it("a quota error on the first snapshot stops the upgrade before any change (exit 10); resume takes the snapshots and finishes", async () => {
    await timed("gcp backups: quota, then resume", async () => {
      const namespace = testNamespace("gcp-bkq");
      const { dir } = await deployOnDisks(namespace);
      const before = await clusterState([namespace]);
      standIn.requests.length = 0;
      standIn.fail({ method: "POST", path: /\/global\/snapshots$/, kind: "quota", times: 1 });
      const failed = await runCli(["upgrade", "--tag", "2.14.4", "--backup"], {
        appDir: dir,
        env: gcloudEnv,
      });
      expect(failed.exitCode, failed.stderr).toBe(10);
      expect(failed.stderr).toContain("GCP_QUOTA");
      expect(failed.stderr).toMatch(
        /the command that failed: gcloud compute snapshots create \S+-mysql-2-5-0-to-2-14-4-\d{8}t\d{6} --source-disk \S+ --source-disk-zone us-central1-a --project kfp-e2e-project --format=json/,
      );
      expect(failed.stderr).toContain("`kfp-upgrade resume` takes the snapshots and continues it");
      expect(failed.stderr).not.toContain("ERROR: (gcloud");
      // After the run: its history entry in the namespace's kfp-upgrade-history ConfigMap (kfp-upgrade's own record).
      expect(
        changedObjects(before, await clusterState([namespace])).filter(
          (key) => !key.startsWith("Lease/") && key !== `ConfigMap/${namespace}/kfp-upgrade-history`,
        ),
      ).toEqual([]);
      expect(await imagesIn(namespace)).toEqual(bundleImages("2.5.0"));
      expect(
        standIn.requestLines().filter((line) => line.startsWith("POST") && line.endsWith("/snapshots")),
      ).toEqual([`POST /compute/v1/projects/${PROJECT}/global/snapshots`]);

      // The journal keeps the plan, so the snapshots keep their names; the stand-in failed one request only.
      const resumed = await runCli(["resume"], { appDir: dir, env: gcloudEnv });
      expect(resumed.exitCode, resumed.stderr).toBe(0);
      const names = standIn.requests
        .filter((r) => r.method === "POST" && r.path.endsWith("/global/snapshots"))
        .map((r) => (r.body as { name: string }).name);
      expect(names).toHaveLength(3);
      expect(names[1]).toBe(names[0]);
      for (const name of names) expect(standIn.snapshot(name)?.status).toBe("READY");
      expect(await imagesIn(namespace)).toEqual(bundleImages("2.14.4"));
    });
  }, 600_000);
});

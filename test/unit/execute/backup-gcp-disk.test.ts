import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GcpError, VerificationFailed } from "../../../src/errors.js";
import { backupVolumes } from "../../../src/execute/backup-volumes.js";
import { createGcloud } from "../../../src/gcp/gcloud.js";
import type { BackupRecord } from "../../../src/model/backup.js";
import type { StepOf } from "../../../src/plan/step.js";
import { FakeKubeClient } from "../../support/fake-kube-client.js";
import { type GcloudStandIn, startGcloudStandIn } from "../../support/gcloud-stand-in.js";
import { NS, recordingContext } from "./executor-fixtures.js";

const PROJECT = "kf-proj";
const ZONE = "us-central1-a";
const COMPUTE = `/compute/v1/projects/${PROJECT}`;
let standIn: GcloudStandIn;
let configDir: string;

beforeAll(async () => {
  standIn = await startGcloudStandIn({ project: PROJECT, snapshotReadyAfterGets: 2 });
  configDir = await standIn.configDir();
  standIn.addDisk({ name: "kf-metadata", zone: ZONE, sizeGb: 20 });
  standIn.addDisk({ name: "kf-artifacts", zone: ZONE, sizeGb: 200 });
}, 60_000);
afterAll(() => standIn.close());
beforeEach(() => {
  standIn.requests.length = 0;
});

function step(suffix: string): StepOf<"backupVolumes"> {
  const target = (role: "mysql" | "objectStore", claim: string, disk: string) => ({
    method: "gcp-snapshot" as const,
    role,
    claim,
    volume: `pv-${disk}`,
    project: PROJECT,
    disk,
    zone: ZONE,
    region: null,
    name: `kubeflow-${role === "mysql" ? "mysql" : "objects"}-2-5-0-to-2-14-4-${suffix}`,
  });
  return {
    id: "01-backupVolumes",
    kind: "backupVolumes",
    namespace: NS,
    reason: "--backup",
    labels: {},
    backups: [
      target("mysql", "mysql-pv-claim", "kf-metadata"),
      target("objectStore", "minio-pvc", "kf-artifacts"),
    ],
  };
}

function context(client: FakeKubeClient, recorded: BackupRecord[]) {
  return {
    ...recordingContext(client, { timeoutSeconds: 60 }),
    recordBackup: (b: BackupRecord) => recorded.push(b),
    gcloudFor: (project: string) =>
      createGcloud({ project, env: { PATH: process.env.PATH, CLOUDSDK_CONFIG: configDir } }),
    gcpPollMs: 10,
  };
}

// Each case runs the real gcloud a dozen times (1-3 s each on a loaded 2-core machine).
describe("backupVolumes: GCP disk snapshots with the real gcloud", { timeout: 120_000 }, () => {
  it("snapshots each disk in turn, waits until READY, records both; a retry of the same run reuses them", async () => {
    const client = new FakeKubeClient();
    const recorded: BackupRecord[] = [];
    const ctx = context(client, recorded);
    const message = await backupVolumes(step("20260101t000000"), ctx);
    const [mysqlName, minioName] = step("20260101t000000").backups.map((b) => b.name);
    expect(message).toBe(
      `2 backups ready: GCP snapshot ${mysqlName} (disk kf-metadata), GCP snapshot ${minioName} (disk kf-artifacts)`,
    );
    // In order: look for an earlier attempt's snapshot, create it (gcloud waits on the global operation), read it
    // until READY; then the second disk. No snapshot is created before the first is READY.
    const lines = standIn.requestLines().filter((line) => !line.includes("/global/operations/"));
    expect(lines).toEqual([
      `GET ${COMPUTE}/global/snapshots/${mysqlName}`,
      `POST ${COMPUTE}/global/snapshots`,
      `GET ${COMPUTE}/global/snapshots/${mysqlName}`,
      `GET ${COMPUTE}/global/snapshots/${mysqlName}`,
      `GET ${COMPUTE}/global/snapshots/${mysqlName}`,
      `GET ${COMPUTE}/global/snapshots/${minioName}`,
      `POST ${COMPUTE}/global/snapshots`,
      `GET ${COMPUTE}/global/snapshots/${minioName}`,
      `GET ${COMPUTE}/global/snapshots/${minioName}`,
      `GET ${COMPUTE}/global/snapshots/${minioName}`,
    ]);
    expect(recorded).toEqual([
      expect.objectContaining({
        method: "gcp-snapshot",
        claim: "mysql-pv-claim",
        namespace: NS,
        snapshot: mysqlName,
        project: PROJECT,
        disk: "kf-metadata",
        zone: ZONE,
        region: null,
        diskSizeGb: "20",
        takenAt: expect.any(String),
      }),
      expect.objectContaining({ claim: "minio-pvc", snapshot: minioName, diskSizeGb: "200" }),
    ]);
    expect(ctx.progressed).toContain(`GCP snapshot ${mysqlName}: status CREATING`);
    expect(ctx.progressed).toContain(`GCP snapshot ${mysqlName} is READY`);
    // A GCP snapshot needs nothing of the cluster.
    expect(client.calls).toEqual([]);

    standIn.requests.length = 0;
    const again: BackupRecord[] = [];
    const retry = context(client, again);
    await backupVolumes(step("20260101t000000"), retry);
    expect(standIn.requestLines().filter((line) => line.startsWith("POST"))).toEqual([]);
    expect(again.map((r) => r.snapshot)).toEqual([mysqlName, minioName]);
    expect(retry.progressed).toContain(`GCP snapshot ${mysqlName} exists (an earlier attempt created it)`);
  });

  it("refuses a snapshot of that name that is of another disk, creating nothing", async () => {
    const taken = step("20260101t000001");
    const name = taken.backups[0]?.name ?? "";
    standIn.addSnapshot({
      name,
      sourceDisk: `https://www.googleapis.com/compute/v1/projects/${PROJECT}/zones/${ZONE}/disks/someone-elses`,
      diskSizeGb: 10,
      status: "READY",
    });
    const recorded: BackupRecord[] = [];
    const error = await backupVolumes(taken, context(new FakeKubeClient(), recorded)).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(VerificationFailed);
    expect(error).toMatchObject({ code: "BACKUP_NAME_TAKEN" });
    expect((error as Error).message).toContain(
      "is a snapshot of disk someone-elses, not of disk kf-metadata",
    );
    expect(standIn.requestLines()).toEqual([`GET ${COMPUTE}/global/snapshots/${name}`]);
    expect(recorded).toEqual([]);
  });

  it.each([
    { kind: "quota" as const, code: "GCP_QUOTA" },
    { kind: "permission" as const, code: "GCP_PERMISSION_DENIED" },
  ])(
    "$kind on the first snapshot: GcpError $code (exit 10) naming the command; nothing else is done",
    async ({ kind, code }) => {
      const failing = step(`20260101t00001${kind === "quota" ? 2 : 3}`);
      const [mysqlName] = failing.backups.map((b) => b.name);
      standIn.fail({ method: "POST", path: /\/global\/snapshots$/, kind, times: 1 });
      const client = new FakeKubeClient();
      const recorded: BackupRecord[] = [];
      const error = await backupVolumes(failing, context(client, recorded)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GcpError);
      expect(error).toMatchObject({
        code,
        exitCode: 10,
        command: `gcloud compute snapshots create ${mysqlName} --source-disk kf-metadata --source-disk-zone ${ZONE} --project ${PROJECT} --format=json`,
      });
      const { details, hint } = error as GcpError;
      expect(details.at(-1)).toBe(`the command that failed: ${(error as GcpError).command}`);
      expect(hint).toMatch(
        / The run stopped at its backup step, before any change to KFP: then `kfp-upgrade resume` takes the snapshots and continues it\.$/,
      );
      expect(standIn.requestLines()).toEqual([
        `GET ${COMPUTE}/global/snapshots/${mysqlName}`,
        `POST ${COMPUTE}/global/snapshots`,
      ]);
      expect(recorded).toEqual([]);
      expect(client.calls).toEqual([]);
    },
  );
});

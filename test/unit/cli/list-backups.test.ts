import { describe, expect, it } from "vitest";
import { appendHistory } from "../../../src/app/history.js";
import { backupListingLines, listBackups } from "../../../src/cli/list-backups.js";
import { SNAPSHOT_API } from "../../../src/cli/read-snapshot-classes.js";
import { appDir } from "../../support/app-dir.js";
import { DEFAULT_SERVED_API_VERSIONS, FakeKubeClient } from "../../support/fake-kube-client.js";

const NAME = "kubeflow-mysql-2.5.0-to-2.14.4-20260102t030405";
const GONE = "kubeflow-objects-2.5.0-to-2.14.4-20260102t030405";

const record = (snapshot: string, claim: string) => ({
  method: "csi" as const,
  role: "mysql" as const,
  claim,
  volume: "kfp-mysql",
  namespace: "kubeflow",
  snapshot,
  snapshotClass: "pd-snapshots",
  content: "snapcontent-1",
  restoreSize: "20Gi",
  takenAt: "2026-01-02T03:04:06Z",
});

async function withHistory(): Promise<string> {
  const dir = appDir();
  await appendHistory(dir, {
    command: "upgrade",
    user: "alice",
    startedAt: "2026-01-02T03:04:05.000Z",
    finishedAt: "2026-01-02T03:09:05.000Z",
    from: "2.5.0",
    to: "2.14.4",
    planHash: "h",
    outcome: "succeeded",
    backups: [record(NAME, "mysql-pv-claim"), record(GONE, "minio-pvc")],
  });
  return dir;
}

describe("listBackups", () => {
  it("lists the app's labelled VolumeSnapshots and what the history recorded, marking those gone", async () => {
    const client = new FakeKubeClient({
      servedApiVersions: [...DEFAULT_SERVED_API_VERSIONS, SNAPSHOT_API],
    }).seed([
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "kubeflow" } },
      {
        apiVersion: SNAPSHOT_API,
        kind: "VolumeSnapshot",
        metadata: {
          name: NAME,
          namespace: "kubeflow",
          labels: {
            "kfp-upgrade.kubeflow.org/backup-of": "kubeflow",
            "kfp-upgrade.kubeflow.org/role": "mysql",
            "kfp-upgrade.kubeflow.org/from-version": "2.5.0",
            "kfp-upgrade.kubeflow.org/to-version": "2.14.4",
          },
        },
        spec: {
          volumeSnapshotClassName: "pd-snapshots",
          source: { persistentVolumeClaimName: "mysql-pv-claim" },
        },
        status: { readyToUse: true, restoreSize: "20Gi", creationTime: "2026-01-02T03:04:06Z" },
      },
      {
        apiVersion: SNAPSHOT_API,
        kind: "VolumeSnapshot",
        metadata: { name: "someone-elses", namespace: "kubeflow" },
        spec: { source: { persistentVolumeClaimName: "mysql-pv-claim" } },
      },
    ]);
    const listing = await listBackups(client, await withHistory(), "kubeflow");
    expect(listing.snapshots).toEqual([
      {
        name: NAME,
        role: "mysql",
        claim: "mysql-pv-claim",
        snapshotClass: "pd-snapshots",
        from: "2.5.0",
        to: "2.14.4",
        readyToUse: true,
        restoreSize: "20Gi",
        takenAt: "2026-01-02T03:04:06Z",
        content: null,
      },
    ]);
    expect(listing.recorded).toMatchObject([{ run: 1, command: "upgrade", from: "2.5.0", to: "2.14.4" }]);
    expect(backupListingLines(listing)).toEqual([
      "VolumeSnapshots in namespace kubeflow:",
      `  ${NAME}  mysql-pv-claim  ready  20Gi  2.5.0 -> 2.14.4  taken 2026-01-02T03:04:06Z`,
      "Run 1 (upgrade 2.5.0 -> 2.14.4, succeeded, started 2026-01-02T03:04:05.000Z) backed up:",
      `  volumesnapshot/${NAME} -n kubeflow: mysql-pv-claim (PV kfp-mysql, class pd-snapshots)`,
      `  volumesnapshot/${GONE} -n kubeflow: minio-pvc (PV kfp-mysql, class pd-snapshots) (no longer in the cluster)`,
    ]);
  });

  it("lists the GCP disk snapshots a run recorded, with the command that shows each", async () => {
    const dir = appDir();
    await appendHistory(dir, {
      command: "upgrade",
      user: "alice",
      startedAt: "2026-01-02T03:04:05.000Z",
      finishedAt: "2026-01-02T03:09:05.000Z",
      from: "2.5.0",
      to: "2.14.4",
      planHash: "h",
      outcome: "succeeded",
      backups: [
        {
          method: "gcp-snapshot",
          role: "mysql",
          claim: "mysql-pv-claim",
          volume: "kfp-mysql",
          namespace: "kubeflow",
          snapshot: "kubeflow-mysql-2-5-0-to-2-14-4-20260102t030405",
          project: "kf-proj",
          disk: "kf-storage-metadata-store",
          zone: null,
          region: "us-central1",
          diskSizeGb: "20",
          takenAt: "2026-01-02T03:04:06Z",
        },
      ],
    });
    const listing = await listBackups(new FakeKubeClient(), dir, "kubeflow");
    expect(listing.recorded[0]?.backups[0]).toMatchObject({
      method: "gcp-snapshot",
      disk: "kf-storage-metadata-store",
    });
    expect(backupListingLines(listing).slice(1)).toEqual([
      "Run 1 (upgrade 2.5.0 -> 2.14.4, succeeded, started 2026-01-02T03:04:05.000Z) backed up:",
      "  GCP snapshot kubeflow-mysql-2-5-0-to-2-14-4-20260102t030405 (project kf-proj): mysql-pv-claim (PV kfp-mysql, disk kf-storage-metadata-store in region us-central1); `gcloud compute snapshots describe kubeflow-mysql-2-5-0-to-2-14-4-20260102t030405 --project kf-proj` shows it",
    ]);
  });

  it("a cluster without the snapshot API: says so, and still shows the history", async () => {
    const listing = await listBackups(new FakeKubeClient(), await withHistory(), "kubeflow");
    expect(listing.snapshotApi).toBe(false);
    expect(backupListingLines(listing)[0]).toBe(
      "The cluster serves no snapshot.storage.k8s.io/v1: no VolumeSnapshot can exist in namespace kubeflow.",
    );
    expect(listing.recorded).toHaveLength(1);
  });
});

import { describe, expect, it } from "vitest";
import { backupVolumes, VOLUME_SNAPSHOT_API } from "../../../src/execute/backup-volumes.js";
import type { BackupRecord } from "../../../src/model/backup.js";
import type { KubeObject } from "../../../src/model/kube-object.js";
import type { StepOf } from "../../../src/plan/step.js";
import { DEFAULT_SERVED_API_VERSIONS, FakeKubeClient } from "../../support/fake-kube-client.js";
import { claimTemplate, NS, recordingContext } from "./executor-fixtures.js";

const csiVolume = (name: string): KubeObject => ({
  apiVersion: "v1",
  kind: "PersistentVolume",
  metadata: { name },
  spec: {
    capacity: { storage: "20Gi" },
    accessModes: ["ReadWriteOnce"],
    persistentVolumeReclaimPolicy: "Retain",
    csi: { driver: "pd.csi.storage.gke.io", volumeHandle: `projects/p/zones/z/disks/${name}` },
  },
});

const step: StepOf<"backupVolumes"> = {
  id: "01-backupVolumes",
  kind: "backupVolumes",
  namespace: NS,
  reason: "--backup",
  labels: { "kfp-upgrade.kubeflow.org/backup-of": NS },
  backups: [
    {
      method: "csi",
      role: "mysql",
      claim: "mysql-pv-claim",
      volume: "pv-mysql",
      driver: "pd.csi.storage.gke.io",
      snapshotClass: "pd-snapshots",
      name: "kubeflow-mysql-2.5.0-to-2.14.4-20260101t000000",
    },
    {
      method: "csi",
      role: "objectStore",
      claim: "minio-pvc",
      volume: "pv-minio",
      driver: "pd.csi.storage.gke.io",
      snapshotClass: "pd-snapshots",
      name: "kubeflow-objects-2.5.0-to-2.14.4-20260101t000000",
    },
  ],
};

/** Two claims bound to CSI PVs; `controller` plays the snapshot controller (readyToUse on create). */
function cluster(controller: "ready" | "never" = "ready"): FakeKubeClient {
  const client = new FakeKubeClient({
    servedApiVersions: [...DEFAULT_SERVED_API_VERSIONS, VOLUME_SNAPSHOT_API],
  }).seed([
    { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } },
    csiVolume("pv-mysql"),
    csiVolume("pv-minio"),
    claimTemplate("mysql-pv-claim"),
    claimTemplate("minio-pvc"),
  ]);
  client.bind({ namespace: NS, name: "mysql-pv-claim" }, "pv-mysql");
  client.bind({ namespace: NS, name: "minio-pvc" }, "pv-minio");
  if (controller === "ready") {
    client.react(({ verb, object }, fake) => {
      if (verb !== "create" || object.kind !== "VolumeSnapshot") return;
      setTimeout(() =>
        fake.update(
          {
            apiVersion: VOLUME_SNAPSHOT_API,
            kind: "VolumeSnapshot",
            name: object.metadata.name,
            namespace: NS,
          },
          (o) => {
            o.status = {
              readyToUse: true,
              boundVolumeSnapshotContentName: `snapcontent-${o.metadata.uid as string}`,
              restoreSize: "20Gi",
              creationTime: "2026-01-01T00:00:01Z",
            };
          },
        ),
      );
    });
  }
  return client;
}

describe("backupVolumes", () => {
  it("creates one labelled VolumeSnapshot per claim, waits for readyToUse and records each", async () => {
    const client = cluster();
    const recorded: BackupRecord[] = [];
    const ctx = { ...recordingContext(client), recordBackup: (b: BackupRecord) => recorded.push(b) };
    const message = await backupVolumes(step, ctx);
    expect(message).toBe(
      "2 backups ready: volumesnapshot/kubeflow-mysql-2.5.0-to-2.14.4-20260101t000000, volumesnapshot/kubeflow-objects-2.5.0-to-2.14.4-20260101t000000",
    );
    const created = client.peek({
      apiVersion: VOLUME_SNAPSHOT_API,
      kind: "VolumeSnapshot",
      name: "kubeflow-mysql-2.5.0-to-2.14.4-20260101t000000",
      namespace: NS,
    });
    expect(created?.metadata.labels).toEqual({
      "kfp-upgrade.kubeflow.org/backup-of": NS,
      "kfp-upgrade.kubeflow.org/role": "mysql",
    });
    expect(created?.spec).toEqual({
      volumeSnapshotClassName: "pd-snapshots",
      source: { persistentVolumeClaimName: "mysql-pv-claim" },
    });
    const csi = recorded.flatMap((r) => (r.method === "csi" ? [r] : []));
    expect(csi.map((r) => [r.claim, r.restoreSize, r.takenAt])).toEqual([
      ["mysql-pv-claim", "20Gi", "2026-01-01T00:00:01Z"],
      ["minio-pvc", "20Gi", "2026-01-01T00:00:01Z"],
    ]);
    expect(csi[0]?.content).toMatch(/^snapcontent-/);
    expect(ctx.progressed).toContain(
      "volumesnapshot/kubeflow-mysql-2.5.0-to-2.14.4-20260101t000000: Waiting for the snapshot controller to take the snapshot",
    );
  });

  it("is idempotent: a resumed run reuses the snapshot an earlier attempt created", async () => {
    const client = cluster();
    await backupVolumes(step, recordingContext(client));
    const again = recordingContext(client);
    await backupVolumes(step, again);
    expect(client.callsOf("create").filter((c) => c.kind === "VolumeSnapshot" || c.body)).toHaveLength(2);
    expect(again.progressed).toContain(
      "volumesnapshot/kubeflow-mysql-2.5.0-to-2.14.4-20260101t000000 exists (an earlier attempt created it)",
    );
  });

  it("stops the run when a snapshot is not ready within the timeout, naming it and what to do", async () => {
    const client = cluster("never");
    await expect(
      backupVolumes(step, recordingContext(client, { timeoutSeconds: 0.05 })),
    ).rejects.toMatchObject({
      code: "BACKUP_TIMEOUT",
      message:
        "volumesnapshot/kubeflow-mysql-2.5.0-to-2.14.4-20260101t000000 -n kubeflow (claim mysql-pv-claim) did not become readyToUse within 0.05s: Waiting for the snapshot controller to take the snapshot",
    });
  });

  it("refuses to snapshot a claim that moved to another PV since the plan", async () => {
    const client = cluster();
    client.update(
      { apiVersion: "v1", kind: "PersistentVolumeClaim", name: "mysql-pv-claim", namespace: NS },
      (o) => {
        (o.spec as { volumeName: string }).volumeName = "pv-other";
      },
    );
    await expect(backupVolumes(step, recordingContext(client))).rejects.toMatchObject({
      code: "BACKUP_CLAIM_MOVED",
    });
    expect(client.callsOf("create")).toEqual([]);
  });

  it("refuses a VolumeSnapshot of that name that is a snapshot of another claim", async () => {
    const client = cluster().seed([
      {
        apiVersion: VOLUME_SNAPSHOT_API,
        kind: "VolumeSnapshot",
        metadata: { name: "kubeflow-mysql-2.5.0-to-2.14.4-20260101t000000", namespace: NS },
        spec: { source: { persistentVolumeClaimName: "other" } },
      },
    ]);
    await expect(backupVolumes(step, recordingContext(client))).rejects.toMatchObject({
      code: "BACKUP_NAME_TAKEN",
    });
  });
});

import { VerificationFailed } from "../errors.js";
import { BACKUP_ROLE_LABEL, type BackupRecord, type BackupTarget } from "../model/backup.js";
import type { KubeObject, ObjectRef } from "../model/kube-object.js";
import type { StepOf } from "../plan/step.js";
import { gcpDiskSnapshot } from "./backup-gcp-disk.js";
import type { ExecutionContext } from "./execution-context.js";
import { volumeSnapshotReadiness } from "./readiness/snapshot-storage-k8s-io-v1-volume-snapshot.js";

export const VOLUME_SNAPSHOT_API = "snapshot.storage.k8s.io/v1";

type CsiTarget = Extract<BackupTarget, { method: "csi" }>;

/**
 * Backs up every data volume of the step before anything else of the plan changes: one VolumeSnapshot per claim
 * (created unless a resumed run created it already), each waited for until `readyToUse`, or a GCP disk snapshot
 * (waited for until READY), and recorded for the run's history. A snapshot that is not ready within the timeout stops the run before its first change.
 */
export async function backupVolumes(step: StepOf<"backupVolumes">, ctx: ExecutionContext): Promise<string> {
  const records: BackupRecord[] = [];
  for (const target of step.backups) {
    switch (target.method) {
      case "csi":
        records.push(await csiSnapshot(step, target, ctx));
        break;
      case "gcp-snapshot":
        records.push(await gcpDiskSnapshot(step, target, ctx));
        break;
      default:
        target satisfies never;
    }
  }
  for (const record of records) ctx.recordBackup?.(record);
  return `${records.length} backup${records.length === 1 ? "" : "s"} ready: ${records.map(describeRecord).join(", ")}`;
}

function describeRecord(record: BackupRecord): string {
  return record.method === "csi"
    ? `volumesnapshot/${record.snapshot}`
    : `GCP snapshot ${record.snapshot} (disk ${record.disk})`;
}

async function csiSnapshot(
  step: StepOf<"backupVolumes">,
  target: CsiTarget,
  ctx: ExecutionContext,
): Promise<BackupRecord> {
  const ref: ObjectRef = {
    apiVersion: VOLUME_SNAPSHOT_API,
    kind: "VolumeSnapshot",
    name: target.name,
    namespace: step.namespace,
  };
  const existing = await ctx.client.get(ref);
  if (existing) {
    const source = sourceClaimOf(existing);
    if (source !== target.claim) {
      throw new VerificationFailed(
        "BACKUP_NAME_TAKEN",
        `volumesnapshot/${target.name} -n ${step.namespace} exists but is a snapshot of ${source ? `claim ${source}` : "no claim"}, not of ${target.claim}`,
        { hint: "Nothing was changed. Rename or delete that VolumeSnapshot, then run the command again." },
      );
    }
    ctx.progress(`volumesnapshot/${target.name} exists (an earlier attempt created it)`);
  } else {
    await expectClaimOnVolume(step.namespace, target, ctx);
    await ctx.client.create({
      apiVersion: VOLUME_SNAPSHOT_API,
      kind: "VolumeSnapshot",
      metadata: {
        name: target.name,
        namespace: step.namespace,
        labels: { ...step.labels, [BACKUP_ROLE_LABEL]: target.role },
      },
      spec: {
        volumeSnapshotClassName: target.snapshotClass,
        source: { persistentVolumeClaimName: target.claim },
      },
    });
    ctx.progress(
      `volumesnapshot/${target.name} created (claim ${target.claim}, class ${target.snapshotClass})`,
    );
  }
  const result = await ctx.client.waitFor(ref, volumeSnapshotReadiness, {
    timeoutSeconds: ctx.timeoutSeconds,
    signal: ctx.signal,
    onProgress: (message) => ctx.progress(`volumesnapshot/${target.name}: ${message}`),
  });
  if (!result.ok || result.object === null) {
    throw new VerificationFailed(
      result.timedOut ? "BACKUP_TIMEOUT" : "BACKUP_FAILED",
      `volumesnapshot/${target.name} -n ${step.namespace} (claim ${target.claim}) did not become readyToUse${result.timedOut ? ` within ${ctx.timeoutSeconds}s` : ""}: ${result.message}`,
      {
        hint: `Nothing of KFP was changed. See \`kubectl -n ${step.namespace} describe volumesnapshot ${target.name}\` and the snapshot controller's logs; run the command again (raise --timeout for a slow storage), or back up by hand and pass --no-backup.`,
      },
    );
  }
  const status = (result.object.status ?? {}) as {
    boundVolumeSnapshotContentName?: string;
    restoreSize?: string | number;
    creationTime?: string;
  };
  return {
    method: "csi",
    role: target.role,
    claim: target.claim,
    volume: target.volume,
    namespace: step.namespace,
    snapshot: target.name,
    snapshotClass: target.snapshotClass,
    content: status.boundVolumeSnapshotContentName ?? null,
    restoreSize: status.restoreSize === undefined ? null : String(status.restoreSize),
    takenAt: status.creationTime ?? null,
  };
}

/** The claim must still be bound to the PV the plan saw: a snapshot of another volume is no backup of the data. */
async function expectClaimOnVolume(
  namespace: string,
  target: CsiTarget,
  ctx: ExecutionContext,
): Promise<void> {
  const claim = await ctx.client.get({
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    name: target.claim,
    namespace,
  });
  const volumeName = (claim?.spec as { volumeName?: string } | undefined)?.volumeName;
  if (claim === null) {
    throw new VerificationFailed(
      "BACKUP_CLAIM_MISSING",
      `claim ${target.claim} -n ${namespace} does not exist, so it cannot be snapshotted`,
      { hint: "Run the command again: the plan is computed afresh." },
    );
  }
  if (volumeName !== undefined && volumeName !== target.volume) {
    throw new VerificationFailed(
      "BACKUP_CLAIM_MOVED",
      `claim ${target.claim} -n ${namespace} is bound to PV ${volumeName}, but the plan backs up PV ${target.volume}`,
      { hint: "Nothing was changed. Check the claim with `kfp-upgrade status`, then run the command again." },
    );
  }
}

function sourceClaimOf(object: KubeObject): string | undefined {
  return (object.spec as { source?: { persistentVolumeClaimName?: string } } | undefined)?.source
    ?.persistentVolumeClaimName;
}

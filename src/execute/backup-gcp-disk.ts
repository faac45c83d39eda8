import { GcpError, VerificationFailed } from "../errors.js";
import {
  createSnapshot,
  describeSnapshot,
  type SnapshotSource,
  snapshotSource,
  waitForSnapshotReady,
} from "../gcp/disk-snapshot.js";
import { createGcloud, type Gcloud } from "../gcp/gcloud.js";
import type { BackupRecord, BackupTarget } from "../model/backup.js";
import type { StepOf } from "../plan/step.js";
import type { ExecutionContext } from "./execution-context.js";

type GcpTarget = Extract<BackupTarget, { method: "gcp-snapshot" }>;

/**
 * A Compute Engine snapshot of the disk behind one data claim: created with gcloud unless an earlier attempt of this
 * run created it already (same name, same disk), then described until READY within the timeout.
 */
export async function gcpDiskSnapshot(
  step: StepOf<"backupVolumes">,
  target: GcpTarget,
  ctx: ExecutionContext,
): Promise<BackupRecord> {
  const gcloud = (ctx.gcloudFor ?? defaultGcloud(ctx))(target.project);
  const source: SnapshotSource = { disk: target.disk, zone: target.zone, region: target.region };
  const where = target.zone ? `zone ${target.zone}` : `region ${target.region}`;
  const existing = await describeSnapshot(gcloud, target.name);
  if (existing) {
    const of = snapshotSource(existing);
    if (of?.disk !== source.disk || of.zone !== source.zone || of.region !== source.region) {
      throw new VerificationFailed(
        "BACKUP_NAME_TAKEN",
        `GCP snapshot ${target.name} of project ${target.project} exists but is a snapshot of ${of ? `disk ${of.disk}` : "another source"}, not of disk ${target.disk} (${where})`,
        {
          hint: `Nothing was changed. See \`gcloud compute snapshots describe ${target.name} --project ${target.project}\`; delete or keep it, then run the command again (a new run names its snapshots afresh).`,
        },
      );
    }
    ctx.progress(`GCP snapshot ${target.name} exists (an earlier attempt created it)`);
  } else {
    ctx.progress(`creating GCP snapshot ${target.name} of disk ${target.disk} (${where})`);
    await createSnapshot(gcloud, target.name, source).catch((error: unknown) => {
      throw error instanceof GcpError ? stoppedAtBackup(error) : error;
    });
  }
  const result = await waitForSnapshotReady(gcloud, target.name, {
    timeoutSeconds: ctx.timeoutSeconds,
    signal: ctx.signal,
    onProgress: (status) => ctx.progress(`GCP snapshot ${target.name}: ${status}`),
    ...(ctx.gcpPollMs !== undefined ? { intervalMs: ctx.gcpPollMs } : {}),
  });
  if (!result.ok || result.snapshot === null) {
    const status = result.snapshot === null ? "gone" : `status ${result.snapshot.status}`;
    throw new VerificationFailed(
      result.timedOut ? "BACKUP_TIMEOUT" : "BACKUP_FAILED",
      `GCP snapshot ${target.name} of disk ${target.disk} did not become READY${result.timedOut ? ` within ${ctx.timeoutSeconds}s` : ""} (${status})`,
      {
        hint: `Nothing of KFP was changed. See \`gcloud compute snapshots describe ${target.name} --project ${target.project}\`; run the command again (raise --timeout for a large disk), or back up by hand and pass --no-backup.`,
      },
    );
  }
  ctx.progress(`GCP snapshot ${target.name} is READY`);
  return {
    method: "gcp-snapshot",
    role: target.role,
    claim: target.claim,
    volume: target.volume,
    namespace: step.namespace,
    snapshot: target.name,
    project: target.project,
    disk: target.disk,
    zone: target.zone,
    region: target.region,
    diskSizeGb: result.snapshot.diskSizeGb ?? null,
    takenAt: result.snapshot.creationTimestamp ?? null,
  };
}

/** gcloud's failure, naming the command that failed and how the stopped run goes on (its journal is kept). */
function stoppedAtBackup(error: GcpError): GcpError {
  return new GcpError(error.code, error.message, {
    command: error.command,
    cause: error,
    details: [...error.details, `the command that failed: ${error.command}`],
    hint: `${error.hint ?? ""} The run stopped at its backup step, before any change to KFP: then \`kfp-upgrade resume\` takes the snapshots and continues it.`.trim(),
  });
}

function defaultGcloud(ctx: ExecutionContext): (project: string) => Gcloud {
  return (project) =>
    createGcloud({ project, env: process.env, timeoutSeconds: Math.max(120, ctx.timeoutSeconds) });
}

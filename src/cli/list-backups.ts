import { z } from "zod";
import { type HistoryEntry, readHistory } from "../app/history.js";
import type { KubeClient } from "../kube/kube-client.js";
import {
  BACKUP_FROM_LABEL,
  BACKUP_OF_LABEL,
  BACKUP_ROLE_LABEL,
  BACKUP_TO_LABEL,
  type BackupRecord,
} from "../model/backup.js";
import { SNAPSHOT_API } from "./read-snapshot-classes.js";

const volumeSnapshotSchema = z.object({
  metadata: z.object({
    name: z.string(),
    labels: z.record(z.string(), z.string()).optional(),
    creationTimestamp: z.string().optional(),
  }),
  spec: z
    .object({
      source: z.object({ persistentVolumeClaimName: z.string().optional() }).optional(),
      volumeSnapshotClassName: z.string().optional(),
    })
    .optional(),
  status: z
    .object({
      readyToUse: z.boolean().optional(),
      restoreSize: z.union([z.string(), z.number()]).optional(),
      creationTime: z.string().optional(),
      boundVolumeSnapshotContentName: z.string().optional(),
    })
    .optional(),
});

/** A VolumeSnapshot kfp-upgrade took, as the cluster has it now. */
export interface LiveBackup {
  name: string;
  role: string | null;
  claim: string | null;
  snapshotClass: string | null;
  from: string | null;
  to: string | null;
  readyToUse: boolean;
  restoreSize: string | null;
  takenAt: string | null;
  content: string | null;
}

/** The backups one run recorded in the KFAPP's history. */
export interface RecordedBackups {
  run: number;
  command: HistoryEntry["command"];
  from: string | null;
  to: string;
  startedAt: string;
  outcome: HistoryEntry["outcome"];
  backups: BackupRecord[];
}

export interface BackupListing {
  namespace: string;
  /** false: the cluster serves no snapshot.storage.k8s.io/v1, so no VolumeSnapshot can be listed. */
  snapshotApi: boolean;
  snapshots: LiveBackup[];
  recorded: RecordedBackups[];
}

/** The app's VolumeSnapshots (by its label, in its namespace) and the backups its history records. Reads only. */
export async function listBackups(
  client: KubeClient,
  appDir: string,
  namespace: string,
): Promise<BackupListing> {
  const snapshotApi = (await client.servedApiVersions()).includes(SNAPSHOT_API);
  const items = snapshotApi
    ? await client.list(SNAPSHOT_API, "VolumeSnapshot", {
        namespace,
        labelSelector: `${BACKUP_OF_LABEL}=${namespace}`,
      })
    : [];
  const snapshots = items
    .flatMap((item) => {
      const parsed = volumeSnapshotSchema.safeParse(item);
      if (!parsed.success) return [];
      const { metadata, spec, status } = parsed.data;
      const labels = metadata.labels ?? {};
      return [
        {
          name: metadata.name,
          role: labels[BACKUP_ROLE_LABEL] ?? null,
          claim: spec?.source?.persistentVolumeClaimName ?? null,
          snapshotClass: spec?.volumeSnapshotClassName ?? null,
          from: labels[BACKUP_FROM_LABEL] ?? null,
          to: labels[BACKUP_TO_LABEL] ?? null,
          readyToUse: status?.readyToUse === true,
          restoreSize: status?.restoreSize === undefined ? null : String(status.restoreSize),
          takenAt: status?.creationTime ?? metadata.creationTimestamp ?? null,
          content: status?.boundVolumeSnapshotContentName ?? null,
        },
      ];
    })
    .sort((a, b) =>
      (a.takenAt ?? "") < (b.takenAt ?? "")
        ? -1
        : (a.takenAt ?? "") > (b.takenAt ?? "")
          ? 1
          : a.name < b.name
            ? -1
            : 1,
    );
  const recorded = (await readHistory(appDir)).flatMap((entry) =>
    entry.backups && entry.backups.length > 0
      ? [
          {
            run: entry.id,
            command: entry.command,
            from: entry.from,
            to: entry.to,
            startedAt: entry.startedAt,
            outcome: entry.outcome,
            backups: entry.backups,
          },
        ]
      : [],
  );
  return { namespace, snapshotApi, snapshots, recorded };
}

/** The listing as text: the live snapshots, then what each run recorded (a recorded one gone from the cluster says so). */
export function backupListingLines(listing: BackupListing): string[] {
  const lines: string[] = [];
  if (!listing.snapshotApi) {
    lines.push(
      `The cluster serves no ${SNAPSHOT_API}: no VolumeSnapshot can exist in namespace ${listing.namespace}.`,
    );
  } else if (listing.snapshots.length === 0) {
    lines.push(
      `No VolumeSnapshot labelled ${BACKUP_OF_LABEL}=${listing.namespace} in namespace ${listing.namespace}.`,
    );
  } else {
    lines.push(`VolumeSnapshots in namespace ${listing.namespace}:`);
    for (const s of listing.snapshots) {
      lines.push(
        `  ${s.name}  ${s.claim ?? "-"}  ${s.readyToUse ? "ready" : "not ready"}  ${s.restoreSize ?? "-"}  ${s.from ?? "?"} -> ${s.to ?? "?"}  taken ${s.takenAt ?? "?"}`,
      );
    }
  }
  for (const run of listing.recorded) {
    lines.push(
      `Run ${run.run} (${run.command} ${run.from ?? "-"} -> ${run.to}, ${run.outcome}, started ${run.startedAt}) backed up:`,
    );
    for (const b of run.backups) {
      if (b.method === "gcp-snapshot") {
        lines.push(
          `  GCP snapshot ${b.snapshot} (project ${b.project}): ${b.claim} (PV ${b.volume}, disk ${b.disk} in ${b.zone ? `zone ${b.zone}` : `region ${b.region}`}); \`gcloud compute snapshots describe ${b.snapshot} --project ${b.project}\` shows it`,
        );
        continue;
      }
      const live = listing.snapshots.some((s) => s.name === b.snapshot);
      lines.push(
        `  volumesnapshot/${b.snapshot} -n ${b.namespace}: ${b.claim} (PV ${b.volume}, class ${b.snapshotClass})${live || !listing.snapshotApi ? "" : " (no longer in the cluster)"}`,
      );
    }
  }
  return lines;
}

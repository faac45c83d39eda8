import { z } from "zod";
import { historyEntrySchema } from "../../app/history.js";
import { backupRecordSchema } from "../../model/backup.js";

/** What `kfp-upgrade backups -o json` prints (schema/backups.schema.json). */
export const backupsOutputSchema = z.object({
  namespace: z.string(),
  /** false: the cluster serves no snapshot.storage.k8s.io/v1, so no VolumeSnapshot can be listed. */
  snapshotApi: z.boolean(),
  /** The VolumeSnapshots kfp-upgrade took, as the cluster has them now. */
  snapshots: z.array(
    z.object({
      name: z.string(),
      role: z.string().nullable(),
      claim: z.string().nullable(),
      snapshotClass: z.string().nullable(),
      from: z.string().nullable(),
      to: z.string().nullable(),
      readyToUse: z.boolean(),
      restoreSize: z.string().nullable(),
      takenAt: z.string().nullable(),
      content: z.string().nullable(),
    }),
  ),
  /** The backups each run recorded in the KFAPP's history. */
  recorded: z.array(
    z.object({
      run: z.number().int().positive(),
      command: historyEntrySchema.shape.command,
      from: z.string().nullable(),
      to: z.string(),
      startedAt: z.string(),
      outcome: historyEntrySchema.shape.outcome,
      backups: z.array(backupRecordSchema),
    }),
  ),
});
export type BackupsOutput = z.infer<typeof backupsOutputSchema>;

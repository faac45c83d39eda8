import { z } from "zod";
import { backupRecordSchema } from "../../model/backup.js";

const countSchema = z.number().int().nonnegative();

/** What `kfp-upgrade status -o json` prints (schema/status.schema.json). */
export const statusOutputSchema = z.object({
  context: z.string().nullable(),
  namespace: z.object({ name: z.string(), exists: z.boolean(), phase: z.string().nullable() }),
  installedVersion: z.string().nullable(),
  versionSource: z.enum(["appVersion", "image", "none"]),
  appVersion: z.string().nullable(),
  components: z.array(
    z.object({ name: z.string(), ready: z.boolean(), replicas: z.string(), images: z.array(z.string()) }),
  ),
  /** Who installed the install's objects, from their field managers and marks (an object may count for two). */
  installers: z.array(z.object({ installer: z.string(), objects: countSchema })),
  storage: z.array(
    z.object({
      claim: z.string(),
      phase: z.string(),
      volumeName: z.string().nullable(),
      volumeUid: z.string().nullable(),
      reclaimPolicy: z.string().nullable(),
      capacityBytes: z.number().nullable(),
    }),
  ),
  /** What KFP's own API lists (counts per kind); null, with `inventoryError`, when it could not be read. */
  inventory: z
    .object({
      experiments: countSchema,
      pipelines: countSchema,
      pipelineVersions: countSchema,
      runs: countSchema,
      recurringRuns: countSchema,
    })
    .nullable(),
  inventoryError: z.string().nullable().optional(),
  /** Whether that inventory was saved in the KFAPP's .kfp-upgrade/inventory.json for later runs. */
  inventoryRecorded: z.boolean(),
  /** The backups the last run that took any recorded (`kfp-upgrade backups` lists all). */
  backups: z
    .object({
      run: z.number().int().positive(),
      command: z.string(),
      from: z.string().nullable(),
      to: z.string(),
      snapshots: z.array(
        z.discriminatedUnion(
          "method",
          // A GCP snapshot lives in the project, not in the cluster: inCluster is null for it.
          [
            backupRecordSchema.options[0].extend({ inCluster: z.boolean().nullable() }),
            backupRecordSchema.options[1].extend({ inCluster: z.boolean().nullable() }),
          ],
        ),
      ),
    })
    .nullable(),
  runInProgress: z.object({ runId: z.string(), command: z.string(), status: z.string() }).nullable(),
});
export type StatusOutput = z.infer<typeof statusOutputSchema>;

import { z } from "zod";
import { planChangesSchema } from "./object-change.js";
import { stepSchema } from "./step.js";

export const PLAN_API_VERSION = "kfp-upgrade/v1";

export const planSchema = z.object({
  apiVersion: z.literal(PLAN_API_VERSION),
  kind: z.literal("Plan"),
  command: z.enum(["deploy", "upgrade", "reinstall", "rollback", "uninstall"]),
  namespace: z.string(),
  context: z.string().nullable(),
  from: z.string().nullable(),
  to: z.string(),
  strategy: z.enum(["manifests", "images", "mixed"]),
  hops: z.array(
    z.object({
      from: z.string().nullable(),
      to: z.string(),
      strategy: z.enum(["manifests", "images"]),
      reason: z.string(),
    }),
  ),
  storage: z.array(
    z.object({
      role: z.string(),
      claim: z.string(),
      mode: z.enum(["pvName", "gcpDisk", "storageClass", "default", "existing"]),
      volumeName: z.string().nullable(),
      detail: z.string(),
    }),
  ),
  steps: z.array(stepSchema),
  warnings: z.array(z.string()),
  /**
   * The plan's one-way changes in words (a MySQL series change, the 2.15 schema migration, an object-store switch):
   * what an automatic rollback cannot undo, and what `--backup` protects. Absent when there is none.
   */
  oneWay: z.array(z.string()).optional(),
  notes: z.array(z.string()),
  /**
   * A plan a data rule refuses, which still protects the data first: only its protective steps
   * (`setReclaimPolicy`, `retainClaimVolumes`) run, then the command exits 4 with this refusal. Absent on plans
   * that may run. `check` builds its plan with every refusal of every hop collected here (never run).
   */
  refusal: z
    .object({ code: z.string(), message: z.string(), problems: z.array(z.string()), hint: z.string() })
    .optional(),
  /**
   * Each object of the apply, create, recreate and prune steps as `+` create, `~` update (with the changed fields),
   * `-/+` recreate, `-` delete or unchanged, found before the plan was shown (`--dry-run=server`, `diff`, and every
   * run that applies). Absent from plain `--dry-run` plans, whose counts come from the steps. It never changes
   * which steps run.
   */
  changes: planChangesSchema.optional(),
  createdAt: z.string(),
});
export type Plan = z.infer<typeof planSchema>;

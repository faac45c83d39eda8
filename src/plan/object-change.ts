import { z } from "zod";

export const changeKindSchema = z.enum(["create", "update", "recreate", "delete", "unchanged"]);
export type ChangeKind = z.infer<typeof changeKindSchema>;

/**
 * What one object of an apply, create, recreate or prune step does to the cluster, as found before the plan is
 * shown: by a server-side dry run against the live object (the first hop), or against the previous hop's objects.
 */
export const objectChangeSchema = z.object({
  /** The step the object belongs to; the classification never changes which steps run. */
  step: z.string(),
  hop: z.number().int().positive().optional(),
  apiVersion: z.string(),
  kind: z.string(),
  name: z.string(),
  namespace: z.string().optional(),
  change: changeKindSchema,
  /** Changed field paths (`spec.template.spec.containers[name=api-server].image`); empty for create and delete. */
  fields: z.array(z.string()),
  /**
   * `server`: the API server's dry-run result compared with the live object; `previousHop`: compared with the
   * previous hop's manifest of it (no live state exists yet); `unchecked`: no dry run was possible (the reason is
   * in `note`).
   */
  basis: z.enum(["server", "previousHop", "unchecked"]),
  note: z.string().optional(),
});
export type ObjectChange = z.infer<typeof objectChangeSchema>;

export const planChangesSchema = z.object({
  /** How each hop was compared, in words. */
  basis: z.array(z.string()),
  objects: z.array(objectChangeSchema),
});
export type PlanChanges = z.infer<typeof planChangesSchema>;

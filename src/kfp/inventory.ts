import { z } from "zod";

/**
 * What KFP holds, as its own REST API lists it: every experiment, pipeline, pipeline version, run and recurring
 * run (archived ones included) with its id and the fields KFP 2.15's pre-migration length check looks at. Read
 * before the first change and after each hop; recorded in the run's history and in the KFAPP.
 *
 * `name` is the value of the `Name` column: v1beta1 `name`; v2beta1 `name` where the server has it (2.14+),
 * else `display_name`. The same database rows have the same ids through both API versions.
 */

export const KFP_API_VERSIONS = ["v2beta1", "v1beta1"] as const;
export const kfpApiVersionSchema = z.enum(KFP_API_VERSIONS);
export type KfpApiVersion = z.infer<typeof kfpApiVersionSchema>;

const id = z.string().min(1);
/** Absent in single-user installs and in pre-2.0 pipelines (which are shared). */
const namespace = z.string().optional();

export const inventoryExperimentSchema = z.object({
  id,
  name: z.string(),
  namespace,
  /** As the API spells it: v2beta1 `AVAILABLE` / `ARCHIVED`, v1beta1 `STORAGESTATE_AVAILABLE` / `…_ARCHIVED`. */
  storageState: z.string().optional(),
});
export const inventoryPipelineSchema = z.object({ id, name: z.string(), namespace });
export const inventoryPipelineVersionSchema = z.object({ id, name: z.string(), pipelineId: z.string() });
export const inventoryRunSchema = z.object({
  id,
  name: z.string(),
  namespace,
  experimentId: z.string().optional(),
  /** v1beta1 `status` (the `Conditions` column as stored) or v2beta1 `state`. */
  state: z.string().optional(),
  storageState: z.string().optional(),
});
export const inventoryRecurringRunSchema = z.object({
  id,
  name: z.string(),
  namespace,
  experimentId: z.string().optional(),
});

export const kfpInventorySchema = z.object({
  api: kfpApiVersionSchema,
  /** KFP's `tag_name` from healthz (`2.0.5`); null when the server does not say (0.x). */
  serverTag: z.string().nullable(),
  multiUser: z.boolean(),
  /** Multi-user installs: the profile namespaces that were read; null in single-user installs. */
  namespaces: z.array(z.string()).nullable(),
  experiments: z.array(inventoryExperimentSchema),
  pipelines: z.array(inventoryPipelineSchema),
  pipelineVersions: z.array(inventoryPipelineVersionSchema),
  runs: z.array(inventoryRunSchema),
  recurringRuns: z.array(inventoryRecurringRunSchema),
});
export type KfpInventory = z.infer<typeof kfpInventorySchema>;

export const INVENTORY_KINDS = [
  "experiments",
  "pipelines",
  "pipelineVersions",
  "runs",
  "recurringRuns",
] as const;
export type InventoryKind = (typeof INVENTORY_KINDS)[number];

/** `kfp-upgrade status -o json`'s `inventory`: one count per kind. */
export type InventoryCounts = Record<InventoryKind, number>;

export function inventoryCounts(inventory: KfpInventory): InventoryCounts {
  return {
    experiments: inventory.experiments.length,
    pipelines: inventory.pipelines.length,
    pipelineVersions: inventory.pipelineVersions.length,
    runs: inventory.runs.length,
    recurringRuns: inventory.recurringRuns.length,
  };
}

/** `3 experiments, 3 pipelines, 4 pipeline versions, 1 run, 1 recurring run`. */
export function describeInventoryCounts(counts: InventoryCounts): string {
  return INVENTORY_KINDS.map((kind) => plural(counts[kind], SINGULAR[kind])).join(", ");
}

export const SINGULAR: Record<InventoryKind, string> = {
  experiments: "experiment",
  pipelines: "pipeline",
  pipelineVersions: "pipeline version",
  runs: "run",
  recurringRuns: "recurring run",
};

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

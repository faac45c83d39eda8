import { type InventoryKind, type KfpInventory, SINGULAR } from "./inventory.js";

/**
 * KFP 2.15 moved to GORM v2. On its first start on a database written by an older release ("legacy schema":
 * pipelines.UUID wider than 64), the API server runs a one-way migration that first counts, for every entry of
 * `LengthSpecs`, the rows whose `CHAR_LENGTH(column) > Max`, and refuses to start if there is any
 * (runPreflightLengthChecks, backend/src/apiserver/client_manager/client_manager.go). The limits are
 * kubeflow/pipelines backend/src/apiserver/validation/length.go at tag 2.15.0, all of them, in its order; table
 * and column names from the models' gorm tags (backend/src/apiserver/model/*.go at 2.15.0).
 */
export const LEGACY_SCHEMA_MIGRATION_VERSION = "2.15.0";

export type InventoryField = "id" | "name" | "namespace" | "pipelineId" | "experimentId" | "state";

export interface LegacySchemaLimit {
  /** The model and Go field, as length.go names them. */
  field: string;
  table: string;
  column: string;
  limit: number;
  /** Where the inventory holds the value; null when KFP's API does not list it. */
  checked: { kind: InventoryKind; field: InventoryField } | null;
  /** For the limits not checked: why the data cannot exceed them, or how they are covered. */
  note?: string;
}

const GENERATED = "KFP generates these ids (36-character UUIDs); the API does not list them";

export const LEGACY_SCHEMA_LIMITS: readonly LegacySchemaLimit[] = [
  {
    field: "DefaultExperiment.DefaultExperimentId",
    table: "default_experiments",
    column: "DefaultExperimentId",
    limit: 191,
    checked: null,
    note: "the id of an experiment, checked with the experiments' ids",
  },
  {
    field: "Experiment.UUID",
    table: "experiments",
    column: "UUID",
    limit: 191,
    checked: { kind: "experiments", field: "id" },
  },
  {
    field: "Experiment.Name",
    table: "experiments",
    column: "Name",
    limit: 128,
    checked: { kind: "experiments", field: "name" },
  },
  {
    field: "Experiment.Namespace",
    table: "experiments",
    column: "Namespace",
    limit: 63,
    checked: { kind: "experiments", field: "namespace" },
  },
  {
    field: "Job.UUID",
    table: "jobs",
    column: "UUID",
    limit: 191,
    checked: { kind: "recurringRuns", field: "id" },
  },
  {
    field: "PipelineVersion.UUID",
    table: "pipeline_versions",
    column: "UUID",
    limit: 191,
    checked: { kind: "pipelineVersions", field: "id" },
  },
  {
    field: "PipelineVersion.Name",
    table: "pipeline_versions",
    column: "Name",
    limit: 127,
    checked: { kind: "pipelineVersions", field: "name" },
  },
  {
    field: "PipelineVersion.PipelineId",
    table: "pipeline_versions",
    column: "PipelineId",
    limit: 64,
    checked: { kind: "pipelineVersions", field: "pipelineId" },
  },
  {
    field: "Pipeline.UUID",
    table: "pipelines",
    column: "UUID",
    limit: 64,
    checked: { kind: "pipelines", field: "id" },
  },
  {
    field: "Pipeline.Name",
    table: "pipelines",
    column: "Name",
    limit: 128,
    checked: { kind: "pipelines", field: "name" },
  },
  {
    field: "Pipeline.Namespace",
    table: "pipelines",
    column: "Namespace",
    limit: 63,
    checked: { kind: "pipelines", field: "namespace" },
  },
  {
    field: "ResourceReference.ResourceUUID",
    table: "resource_references",
    column: "ResourceUUID",
    limit: 191,
    checked: null,
    note: "the ids of runs, recurring runs, experiments and pipeline versions, checked with those",
  },
  {
    field: "ResourceReference.ReferenceUUID",
    table: "resource_references",
    column: "ReferenceUUID",
    limit: 191,
    checked: null,
    note: "the ids of experiments, pipelines and versions, or namespace names, checked with those",
  },
  {
    field: "Run.UUID",
    table: "run_details",
    column: "UUID",
    limit: 191,
    checked: { kind: "runs", field: "id" },
  },
  {
    field: "Run.Namespace",
    table: "run_details",
    column: "Namespace",
    limit: 63,
    checked: { kind: "runs", field: "namespace" },
  },
  {
    field: "Run.ExperimentId",
    table: "run_details",
    column: "ExperimentUUID",
    limit: 64,
    checked: { kind: "runs", field: "experimentId" },
  },
  {
    // v1beta1 `status` is the column as stored; v2beta1 `state` is its v2 spelling (e.g. SUCCEEDED for Succeeded),
    // a close stand-in: the stored values are short state names.
    field: "Run.Conditions",
    table: "run_details",
    column: "Conditions",
    limit: 125,
    checked: { kind: "runs", field: "state" },
  },
  {
    field: "RunMetric.RunUUID",
    table: "run_metrics",
    column: "RunUUID",
    limit: 191,
    checked: null,
    note: "the ids of runs, checked with those",
  },
  {
    field: "RunMetric.NodeID",
    table: "run_metrics",
    column: "NodeID",
    limit: 191,
    checked: null,
    note: "KFP refuses node ids over 128 characters when metrics are reported (validateRunMetric, server/api_util.go)",
  },
  {
    field: "RunMetric.Name",
    table: "run_metrics",
    column: "Name",
    limit: 191,
    checked: null,
    note: "KFP refuses metric names over 64 characters when they are reported (metricNamePattern, server/api_util.go)",
  },
  { field: "Task.UUID", table: "tasks", column: "UUID", limit: 191, checked: null, note: GENERATED },
  {
    field: "Task.RunID",
    table: "tasks",
    column: "RunUUID",
    limit: 191,
    checked: null,
    note: "the ids of runs, checked with those",
  },
];

export interface LegacySchemaViolation {
  kind: InventoryKind;
  id: string;
  name: string;
  field: InventoryField;
  /** `experiments.Name` */
  column: string;
  length: number;
  limit: number;
  /** How to fix it before upgrading. */
  hint: string;
}

/**
 * Every listed object KFP 2.15's migration would refuse to start on, one entry per object and field, in the order of
 * length.go's limits, then of the inventory. Lengths are counted in characters (Unicode code points), as MySQL's CHAR_LENGTH counts utf8mb4.
 */
export function findLegacySchemaViolations(inventory: KfpInventory): LegacySchemaViolation[] {
  const found: LegacySchemaViolation[] = [];
  for (const limit of LEGACY_SCHEMA_LIMITS) {
    if (!limit.checked) continue;
    const { kind, field } = limit.checked;
    for (const object of inventory[kind] as Record<string, unknown>[]) {
      const value = object[field];
      if (typeof value !== "string") continue;
      const length = [...value].length;
      if (length <= limit.limit) continue;
      const id = String(object.id);
      const name = String(object.name);
      found.push({
        kind,
        id,
        name,
        field,
        column: `${limit.table}.${limit.column}`,
        length,
        limit: limit.limit,
        hint: fixHint(kind, id, limit),
      });
    }
  }
  return found;
}

/** `experiment "aaaa…" (id 3f2a…): name is 200 characters, KFP 2.15 allows 128 (experiments.Name)`. */
export function describeLegacySchemaViolation(violation: LegacySchemaViolation): string {
  const shown =
    [...violation.name].length > 60 ? `${[...violation.name].slice(0, 60).join("")}…` : violation.name;
  return (
    `${SINGULAR[violation.kind]} ${JSON.stringify(shown)} (id ${violation.id}): ${violation.field} is ` +
    `${violation.length} characters, KFP ${LEGACY_SCHEMA_MIGRATION_VERSION} allows ${violation.limit} (${violation.column})`
  );
}

// KFP's API and UI have no rename (no Update RPC for experiments, pipelines, versions, runs or recurring runs in
// backend/api/v2beta1/*.proto): the value is shortened in the database, as KFP's own preflight error advises
// ("Shorten these values before upgrading"), or the object is deleted.
function fixHint(kind: InventoryKind, id: string, limit: LegacySchemaLimit): string {
  const noun = SINGULAR[kind];
  const sqlId = id.replaceAll("'", "''");
  if (
    limit.checked?.field === "id" ||
    limit.checked?.field === "pipelineId" ||
    limit.checked?.field === "experimentId"
  ) {
    return `KFP cannot change an id: delete this ${noun} (KFP UI or API) if it can go, before upgrading.`;
  }
  return (
    `KFP's UI and API cannot rename ${/^[aeiou]/.test(noun) ? "an" : "a"} ${noun}: shorten it to at most ${limit.limit} characters in MySQL ` +
    `(database mlpipeline: UPDATE ${limit.table} SET ${limit.column} = '<new value>' WHERE UUID = '${sqlId}';), ` +
    `keeping it unique, or delete the ${noun} (KFP UI or API), then run the upgrade again.`
  );
}

import { describe, expect, it } from "vitest";
import type { KfpInventory } from "../../../src/kfp/inventory.js";
import {
  describeLegacySchemaViolation,
  findLegacySchemaViolations,
  LEGACY_SCHEMA_LIMITS,
} from "../../../src/kfp/legacy-schema-limits.js";

function inventory(parts: Partial<KfpInventory> = {}): KfpInventory {
  return {
    api: "v2beta1",
    serverTag: "2.0.5",
    multiUser: false,
    namespaces: null,
    experiments: [],
    pipelines: [],
    pipelineVersions: [],
    runs: [],
    recurringRuns: [],
    ...parts,
  };
}

const LONG_200 = "x".repeat(200);

describe("LEGACY_SCHEMA_LIMITS", () => {
  it("lists every limit of validation/length.go at 2.15.0, in its order", () => {
    expect(LEGACY_SCHEMA_LIMITS.map((limit) => `${limit.field} ${limit.limit}`)).toEqual([
      "DefaultExperiment.DefaultExperimentId 191",
      "Experiment.UUID 191",
      "Experiment.Name 128",
      "Experiment.Namespace 63",
      "Job.UUID 191",
      "PipelineVersion.UUID 191",
      "PipelineVersion.Name 127",
      "PipelineVersion.PipelineId 64",
      "Pipeline.UUID 64",
      "Pipeline.Name 128",
      "Pipeline.Namespace 63",
      "ResourceReference.ResourceUUID 191",
      "ResourceReference.ReferenceUUID 191",
      "Run.UUID 191",
      "Run.Namespace 63",
      "Run.ExperimentId 64",
      "Run.Conditions 125",
      "RunMetric.RunUUID 191",
      "RunMetric.NodeID 191",
      "RunMetric.Name 191",
      "Task.UUID 191",
      "Task.RunID 191",
    ]);
  });

  it("says for every limit it does not check why", () => {
    for (const limit of LEGACY_SCHEMA_LIMITS)
      expect(limit.checked !== null || Boolean(limit.note)).toBe(true);
  });
});

describe("findLegacySchemaViolations", () => {
  const cases = [
    {
      name: "an experiment with a 200-character name",
      inventory: inventory({ experiments: [{ id: "e1", name: LONG_200 }] }),
      found: [
        { kind: "experiments", id: "e1", field: "name", column: "experiments.Name", length: 200, limit: 128 },
      ],
    },
    {
      name: "an experiment name of exactly 128 characters",
      inventory: inventory({ experiments: [{ id: "e1", name: "x".repeat(128) }] }),
      found: [],
    },
    {
      name: "129 characters counted as characters, not bytes",
      inventory: inventory({
        experiments: [
          { id: "e1", name: "é".repeat(128) },
          { id: "e2", name: "😀".repeat(129) },
        ],
      }),
      found: [
        { kind: "experiments", id: "e2", field: "name", column: "experiments.Name", length: 129, limit: 128 },
      ],
    },
    {
      name: "a pipeline version name over 127",
      inventory: inventory({ pipelineVersions: [{ id: "v1", name: "v".repeat(128), pipelineId: "p1" }] }),
      found: [
        {
          kind: "pipelineVersions",
          id: "v1",
          field: "name",
          column: "pipeline_versions.Name",
          length: 128,
          limit: 127,
        },
      ],
    },
    {
      name: "a pipeline id over 64, in the pipeline and in its version",
      inventory: inventory({
        pipelines: [{ id: "p".repeat(65), name: "ok" }],
        pipelineVersions: [{ id: "v1", name: "ok", pipelineId: "p".repeat(65) }],
      }),
      found: [
        {
          kind: "pipelineVersions",
          id: "v1",
          field: "pipelineId",
          column: "pipeline_versions.PipelineId",
          length: 65,
          limit: 64,
        },
        {
          kind: "pipelines",
          id: "p".repeat(65),
          field: "id",
          column: "pipelines.UUID",
          length: 65,
          limit: 64,
        },
      ],
    },
    {
      name: "a pipeline name over 128 and a namespace over 63",
      inventory: inventory({ pipelines: [{ id: "p1", name: LONG_200, namespace: "n".repeat(64) }] }),
      found: [
        { kind: "pipelines", id: "p1", field: "name", column: "pipelines.Name", length: 200, limit: 128 },
        {
          kind: "pipelines",
          id: "p1",
          field: "namespace",
          column: "pipelines.Namespace",
          length: 64,
          limit: 63,
        },
      ],
    },
    {
      name: "a run's state over 125 and its experiment id over 64",
      inventory: inventory({
        runs: [{ id: "r1", name: "run", experimentId: "e".repeat(65), state: "s".repeat(126) }],
      }),
      found: [
        {
          kind: "runs",
          id: "r1",
          field: "experimentId",
          column: "run_details.ExperimentUUID",
          length: 65,
          limit: 64,
        },
        { kind: "runs", id: "r1", field: "state", column: "run_details.Conditions", length: 126, limit: 125 },
      ],
    },
    {
      name: "long names of runs and recurring runs (no limit on them)",
      inventory: inventory({
        runs: [{ id: "r1", name: LONG_200 }],
        recurringRuns: [{ id: "j1", name: LONG_200 }],
      }),
      found: [],
    },
    {
      name: "a recurring run id over 191",
      inventory: inventory({ recurringRuns: [{ id: "j".repeat(192), name: "hourly" }] }),
      found: [
        {
          kind: "recurringRuns",
          id: "j".repeat(192),
          field: "id",
          column: "jobs.UUID",
          length: 192,
          limit: 191,
        },
      ],
    },
  ];
  it.each(cases)("$name", ({ inventory: given, found }) => {
    const violations = findLegacySchemaViolations(given);
    expect(
      violations.map(({ kind, id, field, column, length, limit }) => ({
        kind,
        id,
        field,
        column,
        length,
        limit,
      })),
    ).toEqual(found);
  });

  it("names the object and tells how to fix it, since KFP cannot rename", () => {
    const [violation] = findLegacySchemaViolations(
      inventory({ experiments: [{ id: "6f9f6a3e-2a4b-4a52-8c0e-3b1a2d6e7f02", name: LONG_200 }] }),
    );
    expect(violation).toBeDefined();
    if (!violation) return;
    expect(describeLegacySchemaViolation(violation)).toBe(
      `experiment "${"x".repeat(60)}…" (id 6f9f6a3e-2a4b-4a52-8c0e-3b1a2d6e7f02): name is 200 characters, KFP 2.15.0 allows 128 (experiments.Name)`,
    );
    expect(violation.hint).toBe(
      "KFP's UI and API cannot rename an experiment: shorten it to at most 128 characters in MySQL (database mlpipeline: UPDATE experiments SET Name = '<new value>' WHERE UUID = '6f9f6a3e-2a4b-4a52-8c0e-3b1a2d6e7f02';), keeping it unique, or delete the experiment (KFP UI or API), then run the upgrade again.",
    );
  });

  it("tells an id it cannot be changed", () => {
    const [violation] = findLegacySchemaViolations(
      inventory({ pipelines: [{ id: "p".repeat(65), name: "ok" }] }),
    );
    expect(violation?.hint).toBe(
      "KFP cannot change an id: delete this pipeline (KFP UI or API) if it can go, before upgrading.",
    );
  });
});

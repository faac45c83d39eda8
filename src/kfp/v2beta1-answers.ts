import { z } from "zod";

/**
 * KFP's v2beta1 list answers, as far as the inventory reads them. Source: kubeflow/pipelines at tag 2.0.5,
 * backend/api/v2beta1/{experiment,pipeline,run,recurring_run}.proto and backend/api/v2beta1/swagger/*.swagger.json
 * (List*Response, Experiment, Pipeline, PipelineVersion, Run, RecurringRun). The server's grpc-gateway marshals
 * with proto field names and leaves zero values out: an empty list is `{}` (no array, no `total_size`), and
 * `next_page_token` is absent on the last page. `name` on pipelines and versions exists from 2.14
 * (backend/api/v2beta1/pipeline.proto at 2.14.4). Unknown fields are ignored.
 */

const page = { total_size: z.number().int().optional(), next_page_token: z.string().optional() };

export const v2ExperimentSchema = z.object({
  experiment_id: z.string().min(1),
  display_name: z.string().default(""),
  namespace: z.string().optional(),
  storage_state: z.string().optional(),
});
export const v2ListExperimentsSchema = z.object({
  experiments: z.array(v2ExperimentSchema).default([]),
  ...page,
});

export const v2PipelineSchema = z.object({
  pipeline_id: z.string().min(1),
  display_name: z.string().default(""),
  name: z.string().optional(),
  namespace: z.string().optional(),
});
export const v2ListPipelinesSchema = z.object({ pipelines: z.array(v2PipelineSchema).default([]), ...page });

export const v2PipelineVersionSchema = z.object({
  pipeline_version_id: z.string().min(1),
  pipeline_id: z.string().optional(),
  display_name: z.string().default(""),
  name: z.string().optional(),
});
export const v2ListPipelineVersionsSchema = z.object({
  pipeline_versions: z.array(v2PipelineVersionSchema).default([]),
  ...page,
});

export const v2RunSchema = z.object({
  run_id: z.string().min(1),
  display_name: z.string().default(""),
  experiment_id: z.string().optional(),
  namespace: z.string().optional(),
  state: z.string().optional(),
  storage_state: z.string().optional(),
});
export const v2ListRunsSchema = z.object({ runs: z.array(v2RunSchema).default([]), ...page });

export const v2RecurringRunSchema = z.object({
  recurring_run_id: z.string().min(1),
  display_name: z.string().default(""),
  namespace: z.string().optional(),
  experiment_id: z.string().optional(),
});
// The proto field itself is camelCase (`repeated RecurringRun recurringRuns = 1;`), so is the JSON.
export const v2ListRecurringRunsSchema = z.object({
  recurringRuns: z.array(v2RecurringRunSchema).default([]),
  ...page,
});

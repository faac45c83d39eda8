import { z } from "zod";

/**
 * KFP's v1beta1 list answers, as far as the inventory reads them: the only API of 0.x and 1.x releases, still
 * served by 2.x. Source: kubeflow/pipelines backend/api/swagger/kfp_api_single_file.swagger.json at 0.5.1 and
 * backend/api/v1beta1/swagger/kfp_api_single_file.swagger.json at 2.0.5 (apiListExperimentsResponse,
 * apiListPipelinesResponse, apiListPipelineVersionsResponse, apiListRunsResponse, apiListJobsResponse,
 * apiResourceReference). Marshalled like v2beta1: proto names, zero values (empty lists, `total_size: 0`) left out.
 * A run's or job's experiment and namespace are resource references (`EXPERIMENT`, `NAMESPACE`); a version's
 * pipeline is its `PIPELINE` reference.
 */

const page = { total_size: z.number().int().optional(), next_page_token: z.string().optional() };

export const v1ResourceReferenceSchema = z.object({
  key: z.object({ type: z.string().optional(), id: z.string().optional() }).optional(),
  relationship: z.string().optional(),
});
const references = z.array(v1ResourceReferenceSchema).default([]);

export const v1ExperimentSchema = z.object({
  id: z.string().min(1),
  name: z.string().default(""),
  storage_state: z.string().optional(),
  resource_references: references,
});
export const v1ListExperimentsSchema = z.object({
  experiments: z.array(v1ExperimentSchema).default([]),
  ...page,
});

export const v1PipelineSchema = z.object({
  id: z.string().min(1),
  name: z.string().default(""),
  resource_references: references,
});
export const v1ListPipelinesSchema = z.object({ pipelines: z.array(v1PipelineSchema).default([]), ...page });

export const v1PipelineVersionSchema = z.object({
  id: z.string().min(1),
  name: z.string().default(""),
  resource_references: references,
});
export const v1ListPipelineVersionsSchema = z.object({
  versions: z.array(v1PipelineVersionSchema).default([]),
  ...page,
});

export const v1RunSchema = z.object({
  id: z.string().min(1),
  name: z.string().default(""),
  status: z.string().optional(),
  storage_state: z.string().optional(),
  resource_references: references,
});
export const v1ListRunsSchema = z.object({ runs: z.array(v1RunSchema).default([]), ...page });

export const v1JobSchema = z.object({
  id: z.string().min(1),
  name: z.string().default(""),
  resource_references: references,
});
export const v1ListJobsSchema = z.object({ jobs: z.array(v1JobSchema).default([]), ...page });

export type V1ResourceReference = z.infer<typeof v1ResourceReferenceSchema>;

/** The id of the first reference of `type` (`EXPERIMENT`, `NAMESPACE`, `PIPELINE`). */
export function referenceId(references: V1ResourceReference[], type: string): string | undefined {
  return references.find((reference) => reference.key?.type === type)?.key?.id || undefined;
}

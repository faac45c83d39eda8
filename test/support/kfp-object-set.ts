import { z } from "zod";
import type { KfpProxyClient } from "./kfp-proxy-client.js";

// What KFP's own upgrade test creates before an upgrade and lists after it (backend/test/v2/integration/
// upgrade_test.go at 2.0.5: PrepareExperiments, PreparePipelines, PrepareRuns, PrepareRecurringRuns), in our own
// words: 3 experiments, 3 pipelines each with a second version, a run and a recurring run of the first pipeline's
// second version in the first experiment. Created and listed through KFP's v2beta1 REST API.

export const OBJECT_SET_EXPERIMENTS = ["training", "prediction", "moonshot"] as const;
export const OBJECT_SET_PIPELINES = [
  "arguments-parameters",
  "sequential",
  "zip-arguments-parameters",
] as const;
export const OBJECT_SET_RUN = "hello world";

/** Our own tiny Argo Workflow: KFP 2.0.5 still accepts v1 (Argo) pipeline packages. */
const workflow = (name: string) => `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: ${name}-
spec:
  entrypoint: say
  arguments:
    parameters:
      - name: message
        value: ${name}
  templates:
    - name: say
      inputs:
        parameters:
          - name: message
      container:
        image: busybox:1.36
        command: [echo]
        args: ["{{inputs.parameters.message}}"]
`;

export interface KfpObjectSet {
  experimentIds: string[];
  /** Each pipeline with the version uploaded second (the upload itself made the first). */
  pipelines: { id: string; name: string; secondVersionId: string }[];
  runId: string;
  recurringRunId: string;
}

const idOf = <K extends string>(key: K) => z.object({ [key]: z.string().min(1) } as Record<K, z.ZodString>);

/** Creates the set through `kfp` (a real KFP API server); every id KFP gave. Nothing here runs Argo. */
export async function createKfpObjectSet(kfp: KfpProxyClient): Promise<KfpObjectSet> {
  const experimentIds: string[] = [];
  for (const name of OBJECT_SET_EXPERIMENTS) {
    const created = await kfp.post("/apis/v2beta1/experiments", {
      display_name: name,
      description: `my ${name} experiment`,
    });
    experimentIds.push(idOf("experiment_id").parse(created).experiment_id);
  }
  const pipelines: KfpObjectSet["pipelines"] = [];
  for (const name of OBJECT_SET_PIPELINES) {
    const pipeline = idOf("pipeline_id").parse(
      await kfp.upload(
        `/apis/v2beta1/pipelines/upload?name=${encodeURIComponent(name)}&description=${encodeURIComponent(`the ${name} pipeline`)}`,
        `${name}.yaml`,
        workflow(name),
      ),
    );
    const version = idOf("pipeline_version_id").parse(
      await kfp.upload(
        `/apis/v2beta1/pipelines/upload_version?pipelineid=${pipeline.pipeline_id}&name=${encodeURIComponent(`${name}-v2`)}`,
        `${name}-v2.yaml`,
        workflow(`${name}-v2`),
      ),
    );
    pipelines.push({ id: pipeline.pipeline_id, name, secondVersionId: version.pipeline_version_id });
  }
  const [experimentId] = experimentIds;
  const [first] = pipelines;
  if (experimentId === undefined || first === undefined) throw new Error("nothing was created");
  // The first pipeline's second version, in the first experiment, for both.
  const runOf = {
    display_name: OBJECT_SET_RUN,
    description: "this is hello world",
    experiment_id: experimentId,
    pipeline_version_reference: { pipeline_id: first.id, pipeline_version_id: first.secondVersionId },
  };
  const run = idOf("run_id").parse(await kfp.post("/apis/v2beta1/runs", runOf));
  const recurring = idOf("recurring_run_id").parse(
    await kfp.post("/apis/v2beta1/recurringruns", {
      ...runOf,
      max_concurrency: "10",
      mode: "ENABLE",
      no_catchup: true,
      trigger: { cron_schedule: { cron: "0 0 0 * * *" } },
    }),
  );
  return { experimentIds, pipelines, runId: run.run_id, recurringRunId: recurring.recurring_run_id };
}

// The fields an upgrade must keep. Not the run's `state` (no Argo runs it) nor `updated_at`-like bookkeeping.
const text = z.string().optional();
const versionReference = z
  .object({ pipeline_id: text, pipeline_version_id: text })
  .optional()
  .transform((ref) => ({ pipelineId: ref?.pipeline_id, pipelineVersionId: ref?.pipeline_version_id }));
/** What every kind has: its name, description and creation time. */
const described = { display_name: z.string(), description: text, created_at: text };
const describedFields = (o: {
  display_name: string;
  description?: string | undefined;
  created_at?: string | undefined;
}) => ({
  name: o.display_name,
  description: o.description,
  createdAt: o.created_at,
});
const experiment = z
  .object({ experiment_id: z.string(), ...described })
  .transform((e) => ({ id: e.experiment_id, ...describedFields(e) }));
const pipeline = z
  .object({ pipeline_id: z.string(), ...described })
  .transform((p) => ({ id: p.pipeline_id, ...describedFields(p) }));
const pipelineVersion = z
  .object({ pipeline_version_id: z.string(), pipeline_id: z.string(), ...described })
  .transform((v) => ({ id: v.pipeline_version_id, pipelineId: v.pipeline_id, ...describedFields(v) }));
const runOf = { experiment_id: text, pipeline_version_reference: versionReference, ...described };
const run = z.object({ run_id: z.string(), storage_state: text, ...runOf }).transform((r) => ({
  id: r.run_id,
  ...describedFields(r),
  experimentId: r.experiment_id,
  ...r.pipeline_version_reference,
  storageState: r.storage_state,
}));
const recurringRun = z
  .object({
    recurring_run_id: z.string(),
    trigger: z.object({ cron_schedule: z.object({ cron: text }).optional() }).optional(),
    ...runOf,
  })
  .transform((r) => ({
    id: r.recurring_run_id,
    ...describedFields(r),
    experimentId: r.experiment_id,
    ...r.pipeline_version_reference,
    cron: r.trigger?.cron_schedule?.cron,
  }));

export interface KfpObjectListing {
  experiments: z.infer<typeof experiment>[];
  pipelines: z.infer<typeof pipeline>[];
  pipelineVersions: z.infer<typeof pipelineVersion>[];
  runs: z.infer<typeof run>[];
  recurringRuns: z.infer<typeof recurringRun>[];
}

/** Every object KFP lists (v2beta1, page by page), with its id and the fields that matter, each kind sorted by id. */
export async function listKfpObjectSet(kfp: KfpProxyClient): Promise<KfpObjectListing> {
  const pipelines = await listAll(kfp, "/apis/v2beta1/pipelines", "pipelines", pipeline);
  const pipelineVersions: KfpObjectListing["pipelineVersions"] = [];
  for (const { id } of pipelines) {
    const path = `/apis/v2beta1/pipelines/${id}/versions`;
    pipelineVersions.push(...(await listAll(kfp, path, "pipeline_versions", pipelineVersion)));
  }
  return {
    experiments: byId(await listAll(kfp, "/apis/v2beta1/experiments", "experiments", experiment)),
    pipelines: byId(pipelines),
    pipelineVersions: byId(pipelineVersions),
    runs: byId(await listAll(kfp, "/apis/v2beta1/runs", "runs", run)),
    // 2.0.5 names this list in camel case (backend/api/v2beta1/recurring_run.proto: `recurringRuns`).
    recurringRuns: byId(await listAll(kfp, "/apis/v2beta1/recurringruns", "recurringRuns", recurringRun)),
  };
}

const LABELS: Record<keyof KfpObjectListing, string> = {
  experiments: "experiments",
  pipelines: "pipelines",
  pipelineVersions: "pipeline versions",
  runs: "runs",
  recurringRuns: "recurring runs",
};

/** One line per kind, `experiments (4): Default, moonshot, prediction, training`, for a demo or a message. */
export function describeListing(listing: KfpObjectListing): string[] {
  return (Object.keys(LABELS) as (keyof KfpObjectListing)[]).map((kind) => {
    const names = listing[kind].map((item) => item.name).sort();
    return `${LABELS[kind]} (${names.length}): ${names.join(", ")}`;
  });
}

async function listAll<T>(kfp: KfpProxyClient, path: string, key: string, item: z.ZodType<T>): Promise<T[]> {
  const page = z.object({ items: z.array(item).optional(), next_page_token: z.string().optional() });
  const all: T[] = [];
  let token = "";
  do {
    const body = z
      .record(z.string(), z.unknown())
      .parse(await kfp.get(`${path}?page_size=50${token ? `&page_token=${encodeURIComponent(token)}` : ""}`));
    const answer = page.parse({ items: body[key], next_page_token: body.next_page_token });
    all.push(...(answer.items ?? []));
    token = answer.next_page_token ?? "";
  } while (token !== "");
  return all;
}

function byId<T extends { id: string }>(items: T[]): T[] {
  return [...items].sort((a, b) => a.id.localeCompare(b.id));
}

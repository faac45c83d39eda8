import type { z } from "zod";
import { ConfigError } from "../errors.js";
import type { KfpInventory } from "./inventory.js";
import { KfpApiError } from "./kfp-api-error.js";
import type { KfpHeaders, KfpQuery, KfpTransport } from "./kfp-transport.js";
import { probeKfpServer } from "./probe-kfp-server.js";
import { readAnswer } from "./read-answer.js";
import {
  referenceId,
  v1ListExperimentsSchema,
  v1ListJobsSchema,
  v1ListPipelinesSchema,
  v1ListPipelineVersionsSchema,
  v1ListRunsSchema,
} from "./v1beta1-answers.js";
import {
  v2ListExperimentsSchema,
  v2ListPipelinesSchema,
  v2ListPipelineVersionsSchema,
  v2ListRecurringRunsSchema,
  v2ListRunsSchema,
} from "./v2beta1-answers.js";

/**
 * The header multi-user KFP reads the user from: KUBEFLOW_USERID_HEADER, `kubeflow-userid` in KFP's multi-user
 * manifests (manifests/kustomize/base/installs/multi-user/api-service/deployment-patch.yaml at 2.0.5, with
 * KUBEFLOW_USERID_PREFIX ""). The API server forwards only this header to its handlers (grpcCustomMatcher in
 * backend/src/apiserver/main.go). KFP's SDK sends it the same way: a plain header on every request, from its
 * context settings `client_authentication_header_name` / `_value` (sdk/python/kfp/client/client.py at 2.0.5).
 */
export const DEFAULT_USER_ID_HEADER = "kubeflow-userid";

export interface KfpUserIdentity {
  /** Default `kubeflow-userid`; set it when the install changed KUBEFLOW_USERID_HEADER. */
  header?: string | undefined;
  /** The user, with the install's KUBEFLOW_USERID_PREFIX if it has one (`user@example.com`). */
  value: string;
}

export interface ReadInventoryOptions {
  /** The installed KFP version when known (`2.0.5`, `1.8.5`): picks the API version; otherwise it is probed. */
  kfpVersion?: string | null | undefined;
  /**
   * Multi-user installs: the profile namespaces to read. KFP lists experiments, runs and recurring runs only per
   * namespace there (v2beta1 `namespace`, v1beta1 a NAMESPACE resource reference). Ignored in single-user installs.
   */
  namespaces?: readonly string[] | undefined;
  /** Multi-user installs: who asks, sent as KFP's user header on every request. */
  user?: KfpUserIdentity | undefined;
  /** Items per page; KFP caps it at 200 (backend/src/apiserver/list/list.go maxPageSize). */
  pageSize?: number | undefined;
}

const DEFAULT_PAGE_SIZE = 200;

/**
 * Every experiment, pipeline, pipeline version, run and recurring run KFP lists, through its own REST API. The API
 * version comes from `probeKfpServer` (by the installed version when known, else probed; a v2beta1 404 falls back
 * to v1beta1). Every list is read page by page until KFP gives no `next_page_token`. Failures are `KfpApiError`s
 * (a multi-user install without namespaces or user is a `ConfigError`).
 */
export async function readInventory(
  transport: KfpTransport,
  options: ReadInventoryOptions = {},
): Promise<KfpInventory> {
  const headers: KfpHeaders = options.user
    ? { [options.user.header ?? DEFAULT_USER_ID_HEADER]: options.user.value }
    : {};
  const server = await probeKfpServer(transport, { kfpVersion: options.kfpVersion, headers });
  if (server.multiUser) requireMultiUserOptions(transport, options);
  const namespaces = server.multiUser ? [...(options.namespaces ?? [])] : null;
  const reader = new Reader(transport, headers, options.pageSize ?? DEFAULT_PAGE_SIZE);
  const lists =
    server.api === "v2beta1" ? await readV2(reader, namespaces) : await readV1(reader, namespaces);
  return { api: server.api, serverTag: server.tag, multiUser: server.multiUser, namespaces, ...lists };
}

type Lists = Omit<KfpInventory, "api" | "serverTag" | "multiUser" | "namespaces">;

async function readV2(reader: Reader, namespaces: string[] | null): Promise<Lists> {
  const scopes: (string | undefined)[] = namespaces ?? [undefined];
  const lists: Lists = { experiments: [], pipelines: [], pipelineVersions: [], runs: [], recurringRuns: [] };
  for (const scope of scopes) {
    const query = { namespace: scope };
    for (const item of await reader.all(
      "/apis/v2beta1/experiments",
      query,
      v2ListExperimentsSchema,
      "experiments",
    )) {
      lists.experiments.push({
        id: item.experiment_id,
        name: item.display_name,
        namespace: item.namespace || scope,
        storageState: item.storage_state,
      });
    }
  }
  // Shared pipelines (no namespace), then each namespace's own (2.x multi-user installs).
  const pipelineScopes = namespaces ? [undefined, ...namespaces] : [undefined];
  const seen = new Set<string>();
  for (const scope of pipelineScopes) {
    const query = { namespace: scope };
    for (const item of await reader.all(
      "/apis/v2beta1/pipelines",
      query,
      v2ListPipelinesSchema,
      "pipelines",
    )) {
      if (seen.has(item.pipeline_id)) continue;
      seen.add(item.pipeline_id);
      lists.pipelines.push({
        id: item.pipeline_id,
        name: item.name || item.display_name,
        namespace: item.namespace || scope,
      });
    }
  }
  for (const pipeline of lists.pipelines) {
    const path = `/apis/v2beta1/pipelines/${encodeURIComponent(pipeline.id)}/versions`;
    for (const item of await reader.all(path, {}, v2ListPipelineVersionsSchema, "pipeline_versions")) {
      lists.pipelineVersions.push({
        id: item.pipeline_version_id,
        name: item.name || item.display_name,
        pipelineId: item.pipeline_id || pipeline.id,
      });
    }
  }
  for (const scope of scopes) {
    const query = { namespace: scope };
    for (const item of await reader.all("/apis/v2beta1/runs", query, v2ListRunsSchema, "runs")) {
      lists.runs.push({
        id: item.run_id,
        name: item.display_name,
        namespace: item.namespace || scope,
        experimentId: item.experiment_id,
        state: item.state,
        storageState: item.storage_state,
      });
    }
    for (const item of await reader.all(
      "/apis/v2beta1/recurringruns",
      query,
      v2ListRecurringRunsSchema,
      "recurringRuns",
    )) {
      lists.recurringRuns.push({
        id: item.recurring_run_id,
        name: item.display_name,
        namespace: item.namespace || scope,
        experimentId: item.experiment_id,
      });
    }
  }
  return lists;
}

async function readV1(reader: Reader, namespaces: string[] | null): Promise<Lists> {
  const scopes: (string | undefined)[] = namespaces ?? [undefined];
  const lists: Lists = { experiments: [], pipelines: [], pipelineVersions: [], runs: [], recurringRuns: [] };
  const scoped = (scope: string | undefined): KfpQuery =>
    scope === undefined
      ? {}
      : { "resource_reference_key.type": "NAMESPACE", "resource_reference_key.id": scope };
  for (const scope of scopes) {
    const experiments = await reader.all(
      "/apis/v1beta1/experiments",
      scoped(scope),
      v1ListExperimentsSchema,
      "experiments",
    );
    for (const item of experiments) {
      lists.experiments.push({
        id: item.id,
        name: item.name,
        namespace: referenceId(item.resource_references, "NAMESPACE") ?? scope,
        storageState: item.storage_state,
      });
    }
  }
  // 0.x and 1.x pipelines are shared, never namespaced.
  for (const item of await reader.all("/apis/v1beta1/pipelines", {}, v1ListPipelinesSchema, "pipelines")) {
    lists.pipelines.push({
      id: item.id,
      name: item.name,
      namespace: referenceId(item.resource_references, "NAMESPACE"),
    });
  }
  for (const pipeline of lists.pipelines) {
    const query = { "resource_key.type": "PIPELINE", "resource_key.id": pipeline.id };
    for (const item of await reader.all(
      "/apis/v1beta1/pipeline_versions",
      query,
      v1ListPipelineVersionsSchema,
      "versions",
    )) {
      lists.pipelineVersions.push({
        id: item.id,
        name: item.name,
        pipelineId: referenceId(item.resource_references, "PIPELINE") ?? pipeline.id,
      });
    }
  }
  for (const scope of scopes) {
    for (const item of await reader.all("/apis/v1beta1/runs", scoped(scope), v1ListRunsSchema, "runs")) {
      lists.runs.push({
        id: item.id,
        name: item.name,
        namespace: referenceId(item.resource_references, "NAMESPACE") ?? scope,
        experimentId: referenceId(item.resource_references, "EXPERIMENT"),
        state: item.status,
        storageState: item.storage_state,
      });
    }
    for (const item of await reader.all("/apis/v1beta1/jobs", scoped(scope), v1ListJobsSchema, "jobs")) {
      lists.recurringRuns.push({
        id: item.id,
        name: item.name,
        namespace: referenceId(item.resource_references, "NAMESPACE") ?? scope,
        experimentId: referenceId(item.resource_references, "EXPERIMENT"),
      });
    }
  }
  return lists;
}

interface Page {
  next_page_token?: string | undefined;
}

class Reader {
  constructor(
    private readonly transport: KfpTransport,
    private readonly headers: KfpHeaders,
    private readonly pageSize: number,
  ) {}

  /** Every item of a list, page by page (`page_size`, then `page_token` = the last `next_page_token`). */
  async all<S extends z.ZodType<Page>, K extends keyof z.infer<S>>(
    path: string,
    query: KfpQuery,
    schema: S,
    key: K,
  ): Promise<z.infer<S>[K] extends (infer T)[] ? T[] : never> {
    const items: unknown[] = [];
    const tokens = new Set<string>();
    let token: string | undefined;
    do {
      const page = await readAnswer(
        this.transport,
        path,
        { ...query, page_size: this.pageSize, page_token: token },
        this.headers,
        schema,
      );
      items.push(...(page[key] as unknown[]));
      token = page.next_page_token || undefined;
      if (token !== undefined && tokens.has(token)) {
        throw new KfpApiError(
          "invalid-answer",
          path,
          `GET ${path} at ${this.transport.target}: KFP sent page token ${JSON.stringify(token)} twice`,
        );
      }
      if (token !== undefined) tokens.add(token);
    } while (token !== undefined);
    return items as z.infer<S>[K] extends (infer T)[] ? T[] : never;
  }
}

function requireMultiUserOptions(transport: KfpTransport, options: ReadInventoryOptions): void {
  const missing = [
    options.namespaces?.length ? null : "the profile namespaces to read",
    options.user ? null : `the user to ask as (KFP's ${DEFAULT_USER_ID_HEADER} header)`,
  ].filter((text): text is string => text !== null);
  if (missing.length === 0) return;
  throw new ConfigError(
    "KFP_MULTI_USER_OPTIONS",
    `KFP at ${transport.target} is a multi-user install: reading its inventory needs ${missing.join(" and ")}`,
    {
      hint: "KFP lists experiments and runs only per profile namespace, and only for a user allowed to see them.",
    },
  );
}

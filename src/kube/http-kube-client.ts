import type { KubeConfig } from "@kubernetes/client-node";
import { KubeApiError } from "../errors.js";
import { describeRef, type KubeObject, type ObjectRef, refOf } from "../model/kube-object.js";
import { sleep } from "../sleep.js";
import {
  classifyError,
  type ErrorContext,
  isNoEndpointsAnswer,
  isProxyDialFailure,
  toKubeApiError,
  toServiceProxyError,
} from "./api-error.js";
import { ApiTransport, type QueryParams } from "./api-transport.js";
import { Discovery, type ResourceInfo } from "./discovery.js";
import {
  type AccessCheck,
  type AccessResult,
  type ApplyOptions,
  type DeleteOptions,
  FIELD_MANAGER,
  type KubeClient,
  type ListOptions,
  type PatchType,
  type PodLogRequest,
  type ServedKind,
  type ServerVersion,
  type ServiceProxyRequest,
  type WaitCheck,
  type WaitOptions,
  type WaitResult,
  type WriteOptions,
} from "./kube-client.js";
import { type RulesReviewStatus, rulesGrant, rulesReviewStatusSchema } from "./match-access-rules.js";
import { withRetry } from "./retry.js";
import { waitForObject } from "./wait-for-object.js";
import { watchCollection } from "./watch-collection.js";

export interface HttpKubeClientOptions {
  kubeConfig: KubeConfig;
  server: string;
  context: string | null;
  user: string | null;
  namespace: string;
  /** How long transient failures are retried before they surface (default 30). */
  retrySeconds?: number | undefined;
  /** A single request with no answer for this long is abandoned and retried (default 60). */
  requestTimeoutSeconds?: number | undefined;
  /** HTTPS_PROXY, HTTP_PROXY and NO_PROXY are read from here, as kubectl reads them (default process.env). */
  env?: Record<string, string | undefined> | undefined;
}

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: "application/merge-patch+json",
  json: "application/json-patch+json",
  strategic: "application/strategic-merge-patch+json",
};
const APPLY_CONTENT_TYPE = "application/apply-patch+yaml";
const METADATA_LIST_ACCEPT = [
  "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io",
  "application/json;as=PartialObjectMetadataList;v=v1beta1;g=meta.k8s.io",
  "application/json",
].join(",");
const LIST_PAGE_SIZE = 500;
// A CRD's kind reaches discovery milliseconds after Established; a few quick re-reads, then at most two a second.
const WAIT_SERVED_FIRST_DELAY_MS = 25;
const WAIT_SERVED_MAX_DELAY_MS = 500;
// The server ends a watch after this; we list again and re-watch, which also bounds a silently stalled stream.
const WATCH_SERVER_TIMEOUT_SECONDS = 300;

const CLUSTER_SCOPED_KINDS = new Set([
  "Namespace",
  "PersistentVolume",
  "StorageClass",
  "CSIDriver",
  "CustomResourceDefinition",
  "ClusterRole",
  "ClusterRoleBinding",
  "PriorityClass",
  "Node",
]);

interface Location {
  info: ResourceInfo;
  namespace: string | undefined;
  collection: string;
  path: string;
}

/** KubeClient over HTTP(S): the only implementation that talks to a real API server. */
/**
 * The namespace a rules review of cluster-scoped rights is asked for: not a valid namespace name (the underscore),
 * so no namespace, and no RoleBinding, can ever be in it, and the review lists only what ClusterRoleBindings grant.
 * A namespace's own review would also list its Roles' rules, which grant nothing outside it, whatever they name.
 */
const CLUSTER_SCOPE_REVIEW = "kfp-upgrade_cluster-scope";

export class HttpKubeClient implements KubeClient {
  readonly context: string | null;
  readonly defaultNamespace: string;
  readonly cluster: string;
  readonly user: string | null;
  private readonly transport: ApiTransport;
  private readonly discovery: Discovery;
  private readonly retrySeconds: number;

  constructor(options: HttpKubeClientOptions) {
    this.context = options.context;
    this.defaultNamespace = options.namespace;
    this.cluster = options.server;
    this.user = options.user;
    this.retrySeconds = options.retrySeconds ?? 30;
    this.transport = new ApiTransport(
      options.kubeConfig,
      options.server,
      options.requestTimeoutSeconds ?? 60,
      options.env ?? process.env,
    );
    this.discovery = new Discovery((path, accept) => this.transport.request({ method: "GET", path, accept }));
  }

  requestCount(): number {
    return this.transport.requestCount();
  }

  get(ref: ObjectRef): Promise<KubeObject | null> {
    return this.run({ verb: "get", ref }, async () => {
      const location = await this.locate(ref);
      if (!location) return null;
      try {
        return await this.transport.request<KubeObject>({ method: "GET", path: location.path });
      } catch (error) {
        if (statusOf(error) === 404) return null;
        throw error;
      }
    });
  }

  list(apiVersion: string, kind: string, options: ListOptions = {}): Promise<KubeObject[]> {
    return this.listWith(apiVersion, kind, options, "application/json");
  }

  async listMetadata(apiVersion: string, kind: string, options: ListOptions = {}): Promise<KubeObject[]> {
    const items = await this.listWith(apiVersion, kind, options, METADATA_LIST_ACCEPT);
    // An old server may ignore the metadata-only Accept header: whatever else came back is dropped right here.
    return items.map((item) => ({ apiVersion, kind, metadata: item.metadata }));
  }

  apply(object: KubeObject, options: ApplyOptions): Promise<KubeObject> {
    const ref = refOf(object);
    return this.run({ verb: "apply", ref }, async () => {
      const location = await this.locateRequired("apply", ref);
      const { managedFields: _managedFields, ...metadata } = object.metadata;
      return this.transport.request<KubeObject>({
        method: "PATCH",
        path: location.path,
        contentType: APPLY_CONTENT_TYPE,
        query: { fieldManager: FIELD_MANAGER, force: options.force, ...dryRun(options.dryRun) },
        body: { ...object, metadata: { ...metadata, namespace: location.namespace } },
      });
    });
  }

  create(object: KubeObject, options: WriteOptions = {}): Promise<KubeObject> {
    const ref = refOf(object);
    return this.run({ verb: "create", ref }, async () => {
      const location = await this.locateRequired("create", ref);
      return this.transport.request<KubeObject>({
        method: "POST",
        path: location.collection,
        query: { fieldManager: FIELD_MANAGER, ...dryRun(options.dryRun) },
        body: withNamespace(object, location.namespace),
      });
    });
  }

  replace(object: KubeObject, options: WriteOptions = {}): Promise<KubeObject> {
    const ref = refOf(object);
    return this.run({ verb: "replace", ref }, async () => {
      const location = await this.locateRequired("replace", ref);
      return this.transport.request<KubeObject>({
        method: "PUT",
        path: location.path,
        query: { fieldManager: FIELD_MANAGER, ...dryRun(options.dryRun) },
        body: withNamespace(object, location.namespace),
      });
    });
  }

  patch(ref: ObjectRef, body: unknown, type: PatchType, options: WriteOptions = {}): Promise<KubeObject> {
    return this.run({ verb: "patch", ref }, async () => {
      const location = await this.locateRequired("patch", ref);
      return this.transport.request<KubeObject>({
        method: "PATCH",
        path: location.path,
        contentType: PATCH_CONTENT_TYPES[type],
        query: { fieldManager: FIELD_MANAGER, ...dryRun(options.dryRun) },
        body,
      });
    });
  }

  delete(ref: ObjectRef, options: DeleteOptions = {}): Promise<boolean> {
    return this.run({ verb: "delete", ref }, async () => {
      const location = await this.locate(ref);
      if (!location) return false;
      try {
        await this.transport.request({
          method: "DELETE",
          path: location.path,
          body: {
            apiVersion: "v1",
            kind: "DeleteOptions",
            propagationPolicy: options.propagationPolicy,
            preconditions: options.uid ? { uid: options.uid } : undefined,
            dryRun: options.dryRun ? ["All"] : undefined,
          },
        });
        return true;
      } catch (error) {
        if (statusOf(error) === 404) return false;
        throw error;
      }
    });
  }

  async waitFor(ref: ObjectRef, check: WaitCheck, options: WaitOptions): Promise<WaitResult> {
    const location = await this.run({ verb: "watch", ref }, () => this.locateRequired("watch", ref));
    const fieldSelector = `metadata.name=${ref.name}`;
    try {
      return await waitForObject(
        {
          list: async (signal) => {
            const list = await this.transport.request<{
              items?: KubeObject[];
              metadata?: { resourceVersion?: string };
            }>({ method: "GET", path: location.collection, query: { fieldSelector }, signal });
            const item = list.items?.[0];
            return {
              object: item ? { ...item, apiVersion: ref.apiVersion, kind: ref.kind } : null,
              resourceVersion: list.metadata?.resourceVersion ?? "",
            };
          },
          watch: (resourceVersion, onEvent, onDone) =>
            this.transport.watch(
              location.collection,
              {
                fieldSelector,
                resourceVersion,
                allowWatchBookmarks: true,
                timeoutSeconds: WATCH_SERVER_TIMEOUT_SECONDS,
              },
              onEvent,
              onDone,
            ),
        },
        check,
        options,
      );
    } catch (error) {
      // Only API failures are translated; the abort reason and a throwing check pass through untouched.
      const kind = classifyError(error).kind;
      if (kind === "unknown" || kind === "aborted") throw error;
      if (options.signal?.aborted && error === options.signal.reason) throw error;
      throw toKubeApiError(error, { verb: "watch", ref: this.withKnownNamespace(ref), server: this.cluster });
    }
  }

  async watchList(
    apiVersion: string,
    kind: string,
    options: ListOptions,
    onChange: (objects: readonly KubeObject[]) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const target = `${kind.toLowerCase()}${options.namespace ? ` -n ${options.namespace}` : ""}`;
    const collection = await this.run({ verb: "watch", target }, () =>
      this.collectionFor(apiVersion, kind, options, target),
    );
    const selectors = { labelSelector: options.labelSelector, fieldSelector: options.fieldSelector };
    try {
      await watchCollection(
        {
          list: (listSignal) =>
            this.listPages(collection, apiVersion, kind, options, "application/json", listSignal),
          watch: (resourceVersion, onEvent, onDone) =>
            this.transport.watch(
              collection,
              {
                ...selectors,
                resourceVersion,
                allowWatchBookmarks: true,
                timeoutSeconds: WATCH_SERVER_TIMEOUT_SECONDS,
              },
              (type, object) =>
                onEvent(
                  type,
                  type === "ADDED" || type === "MODIFIED" || type === "DELETED"
                    ? { ...(object as KubeObject), apiVersion, kind }
                    : object,
                ),
              onDone,
            ),
        },
        onChange,
        signal,
      );
    } catch (error) {
      const classified = classifyError(error).kind;
      if (classified === "unknown" || classified === "aborted") throw error;
      throw toKubeApiError(error, { verb: "watch", target, server: this.cluster });
    }
  }

  servedApiVersions(): Promise<string[]> {
    return this.run({ verb: "discover", target: "API versions (/api, /apis)" }, () =>
      this.discovery.servedApiVersions(),
    );
  }

  async waitServed(
    kinds: readonly ServedKind[],
    options: { timeoutSeconds: number; signal?: AbortSignal },
  ): Promise<ServedKind[]> {
    const deadline = Date.now() + options.timeoutSeconds * 1000;
    let missing = [...kinds];
    for (let attempt = 0; ; attempt++) {
      // A miss re-reads discovery once; concurrent misses share that read.
      const found = await this.run({ verb: "discover", target: "API resources (/api, /apis)" }, () =>
        Promise.all(missing.map((served) => this.discovery.resourceFor(served.apiVersion, served.kind))),
      );
      missing = missing.filter((_, index) => !found[index]);
      if (missing.length === 0 || Date.now() >= deadline) return missing;
      await sleep(
        Math.min(WAIT_SERVED_MAX_DELAY_MS, WAIT_SERVED_FIRST_DELAY_MS * 2 ** attempt),
        options.signal,
      );
    }
  }

  serverVersion(): Promise<ServerVersion> {
    return this.run({ verb: "get", target: "/version" }, async () => {
      const info = await this.transport.request<Record<string, unknown>>({ method: "GET", path: "/version" });
      const gitVersion = typeof info.gitVersion === "string" ? info.gitVersion : "";
      const fromGit = /^v?(\d+)\.(\d+)/.exec(gitVersion);
      // `minor` is "30+" on some managed clusters; gitVersion is the fallback.
      return {
        gitVersion,
        major: leadingInteger(info.major) ?? leadingInteger(fromGit?.[1]) ?? 0,
        minor: leadingInteger(info.minor) ?? leadingInteger(fromGit?.[2]) ?? 0,
      };
    });
  }

  /**
   * One SelfSubjectRulesReview per namespace the checks name (cluster-wide checks ride on the first one: the rules
   * of ClusterRoleBindings show in every namespace's review), evaluated here. Rules are additive, so a rule that
   * grants a check is proof; a check no rule grants, or every check when the review is incomplete (an authorizer
   * that cannot list rules, e.g. a webhook), is asked with a SelfSubjectAccessReview, the API server's
   * authoritative answer. So a refusal always comes from an access review. See
   * https://kubernetes.io/docs/reference/kubernetes-api/authorization-resources/self-subject-rules-review-v1/.
   */
  async canI(checks: AccessCheck[]): Promise<AccessResult[]> {
    if (checks.length === 0) return [];
    const namespaces = [...new Set(checks.map((check) => check.namespace ?? CLUSTER_SCOPE_REVIEW))];
    const reviews = new Map(
      await Promise.all(namespaces.map(async (ns) => [ns, await this.rulesReview(ns)] as const)),
    );
    return Promise.all(
      checks.map((check) => {
        const review = reviews.get(check.namespace ?? CLUSTER_SCOPE_REVIEW) ?? null;
        // An incomplete review (another authorizer took part, one that may also deny) decides nothing.
        if (review && !review.incomplete && rulesGrant(review.resourceRules, check)) {
          return { check, allowed: true, reason: null };
        }
        return this.accessReview(check);
      }),
    );
  }

  /** null when the server does not answer one (old server, forbidden): every check then takes an access review. */
  private async rulesReview(namespace: string): Promise<RulesReviewStatus | null> {
    try {
      const review = await this.run({ verb: "create", target: "selfsubjectrulesreview" }, () =>
        this.transport.request<{ status?: unknown }>({
          method: "POST",
          path: "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
          body: {
            apiVersion: "authorization.k8s.io/v1",
            kind: "SelfSubjectRulesReview",
            spec: { namespace },
          },
        }),
      );
      const status = rulesReviewStatusSchema.safeParse(review.status ?? {});
      // An incomplete list still proves what it grants; only what it lacks needs an access review.
      return status.success ? status.data : null;
    } catch (error) {
      if (error instanceof KubeApiError && error.statusCode !== undefined && error.statusCode < 500)
        return null;
      throw error;
    }
  }

  private accessReview(check: AccessCheck): Promise<AccessResult> {
    return this.run({ verb: "create", target: "selfsubjectaccessreview" }, async () => {
      const review = await this.transport.request<{ status?: Record<string, unknown> }>({
        method: "POST",
        path: "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
        body: {
          apiVersion: "authorization.k8s.io/v1",
          kind: "SelfSubjectAccessReview",
          spec: { resourceAttributes: { ...check } },
        },
      });
      const status = review.status ?? {};
      const reason = [status.reason, status.evaluationError].filter(
        (text): text is string => typeof text === "string" && text !== "",
      );
      return {
        check,
        allowed: status.allowed === true,
        reason: reason.length ? reason.join("; ") : null,
      };
    });
  }

  async serviceProxyGet(request: ServiceProxyRequest): Promise<unknown> {
    const service = `${encodeURIComponent(request.service)}:${encodeURIComponent(String(request.port))}`;
    const path = `/api/v1/namespaces/${encodeURIComponent(request.namespace)}/services/${service}/proxy${request.path.startsWith("/") ? "" : "/"}${request.path}`;
    try {
      const outcome = await withRetry(
        async () => {
          try {
            const answer = await this.transport.request<unknown>({
              method: "GET",
              path,
              query: request.query,
              headers: request.headers,
            });
            return { answer };
          } catch (error) {
            // Returned, not thrown, so the retry loop does not wait out a state only a rollout changes.
            if (isNoEndpointsAnswer(error) || isProxyDialFailure(error)) return { notServing: error };
            throw error;
          }
        },
        { retrySeconds: this.retrySeconds },
      );
      if ("notServing" in outcome) throw outcome.notServing;
      return outcome.answer;
    } catch (error) {
      throw toServiceProxyError(error, request, this.cluster);
    }
  }

  async podLogs(request: PodLogRequest): Promise<string> {
    const path = `/api/v1/namespaces/${encodeURIComponent(request.namespace)}/pods/${encodeURIComponent(request.pod)}/log`;
    const ref: ObjectRef = { apiVersion: "v1", kind: "Pod", name: request.pod, namespace: request.namespace };
    try {
      const text = await withRetry(
        () =>
          this.transport.request<unknown>({
            method: "GET",
            path,
            query: { container: request.container, tailLines: request.tailLines },
            accept: "text/plain, */*",
          }),
        { retrySeconds: this.retrySeconds },
      );
      // The transport parses JSON bodies; a log that happens to be one JSON value is given back as text.
      return typeof text === "string" ? text : text === undefined ? "" : JSON.stringify(text);
    } catch (error) {
      throw toKubeApiError(error, { verb: "get", ref, server: this.cluster });
    }
  }

  private async listWith(
    apiVersion: string,
    kind: string,
    options: ListOptions,
    accept: string,
  ): Promise<KubeObject[]> {
    const target = `${kind.toLowerCase()}${options.namespace ? ` -n ${options.namespace}` : ""}`;
    return this.run({ verb: "list", target }, async () => {
      const collection = await this.collectionFor(apiVersion, kind, options, target);
      return (await this.listPages(collection, apiVersion, kind, options, accept)).items;
    });
  }

  private async collectionFor(apiVersion: string, kind: string, options: ListOptions, target: string) {
    const info = await this.discovery.resourceFor(apiVersion, kind);
    if (!info) throw notServed("list", { apiVersion, kind, name: "" }, target);
    return collectionPath(apiVersion, info, info.namespaced ? options.namespace : undefined);
  }

  /** Every page of a list; the resourceVersion is the list's (the same on every page), to watch from. */
  private async listPages(
    collection: string,
    apiVersion: string,
    kind: string,
    options: ListOptions,
    accept: string,
    signal?: AbortSignal,
  ): Promise<{ items: KubeObject[]; resourceVersion: string }> {
    const items: KubeObject[] = [];
    let token: string | undefined;
    let resourceVersion = "";
    do {
      const query: QueryParams = {
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
        limit: LIST_PAGE_SIZE,
        continue: token,
      };
      const page = await this.transport.request<{
        items?: KubeObject[];
        metadata?: { continue?: string; resourceVersion?: string };
      }>({ method: "GET", path: collection, query, accept, ...(signal ? { signal } : {}) });
      for (const item of page.items ?? []) items.push({ ...item, apiVersion, kind });
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
      token = page.metadata?.continue || undefined;
    } while (token);
    return { items, resourceVersion };
  }

  private async locateRequired(verb: string, ref: ObjectRef): Promise<Location> {
    const location = await this.locate(ref);
    if (!location) throw notServed(verb, this.withKnownNamespace(ref));
    return location;
  }

  /** undefined when the server does not serve the kind. */
  private async locate(ref: ObjectRef): Promise<Location | undefined> {
    const info = await this.discovery.resourceFor(ref.apiVersion, ref.kind);
    if (!info) return undefined;
    const namespace = info.namespaced ? ref.namespace || this.defaultNamespace : undefined;
    const collection = collectionPath(ref.apiVersion, info, namespace);
    return { info, namespace, collection, path: `${collection}/${encodeURIComponent(ref.name)}` };
  }

  private async run<T>(context: Omit<ErrorContext, "server">, operation: () => Promise<T>): Promise<T> {
    try {
      return await withRetry(operation, { retrySeconds: this.retrySeconds });
    } catch (error) {
      const ref = context.ref && this.withKnownNamespace(context.ref);
      throw toKubeApiError(error, { ...context, ref, server: this.cluster });
    }
  }

  /** The ref as the request addressed it, so messages say `-n kubeflow` even when the caller left it implicit. */
  private withKnownNamespace(ref: ObjectRef): ObjectRef {
    // Before discovery has answered (server down), guess from the well-known cluster-scoped kinds.
    const namespaced =
      this.discovery.cached(ref.apiVersion, ref.kind)?.namespaced ?? !CLUSTER_SCOPED_KINDS.has(ref.kind);
    return { ...ref, namespace: namespaced ? ref.namespace || this.defaultNamespace : undefined };
  }
}

function collectionPath(apiVersion: string, info: ResourceInfo, namespace: string | undefined): string {
  const root = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return namespace
    ? `${root}/namespaces/${encodeURIComponent(namespace)}/${info.resource}`
    : `${root}/${info.resource}`;
}

function withNamespace(object: KubeObject, namespace: string | undefined): KubeObject {
  return namespace ? { ...object, metadata: { ...object.metadata, namespace } } : object;
}

function dryRun(enabled: boolean | undefined): QueryParams {
  return enabled ? { dryRun: "All" } : {};
}

function leadingInteger(value: unknown): number | undefined {
  const parsed = Number.parseInt(String(value ?? ""), 10);
  return Number.isNaN(parsed) ? undefined : parsed;
}

function statusOf(error: unknown): number | undefined {
  const classified = classifyError(error);
  return classified.kind === "status" ? classified.statusCode : undefined;
}

function notServed(verb: string, ref: ObjectRef, target?: string): KubeApiError {
  const what = target ?? (ref.name ? describeRef(ref) : ref.kind.toLowerCase());
  return new KubeApiError(
    `${verb} ${what}: the API server does not serve kind ${ref.kind} in ${ref.apiVersion}`,
    {
      statusCode: 404,
      reason: "NotFound",
      code: "KUBE_KIND_NOT_SERVED",
      hint: "Install the CRD that defines it first, or check the apiVersion (kubectl api-resources).",
    },
  );
}

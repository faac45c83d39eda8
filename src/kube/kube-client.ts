import type { KubeObject, ObjectRef } from "../model/kube-object.js";

/** Every write kfp-upgrade makes carries this field manager, so `managedFields` show which fields it owns. */
export const FIELD_MANAGER = "kfp-upgrade";

export type PatchType = "merge" | "json" | "strategic";
export type PropagationPolicy = "Foreground" | "Background" | "Orphan";

export interface ListOptions {
  /** Omit for cluster-scoped kinds, or to list a namespaced kind across all namespaces. */
  namespace?: string | undefined;
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
}

export interface ApplyOptions {
  /** Take over fields another manager owns. Only for objects the release owns. */
  force: boolean;
  dryRun?: boolean | undefined;
}

export interface WriteOptions {
  dryRun?: boolean | undefined;
}

export interface DeleteOptions {
  propagationPolicy?: PropagationPolicy | undefined;
  /** Precondition: delete only if the object still has this UID (409 Conflict otherwise). */
  uid?: string | undefined;
  dryRun?: boolean | undefined;
}

/** A kind as discovery names it: `argoproj.io/v1alpha1` + `Workflow`. */
export interface ServedKind {
  apiVersion: string;
  kind: string;
}

/** A pure readiness rule's verdict on the current object (null: the object does not exist). */
export interface WaitCheckResult {
  done: boolean;
  ok: boolean;
  message: string;
}
export type WaitCheck = (object: KubeObject | null) => WaitCheckResult;

export interface WaitOptions {
  timeoutSeconds: number;
  signal?: AbortSignal | undefined;
  /** Called whenever the check's message changes. */
  onProgress?: ((message: string) => void) | undefined;
}

export interface WaitResult {
  ok: boolean;
  message: string;
  object: KubeObject | null;
  /** true when the check never reported done within `timeoutSeconds`. */
  timedOut: boolean;
}

/** One SelfSubjectAccessReview question: may the current user `verb` `resource` in `group` (core: "")? */
export interface AccessCheck {
  verb: string;
  group: string;
  resource: string;
  subresource?: string | undefined;
  namespace?: string | undefined;
  name?: string | undefined;
}

export interface AccessResult {
  check: AccessCheck;
  allowed: boolean;
  reason: string | null;
}

/** A GET sent to a Service through the API server's proxy (`services/proxy` RBAC; works wherever kubectl works). */
export interface ServiceProxyRequest {
  namespace: string;
  service: string;
  /** The Service's port: its number (`8888`) or its name (`http`). */
  port: number | string;
  /** The path on the service, starting with `/` (`/apis/v2beta1/healthz`). */
  path: string;
  query?: Record<string, string | number | boolean | undefined> | undefined;
  /** Sent on to the service (the proxy passes them through; the credentials are the API server's business). */
  headers?: Record<string, string> | undefined;
}

export interface ServerVersion {
  gitVersion: string;
  major: number;
  minor: number;
}

/**
 * The one way the rest of kfp-upgrade talks to an API server. Every failure is a `KubeApiError` (statusCode and
 * reason kept: 404 NotFound, 409 AlreadyExists / Conflict, 422 Invalid, …). Transient failures (connection refused or
 * reset, 429, 5xx, timeouts) are retried with backoff before they surface. Namespaced objects and refs without a
 * namespace go to `defaultNamespace`.
 *
 * Retries make writes at-least-once: a `create` or `replace` whose first attempt reached the server but whose answer
 * was lost is retried and may then report 409 although the first attempt succeeded. Callers that care (the lock)
 * re-read the object and compare it with what they wrote.
 */
export interface KubeClient {
  /** kubeconfig context name; null in-cluster. */
  readonly context: string | null;
  readonly defaultNamespace: string;
  /** API server URL. */
  readonly cluster: string;
  /** kubeconfig user name, for history; null when unknown (in-cluster). */
  readonly user: string | null;

  /** Number of HTTP requests made so far, retries and watches included. */
  requestCount(): number;

  /** null when the object (or its kind) does not exist. */
  get(ref: ObjectRef): Promise<KubeObject | null>;
  list(apiVersion: string, kind: string, options?: ListOptions): Promise<KubeObject[]>;
  /**
   * Like `list`, but the server returns metadata only (PartialObjectMetadata), so Secret data never reaches this
   * process. Items carry the requested apiVersion and kind.
   */
  listMetadata(apiVersion: string, kind: string, options?: ListOptions): Promise<KubeObject[]>;

  /** Server-side apply with field manager `FIELD_MANAGER`; creates the object if it does not exist. */
  apply(object: KubeObject, options: ApplyOptions): Promise<KubeObject>;
  create(object: KubeObject, options?: WriteOptions): Promise<KubeObject>;
  /** PUT; a `metadata.resourceVersion` in `object` is an optimistic-concurrency precondition (409 Conflict). */
  replace(object: KubeObject, options?: WriteOptions): Promise<KubeObject>;
  patch(ref: ObjectRef, body: unknown, type: PatchType, options?: WriteOptions): Promise<KubeObject>;
  /** false when the object was already gone. */
  delete(ref: ObjectRef, options?: DeleteOptions): Promise<boolean>;

  /**
   * Watches one object until `check` reports done, the timeout passes or `signal` aborts (rejects with its reason).
   * Survives watch drops and API server restarts by re-listing and re-watching.
   */
  waitFor(ref: ObjectRef, check: WaitCheck, options: WaitOptions): Promise<WaitResult>;

  /**
   * Lists a collection, then watches it from the list's resourceVersion (one stream for the whole collection) and
   * calls `onChange` with all of its objects after the list and after every change, until `signal` aborts
   * (resolves). Re-lists and re-watches after a dropped watch, a 410 Expired or an API server restart; rejects
   * only on a non-transient failure (403, a kind not served, or `onChange` throwing).
   */
  watchList(
    apiVersion: string,
    kind: string,
    options: ListOptions,
    onChange: (objects: readonly KubeObject[]) => void,
    signal: AbortSignal,
  ): Promise<void>;

  /** `v1`, `apps/v1`, … every group version the server serves (fresh discovery, not cached). */
  servedApiVersions(): Promise<string[]>;
  /**
   * Waits until discovery serves every kind, re-reading discovery with a short backoff; returns the kinds still
   * not served when `timeoutSeconds` pass (empty when all are). A CRD's kind can reach discovery a few
   * milliseconds after its Established condition: kube-apiserver's establishing and discovery controllers run
   * separate queues, so a write right after "Established" can still find the kind unknown.
   */
  waitServed(
    kinds: readonly ServedKind[],
    options: { timeoutSeconds: number; signal?: AbortSignal },
  ): Promise<ServedKind[]>;
  serverVersion(): Promise<ServerVersion>;
  /**
   * Results in the order of `checks`. One SelfSubjectRulesReview per namespace answers what its rules grant; the
   * rest is confirmed by a SelfSubjectAccessReview each, so "not allowed" is always the API server's own answer.
   */
  canI(checks: AccessCheck[]): Promise<AccessResult[]>;

  /**
   * GET /api/v1/namespaces/NS/services/SERVICE:PORT/proxy/PATH; the service's JSON answer (undefined when empty).
   * Failures are `KubeApiError`s that say who answered:
   * - `KUBE_PROXY_NO_ENDPOINTS` (503): the Service has no ready pod. Not retried: it is the cluster's state,
   *   not a glitch, and the caller decides how long to wait for a rollout;
   * - `KUBE_PROXY_UNREACHABLE` (503): the API server could not dial the pod (nothing listens yet). Not retried,
   *   for the same reason;
   * - `KUBE_PROXY_SERVICE_ERROR` (the service's own status code): the service answered with an error;
   * - anything else comes from the API server itself (`KUBE_NOT_FOUND`: no such Service; `KUBE_FORBIDDEN`: no
   *   `services/proxy` permission; `KUBE_UNREACHABLE`, …), after the usual retries.
   */
  serviceProxyGet(request: ServiceProxyRequest): Promise<unknown>;

  /**
   * GET /api/v1/namespaces/NS/pods/POD/log: the last lines of a container's log as text. Optional: a client that
   * cannot read logs leaves it out, and callers treat logs as a nice-to-have (progress), never as required.
   */
  podLogs?(request: PodLogRequest): Promise<string>;
}

export interface PodLogRequest {
  namespace: string;
  pod: string;
  container?: string | undefined;
  /** Only the last N lines. */
  tailLines?: number | undefined;
}

import { KubeApiError } from "../errors.js";
import { describeRef, type ObjectRef } from "../model/kube-object.js";
import type { ServiceProxyRequest } from "./kube-client.js";

/**
 * The one place where whatever the HTTP layer, client-node or Node's sockets throw becomes a `KubeApiError`. Shapes
 * understood: `{statusCode, body}` (our transport, client-node's watch), `{code: number, body}` (client-node's
 * ApiException), Node system errors (`code: "ECONNREFUSED"`, possibly nested in `cause`), timeouts and aborts.
 */

export type ClassifiedError =
  | {
      kind: "status";
      statusCode: number;
      reason: string | undefined;
      message: string;
      retryAfterSeconds: number | undefined;
    }
  | { kind: "network"; code: string; tls: boolean }
  | { kind: "timeout" }
  | { kind: "aborted" }
  | { kind: "unknown"; message: string };

/** What was being done, for the message: `patch persistentvolume/kfp-mysql`, `list deployment -n kubeflow`. */
export interface ErrorContext {
  verb: string;
  /** The object acted on; a Secret's validation messages are redacted. */
  ref?: ObjectRef | undefined;
  /** Used when there is no single object (a list, discovery). */
  target?: string | undefined;
  /** API server URL, named when it cannot be reached. */
  server: string;
}

const TRANSIENT_STATUS = new Set([429, 500, 502, 503, 504]);
const TRANSIENT_NETWORK = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "UND_ERR_SOCKET",
  "ERR_STREAM_PREMATURE_CLOSE",
]);
const NETWORK_CODE = /^(E[A-Z]+|UND_ERR_[A-Z_]+|ERR_STREAM_PREMATURE_CLOSE)$/;
const TLS_CODE =
  /^(CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_TLS_|ERR_SSL_|ERR_OSSL_)/;

const CODE_BY_REASON: Record<string, string> = {
  NotFound: "KUBE_NOT_FOUND",
  AlreadyExists: "KUBE_ALREADY_EXISTS",
  Conflict: "KUBE_CONFLICT",
  Invalid: "KUBE_INVALID",
  Forbidden: "KUBE_FORBIDDEN",
  Unauthorized: "KUBE_UNAUTHORIZED",
  TooManyRequests: "KUBE_TOO_MANY_REQUESTS",
  Gone: "KUBE_GONE",
  Expired: "KUBE_GONE",
};
const CODE_BY_STATUS: Record<number, string> = {
  401: "KUBE_UNAUTHORIZED",
  403: "KUBE_FORBIDDEN",
  404: "KUBE_NOT_FOUND",
  409: "KUBE_CONFLICT",
  410: "KUBE_GONE",
  422: "KUBE_INVALID",
  429: "KUBE_TOO_MANY_REQUESTS",
};

export function classifyError(error: unknown): ClassifiedError {
  if (error instanceof KubeApiError) {
    if (error.statusCode !== undefined) {
      return {
        kind: "status",
        statusCode: error.statusCode,
        reason: error.reason,
        message: error.message,
        retryAfterSeconds: undefined,
      };
    }
    if (error.code === "KUBE_TIMEOUT") return { kind: "timeout" };
    const code = networkCode(error.cause);
    if (code) return { kind: "network", code, tls: TLS_CODE.test(code) };
    return { kind: "unknown", message: error.message };
  }
  const record = asRecord(error);
  const statusCode = numberField(record, "statusCode") ?? numberField(record, "code");
  if (statusCode !== undefined && statusCode >= 100 && statusCode < 600) {
    const status = parseStatusBody(record?.body ?? record?.status);
    return {
      kind: "status",
      statusCode,
      reason: status.reason,
      message: status.message ?? httpStatusText(statusCode),
      retryAfterSeconds: retryAfter(record),
    };
  }
  if (isAbort(error)) return { kind: "aborted" };
  const code = networkCode(error);
  if (code === "ETIMEDOUT" || code === "KUBE_REQUEST_TIMEOUT") return { kind: "timeout" };
  if (code) return { kind: "network", code, tls: TLS_CODE.test(code) };
  return { kind: "unknown", message: error instanceof Error ? error.message : String(error) };
}

/** Transient failures are retried with backoff: the server restarting, overloaded, or the connection lost. */
export function isTransientError(error: unknown): boolean {
  const classified = classifyError(error);
  switch (classified.kind) {
    case "status":
      return TRANSIENT_STATUS.has(classified.statusCode);
    case "network":
      return TRANSIENT_NETWORK.has(classified.code);
    case "timeout":
      return true;
    case "aborted":
    case "unknown":
      return false;
    default:
      return classified satisfies never;
  }
}

export function toKubeApiError(error: unknown, context: ErrorContext): KubeApiError {
  if (error instanceof KubeApiError) return error;
  const what = `${context.verb} ${context.ref ? describeRef(context.ref) : (context.target ?? "")}`.trimEnd();
  const classified = classifyError(error);
  switch (classified.kind) {
    case "status": {
      const secret = context.ref?.kind === "Secret";
      const serverMessage = secret ? redactValues(classified.message) : classified.message;
      const reason = classified.reason ? `reason: ${classified.reason}, ` : "";
      return new KubeApiError(
        `${what}: API server says: ${serverMessage} (${reason}${classified.statusCode})`,
        {
          statusCode: classified.statusCode,
          reason: classified.reason,
          code: codeFor(classified.statusCode, classified.reason),
          hint: statusHint(classified.statusCode),
          // The raw answer would carry the unredacted message.
          cause: secret ? undefined : error,
        },
      );
    }
    case "network":
      if (classified.tls) {
        return new KubeApiError(
          `${what}: cannot verify the API server at ${context.server}: ${classified.code}`,
          {
            code: "KUBE_TLS",
            hint: "Check the cluster's certificate-authority in your kubeconfig (--kubeconfig, --context).",
            cause: error,
          },
        );
      }
      return new KubeApiError(
        `${what}: cannot reach the API server at ${context.server}: ${classified.code}`,
        { code: "KUBE_UNREACHABLE", hint: UNREACHABLE_HINT, cause: error },
      );
    case "timeout":
      return new KubeApiError(`${what}: the API server at ${context.server} did not answer in time`, {
        code: "KUBE_TIMEOUT",
        hint: UNREACHABLE_HINT,
        cause: error,
      });
    case "aborted":
      return new KubeApiError(`${what}: cancelled`, { code: "KUBE_ABORTED", cause: error });
    case "unknown":
      return new KubeApiError(`${what}: ${classified.message}`, { cause: error });
    default:
      return classified satisfies never;
  }
}

/** `get services/ml-pipeline:8888/proxy/apis/v2beta1/healthz -n kubeflow`, for messages. */
export function describeServiceProxyRequest(request: ServiceProxyRequest): string {
  return `get services/${request.service}:${request.port}/proxy${request.path} -n ${request.namespace}`;
}

/**
 * The API server's answer "this Service has no ready pod" (a Status, 503 ServiceUnavailable). It is the cluster's
 * state, not a transient failure, so it is not retried.
 */
export function isNoEndpointsAnswer(error: unknown): boolean {
  return proxyStatusMessage(error)?.startsWith("no endpoints available for service") === true;
}

/**
 * The API server could not dial the pod behind the Service (`error trying to reach service: dial tcp …: connect:
 * connection refused`, a 503 Status): the API server itself is up, so retrying at once only waits out a pod.
 */
export function isProxyDialFailure(error: unknown): boolean {
  return proxyStatusMessage(error)?.startsWith("error trying to reach service") === true;
}

function proxyStatusMessage(error: unknown): string | undefined {
  const record = asRecord(error);
  if (numberField(record, "statusCode") !== 503 || !isStatusObject(record?.body)) return undefined;
  const message = asRecord(record?.body)?.message;
  return typeof message === "string" ? message : undefined;
}

/**
 * A failed service-proxy GET as a `KubeApiError` that says who answered: the API server speaks in `Status` objects,
 * anything else is the proxied service's own answer, passed through with its status code.
 */
export function toServiceProxyError(
  error: unknown,
  request: ServiceProxyRequest,
  server: string,
): KubeApiError {
  if (error instanceof KubeApiError) return error;
  const what = describeServiceProxyRequest(request);
  const record = asRecord(error);
  const statusCode = numberField(record, "statusCode");
  if (statusCode !== undefined && isNoEndpointsAnswer(error)) {
    return new KubeApiError(`${what}: service ${request.service} has no ready pod (no endpoints)`, {
      statusCode,
      reason: "ServiceUnavailable",
      code: "KUBE_PROXY_NO_ENDPOINTS",
      hint: `Check the pods behind it: kubectl get pods -n ${request.namespace}`,
      cause: error,
    });
  }
  if (statusCode !== undefined && isProxyDialFailure(error)) {
    return new KubeApiError(
      `${what}: the API server could not reach a pod of service ${request.service}: ${proxyStatusMessage(error)}`,
      {
        statusCode,
        reason: "ServiceUnavailable",
        code: "KUBE_PROXY_UNREACHABLE",
        hint: `Check the pods behind it: kubectl get pods -n ${request.namespace}`,
        cause: error,
      },
    );
  }
  if (statusCode !== undefined && !isStatusObject(record?.body)) {
    const answer = parseStatusBody(record?.body).message ?? messageField(record?.body);
    return new KubeApiError(
      `${what}: service ${request.service} answered ${statusCode}${answer ? `: ${answer.slice(0, 300)}` : ""}`,
      { statusCode, code: "KUBE_PROXY_SERVICE_ERROR", cause: error },
    );
  }
  return toKubeApiError(error, {
    verb: "get",
    target: `services/${request.service}:${request.port}/proxy${request.path} -n ${request.namespace}`,
    server,
  });
}

export function isNotFound(error: unknown): boolean {
  return error instanceof KubeApiError && error.statusCode === 404;
}

/** 409 from a stale resourceVersion, a failed UID precondition or an apply conflict (not AlreadyExists). */
export function isConflict(error: unknown): boolean {
  return error instanceof KubeApiError && error.statusCode === 409 && error.reason !== "AlreadyExists";
}

export function isAlreadyExists(error: unknown): boolean {
  return error instanceof KubeApiError && error.statusCode === 409 && error.reason === "AlreadyExists";
}

const UNREACHABLE_HINT =
  "Check --kubeconfig and --context (kubectl config current-context), and that the cluster is up (kubectl cluster-info).";

function statusHint(statusCode: number): string | undefined {
  if (statusCode === 401) {
    return "The API server rejected your credentials; refresh them (log in again) or pick another --context.";
  }
  if (statusCode === 403) return "Your user lacks RBAC permission for this; ask a cluster admin to grant it.";
  if (statusCode >= 500) return "The API server failed; check its health and retry (kfp-upgrade resume).";
  return undefined;
}

function codeFor(statusCode: number, reason: string | undefined): string {
  if (reason && CODE_BY_REASON[reason]) return CODE_BY_REASON[reason];
  if (CODE_BY_STATUS[statusCode]) return CODE_BY_STATUS[statusCode];
  if (statusCode >= 500) return "KUBE_SERVER_ERROR";
  return "KUBE_API";
}

// Validation messages quote the rejected value (`Invalid value: "…"`); for a Secret that could be credential data.
function redactValues(message: string): string {
  return message.replace(/(Invalid value: )("(?:[^"\\]|\\.)*"|\S+)/g, "$1[redacted]");
}

function parseStatusBody(body: unknown): { message: string | undefined; reason: string | undefined } {
  let value = body;
  if (typeof body === "string") {
    try {
      value = JSON.parse(body);
    } catch {
      const text = body.trim();
      return {
        message: text && text.length < 300 && !text.startsWith("<") ? text : undefined,
        reason: undefined,
      };
    }
  }
  const record = asRecord(value);
  const message = typeof record?.message === "string" && record.message ? record.message : undefined;
  const reason = typeof record?.reason === "string" && record.reason ? record.reason : undefined;
  return { message, reason };
}

function isStatusObject(body: unknown): boolean {
  return asRecord(body)?.kind === "Status";
}

// grpc-gateway's error bodies carry `error` (v1) or `message`; parseStatusBody reads `message` and plain text.
function messageField(body: unknown): string | undefined {
  const error = asRecord(body)?.error;
  return typeof error === "string" && error ? error : undefined;
}

function retryAfter(record: Record<string, unknown> | undefined): number | undefined {
  const headers = asRecord(record?.headers);
  const raw = headers?.["retry-after"] ?? headers?.["Retry-After"];
  const seconds = typeof raw === "string" ? Number.parseInt(raw, 10) : typeof raw === "number" ? raw : NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

function networkCode(error: unknown, depth = 0): string | undefined {
  const record = asRecord(error);
  if (!record || depth > 4) return undefined;
  const code = record.code;
  if (typeof code === "string" && (NETWORK_CODE.test(code) || TLS_CODE.test(code))) return code;
  if (typeof code === "string" && code === "KUBE_REQUEST_TIMEOUT") return code;
  const errors = Array.isArray(record.errors) ? record.errors : [];
  for (const inner of [record.cause, ...errors]) {
    const found = networkCode(inner, depth + 1);
    if (found) return found;
  }
  return undefined;
}

function isAbort(error: unknown): boolean {
  const record = asRecord(error);
  return record?.name === "AbortError" || record?.code === "ABORT_ERR";
}

function httpStatusText(statusCode: number): string {
  const texts: Record<number, string> = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    410: "Gone",
    415: "Unsupported Media Type",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
  };
  return texts[statusCode] ?? `HTTP ${statusCode}`;
}

function numberField(record: Record<string, unknown> | undefined, key: string): number | undefined {
  const value = record?.[key];
  return typeof value === "number" && Number.isInteger(value) ? value : undefined;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
}

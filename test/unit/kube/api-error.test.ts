import { describe, expect, it } from "vitest";
import { KubeApiError } from "../../../src/errors.js";
import {
  type ErrorContext,
  isAlreadyExists,
  isConflict,
  isNotFound,
  isTransientError,
  toKubeApiError,
} from "../../../src/kube/api-error.js";
import { ApiStatusError } from "../../../src/kube/api-transport.js";

const SERVER = "https://127.0.0.1:6443";
const pvPatch: ErrorContext = {
  verb: "patch",
  ref: { apiVersion: "v1", kind: "PersistentVolume", name: "kfp-mysql" },
  server: SERVER,
};
const getApiServer: ErrorContext = {
  verb: "get",
  ref: { apiVersion: "apps/v1", kind: "Deployment", name: "ml-pipeline", namespace: "kubeflow" },
  server: SERVER,
};
const status = (code: number, reason: string, message: string) => ({
  kind: "Status",
  apiVersion: "v1",
  status: "Failure",
  code,
  reason,
  message,
});
const systemError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:6443`), { code });

const cases: {
  name: string;
  error: unknown;
  context: ErrorContext;
  message: string;
  statusCode?: number;
  reason?: string;
  code: string;
  /** A Secret's raw answer is not kept as cause: it holds the unredacted message. */
  withoutCause?: true;
}[] = [
  {
    name: "our transport's Status error",
    error: new ApiStatusError(
      422,
      status(
        422,
        "Invalid",
        'PersistentVolume "kfp-mysql" is invalid: spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation',
      ),
      {},
    ),
    context: pvPatch,
    message:
      'patch persistentvolume/kfp-mysql: API server says: PersistentVolume "kfp-mysql" is invalid: spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation (reason: Invalid, 422)',
    statusCode: 422,
    reason: "Invalid",
    code: "KUBE_INVALID",
  },
  {
    name: "client-node ApiException with a JSON string body",
    error: Object.assign(new Error("HTTP-Code: 404"), {
      code: 404,
      body: JSON.stringify(status(404, "NotFound", 'deployments.apps "ml-pipeline" not found')),
      headers: {},
    }),
    context: getApiServer,
    message:
      'get deployment/ml-pipeline -n kubeflow: API server says: deployments.apps "ml-pipeline" not found (reason: NotFound, 404)',
    statusCode: 404,
    reason: "NotFound",
    code: "KUBE_NOT_FOUND",
  },
  {
    name: "a status with no body (watch refused)",
    error: Object.assign(new Error("Forbidden"), { statusCode: 403 }),
    context: getApiServer,
    message: "get deployment/ml-pipeline -n kubeflow: API server says: Forbidden (403)",
    statusCode: 403,
    code: "KUBE_FORBIDDEN",
  },
  {
    name: "an HTML error page from a proxy",
    error: new ApiStatusError(502, "<html><body>Bad Gateway</body></html>", {}),
    context: getApiServer,
    message: "get deployment/ml-pipeline -n kubeflow: API server says: Bad Gateway (502)",
    statusCode: 502,
    code: "KUBE_SERVER_ERROR",
  },
  {
    name: "AlreadyExists keeps its reason",
    error: new ApiStatusError(
      409,
      status(409, "AlreadyExists", 'leases.coordination.k8s.io "kfp-upgrade" already exists'),
      {},
    ),
    context: {
      verb: "create",
      ref: {
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        name: "kfp-upgrade",
        namespace: "kubeflow",
      },
      server: SERVER,
    },
    message:
      'create lease/kfp-upgrade -n kubeflow: API server says: leases.coordination.k8s.io "kfp-upgrade" already exists (reason: AlreadyExists, 409)',
    statusCode: 409,
    reason: "AlreadyExists",
    code: "KUBE_ALREADY_EXISTS",
  },
  {
    name: "connection refused",
    error: systemError("ECONNREFUSED"),
    context: getApiServer,
    message: `get deployment/ml-pipeline -n kubeflow: cannot reach the API server at ${SERVER}: ECONNREFUSED`,
    code: "KUBE_UNREACHABLE",
  },
  {
    name: "undici-style fetch failure with the code in cause",
    error: new TypeError("fetch failed", { cause: systemError("ECONNRESET") }),
    context: getApiServer,
    message: `get deployment/ml-pipeline -n kubeflow: cannot reach the API server at ${SERVER}: ECONNRESET`,
    code: "KUBE_UNREACHABLE",
  },
  {
    name: "AggregateError from happy-eyeballs connect",
    error: new AggregateError([systemError("ECONNREFUSED"), systemError("ECONNREFUSED")], "connect failed"),
    context: { verb: "list", target: "deployment -n kubeflow", server: SERVER },
    message: `list deployment -n kubeflow: cannot reach the API server at ${SERVER}: ECONNREFUSED`,
    code: "KUBE_UNREACHABLE",
  },
  {
    name: "unknown host",
    error: systemError("ENOTFOUND"),
    context: getApiServer,
    message: `get deployment/ml-pipeline -n kubeflow: cannot reach the API server at ${SERVER}: ENOTFOUND`,
    code: "KUBE_UNREACHABLE",
  },
  {
    name: "untrusted certificate",
    error: systemError("DEPTH_ZERO_SELF_SIGNED_CERT"),
    context: getApiServer,
    message: `get deployment/ml-pipeline -n kubeflow: cannot verify the API server at ${SERVER}: DEPTH_ZERO_SELF_SIGNED_CERT`,
    code: "KUBE_TLS",
  },
  {
    name: "request timeout",
    error: Object.assign(new Error("no answer within 60s"), { code: "KUBE_REQUEST_TIMEOUT" }),
    context: getApiServer,
    message: `get deployment/ml-pipeline -n kubeflow: the API server at ${SERVER} did not answer in time`,
    code: "KUBE_TIMEOUT",
  },
  {
    name: "a Secret's rejected values are redacted",
    error: new ApiStatusError(
      422,
      status(
        422,
        "Invalid",
        'Secret "mysql-secret" is invalid: metadata.labels: Invalid value: "s3cr3t-p4ss": a valid label must be …',
      ),
      {},
    ),
    context: {
      verb: "apply",
      ref: { apiVersion: "v1", kind: "Secret", name: "mysql-secret", namespace: "kubeflow" },
      server: SERVER,
    },
    message:
      'apply secret/mysql-secret -n kubeflow: API server says: Secret "mysql-secret" is invalid: metadata.labels: Invalid value: [redacted]: a valid label must be … (reason: Invalid, 422)',
    statusCode: 422,
    reason: "Invalid",
    code: "KUBE_INVALID",
    withoutCause: true,
  },
  {
    name: "anything else keeps its message",
    error: new Error("Unrecognized API version and kind: app.k8s.io/v1beta1 Application"),
    context: { verb: "discover", target: "API versions (/api, /apis)", server: SERVER },
    message:
      "discover API versions (/api, /apis): Unrecognized API version and kind: app.k8s.io/v1beta1 Application",
    code: "KUBE_API",
  },
];

describe("toKubeApiError", () => {
  it.each(cases)("$name", ({ error, context, message, statusCode, reason, code, withoutCause }) => {
    const converted = toKubeApiError(error, context);
    expect(converted).toBeInstanceOf(KubeApiError);
    expect(converted.message).toBe(message);
    expect(converted.statusCode).toBe(statusCode);
    expect(converted.reason).toBe(reason);
    expect(converted.code).toBe(code);
    expect(converted.exitCode).toBe(5);
    expect(converted.cause).toBe(withoutCause ? undefined : error);
  });

  it("hints at the kubeconfig and the cluster when the server cannot be reached", () => {
    expect(toKubeApiError(systemError("ECONNREFUSED"), getApiServer).hint).toBe(
      "Check --kubeconfig and --context (kubectl config current-context), and that the cluster is up (kubectl cluster-info).",
    );
  });

  it("hints at RBAC on 403", () => {
    const error = toKubeApiError(new ApiStatusError(403, status(403, "Forbidden", "nope"), {}), getApiServer);
    expect(error.hint).toBe("Your user lacks RBAC permission for this; ask a cluster admin to grant it.");
  });

  it("passes a KubeApiError through untouched", () => {
    const original = new KubeApiError("already converted", { statusCode: 409, reason: "Conflict" });
    expect(toKubeApiError(original, getApiServer)).toBe(original);
  });
});

describe("isTransientError", () => {
  const transient: { name: string; error: unknown; expected: boolean }[] = [
    { name: "ECONNREFUSED (server restarting)", error: systemError("ECONNREFUSED"), expected: true },
    { name: "ECONNRESET", error: systemError("ECONNRESET"), expected: true },
    { name: "request timeout", error: { code: "KUBE_REQUEST_TIMEOUT" }, expected: true },
    { name: "429", error: new ApiStatusError(429, undefined, {}), expected: true },
    { name: "500", error: new ApiStatusError(500, undefined, {}), expected: true },
    { name: "503", error: new ApiStatusError(503, undefined, {}), expected: true },
    { name: "504", error: new ApiStatusError(504, undefined, {}), expected: true },
    { name: "404", error: new ApiStatusError(404, undefined, {}), expected: false },
    { name: "409", error: new ApiStatusError(409, undefined, {}), expected: false },
    { name: "422", error: new ApiStatusError(422, undefined, {}), expected: false },
    { name: "403", error: new ApiStatusError(403, undefined, {}), expected: false },
    { name: "unknown host", error: systemError("ENOTFOUND"), expected: false },
    { name: "bad certificate", error: systemError("CERT_HAS_EXPIRED"), expected: false },
    { name: "a bug", error: new TypeError("x is undefined"), expected: false },
  ];
  it.each(transient)("$name", ({ error, expected }) => {
    expect(isTransientError(error)).toBe(expected);
  });
});

describe("409 and 404 predicates", () => {
  const conflict = toKubeApiError(new ApiStatusError(409, status(409, "Conflict", "modified"), {}), pvPatch);
  const exists = toKubeApiError(new ApiStatusError(409, status(409, "AlreadyExists", "exists"), {}), pvPatch);
  const missing = toKubeApiError(new ApiStatusError(404, status(404, "NotFound", "gone"), {}), pvPatch);

  it("tells a stale resourceVersion from an existing object", () => {
    expect([isConflict(conflict), isAlreadyExists(conflict)]).toEqual([true, false]);
    expect([isConflict(exists), isAlreadyExists(exists)]).toEqual([false, true]);
  });

  it("recognises 404", () => {
    expect([isNotFound(missing), isNotFound(conflict), isNotFound(new Error("x"))]).toEqual([
      true,
      false,
      false,
    ]);
  });
});

import { writeFileSync } from "node:fs";
import http from "node:http";
import { type AddressInfo, connect, type Socket } from "node:net";
import path from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { KubeApiError } from "../../../src/errors.js";
import { createKubeClient } from "../../../src/kube/create-kube-client.js";
import type { KubeClient } from "../../../src/kube/kube-client.js";
import type { KubeObject, ObjectRef } from "../../../src/model/kube-object.js";
import { STANDARD_DISCOVERY, StubApiServer, type StubWatch, status } from "./stub-api-server.js";

const DEPLOYMENT_PATH = "/apis/apps/v1/namespaces/kubeflow/deployments/ml-pipeline";
const DEPLOYMENTS_PATH = "/apis/apps/v1/namespaces/kubeflow/deployments";
const DEPLOYMENT_REF: ObjectRef = { apiVersion: "apps/v1", kind: "Deployment", name: "ml-pipeline" };

function deployment(readyReplicas: number, resourceVersion = "10"): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "ml-pipeline", namespace: "kubeflow", resourceVersion },
    spec: { replicas: 1 },
    status: { readyReplicas },
  };
}

const ready = (object: KubeObject | null) => {
  const count = (object?.status as { readyReplicas?: number } | undefined)?.readyReplicas ?? 0;
  return { done: count >= 1, ok: true, message: object ? `${count}/1 ready` : "absent" };
};

async function clientFor(stub: StubApiServer, retrySeconds = 5): Promise<KubeClient> {
  return createKubeClient({ kubeconfig: stub.writeKubeconfig(), retrySeconds, env: {} });
}

async function rejection(promise: Promise<unknown>): Promise<KubeApiError> {
  const outcome = await promise.then(
    () => null,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(KubeApiError);
  return outcome as KubeApiError;
}

function listOf(items: KubeObject[], resourceVersion = "100", continueToken?: string) {
  return { kind: "List", metadata: { resourceVersion, continue: continueToken }, items };
}

describe("HttpKubeClient requests", () => {
  it("gets an object in the context's namespace; null on 404", async () => {
    const stub = await StubApiServer.start();
    stub.route({ method: "GET", path: DEPLOYMENT_PATH, answer: () => ({ body: deployment(1) }) });
    const client = await clientFor(stub);
    expect(client).toMatchObject({
      context: "stub",
      defaultNamespace: "kubeflow",
      cluster: stub.url,
      user: "tester",
    });
    expect(await client.get(DEPLOYMENT_REF)).toEqual(deployment(1));
    expect(await client.get({ ...DEPLOYMENT_REF, name: "gone" })).toBeNull();
    // aggregated discovery (/api, /apis) once, then one request per call
    expect(client.requestCount()).toBe(4);
    expect(stub.requests.map((request) => request.path)).toEqual([
      "/api",
      "/apis",
      DEPLOYMENT_PATH,
      `${DEPLOYMENTS_PATH}/gone`,
    ]);
  });

  it("falls back to per-group-version discovery on an older server", async () => {
    const stub = await StubApiServer.start({ legacyDiscovery: true });
    stub.route({ method: "GET", path: DEPLOYMENT_PATH, answer: () => ({ body: deployment(1) }) });
    const client = await clientFor(stub);
    await client.get(DEPLOYMENT_REF);
    await client.get(DEPLOYMENT_REF);
    expect(stub.requests.map((request) => request.path)).toEqual([
      "/api",
      "/apis",
      "/apis/apps/v1",
      DEPLOYMENT_PATH,
      DEPLOYMENT_PATH,
    ]);
    expect(await client.servedApiVersions()).toEqual([
      "apps/v1",
      "authorization.k8s.io/v1",
      "coordination.k8s.io/v1",
      "v1",
    ]);
  });

  it("lists every page and labels the items with apiVersion and kind", async () => {
    const stub = await StubApiServer.start();
    const item = (name: string) => ({ metadata: { name, namespace: "kubeflow" } }) as KubeObject;
    stub.route({
      method: "GET",
      path: DEPLOYMENTS_PATH,
      answer: (request) =>
        request.query.get("continue") === "page-2"
          ? { body: listOf([item("b")]) }
          : { body: listOf([item("a")], "100", "page-2") },
    });
    const client = await clientFor(stub);
    const items = await client.list("apps/v1", "Deployment", {
      namespace: "kubeflow",
      labelSelector: "application-crd-id=kubeflow-pipelines",
    });
    expect(items.map((object) => [object.apiVersion, object.kind, object.metadata.name])).toEqual([
      ["apps/v1", "Deployment", "a"],
      ["apps/v1", "Deployment", "b"],
    ]);
    const pages = stub.requests.filter((request) => request.path === DEPLOYMENTS_PATH);
    expect(pages.map((request) => request.query.get("labelSelector"))).toEqual([
      "application-crd-id=kubeflow-pipelines",
      "application-crd-id=kubeflow-pipelines",
    ]);
    expect(pages.map((request) => request.query.get("limit"))).toEqual(["500", "500"]);
  });

  it("asks for metadata only and keeps only metadata whatever comes back", async () => {
    const stub = await StubApiServer.start();
    stub.route({
      method: "GET",
      path: "/api/v1/namespaces/kubeflow/secrets",
      answer: () => ({
        body: listOf([
          {
            metadata: { name: "mysql-secret", namespace: "kubeflow" },
            data: { password: "c2VjcmV0" },
          } as unknown as KubeObject,
        ]),
      }),
    });
    const client = await clientFor(stub);
    const secrets = await client.listMetadata("v1", "Secret", { namespace: "kubeflow" });
    expect(secrets).toEqual([
      { apiVersion: "v1", kind: "Secret", metadata: { name: "mysql-secret", namespace: "kubeflow" } },
    ]);
    expect(String(stub.requests.at(-1)?.headers.accept)).toMatch(
      /^application\/json;as=PartialObjectMetadataList;v=v1;g=meta\.k8s\.io,/,
    );
  });

  it("server-side applies with the kfp-upgrade field manager", async () => {
    const stub = await StubApiServer.start();
    stub.route({ method: "PATCH", path: DEPLOYMENT_PATH, answer: (request) => ({ body: request.body }) });
    const client = await clientFor(stub);
    const object = deployment(0);
    (object.metadata as Record<string, unknown>).managedFields = [{ manager: "kubectl" }];
    delete (object.metadata as Record<string, unknown>).namespace;
    await client.apply(object, { force: true, dryRun: true });
    const request = stub.requests.at(-1);
    expect(request?.headers["content-type"]).toBe("application/apply-patch+yaml");
    expect(Object.fromEntries(request?.query ?? [])).toEqual({
      fieldManager: "kfp-upgrade",
      force: "true",
      dryRun: "All",
    });
    expect(request?.body).toMatchObject({ metadata: { name: "ml-pipeline", namespace: "kubeflow" } });
    expect((request?.body as KubeObject | undefined)?.metadata.managedFields).toBeUndefined();
  });

  it("creates, replaces, patches and deletes with the right verbs and bodies", async () => {
    const stub = await StubApiServer.start();
    const leases = "/apis/coordination.k8s.io/v1/namespaces/kubeflow/leases";
    stub
      .route({ method: "POST", path: leases, answer: (request) => ({ status: 201, body: request.body }) })
      .route({ method: "PUT", path: `${leases}/kfp-upgrade`, answer: (request) => ({ body: request.body }) })
      .route({
        method: "PATCH",
        path: `${leases}/kfp-upgrade`,
        answer: () => ({ body: { metadata: { name: "x" } } }),
      })
      .route({
        method: "DELETE",
        path: `${leases}/kfp-upgrade`,
        answer: () => ({ body: status(200, "", "") }),
      });
    const client = await clientFor(stub);
    const lease: KubeObject = {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: "kfp-upgrade" },
      spec: { holderIdentity: "run-1" },
    };
    const ref = { apiVersion: "coordination.k8s.io/v1", kind: "Lease", name: "kfp-upgrade" };
    expect(await client.create(lease)).toMatchObject({ metadata: { namespace: "kubeflow" } });
    await client.replace({ ...lease, metadata: { ...lease.metadata, resourceVersion: "7" } } as KubeObject);
    await client.patch(ref, { spec: { holderIdentity: "run-2" } }, "merge");
    await client.patch(ref, [{ op: "remove", path: "/spec/holderIdentity" }], "json");
    await client.patch(ref, { spec: {} }, "strategic");
    expect(await client.delete(ref, { propagationPolicy: "Orphan", uid: "u-1" })).toBe(true);
    expect(await client.delete({ ...ref, name: "gone" })).toBe(false);
    const writes = stub.requests.filter((request) => request.path.startsWith(leases));
    expect(writes.map((request) => [request.method, request.headers["content-type"]])).toEqual([
      ["POST", "application/json"],
      ["PUT", "application/json"],
      ["PATCH", "application/merge-patch+json"],
      ["PATCH", "application/json-patch+json"],
      ["PATCH", "application/strategic-merge-patch+json"],
      ["DELETE", "application/json"],
      ["DELETE", "application/json"],
    ]);
    expect(writes.slice(0, 5).map((request) => request.query.get("fieldManager"))).toEqual(
      Array(5).fill("kfp-upgrade"),
    );
    expect(writes[5]?.body).toEqual({
      apiVersion: "v1",
      kind: "DeleteOptions",
      propagationPolicy: "Orphan",
      preconditions: { uid: "u-1" },
    });
  });

  it("turns a refusal into a KubeApiError that names the verb, the object and the server's reason", async () => {
    const stub = await StubApiServer.start();
    stub.route({
      method: "PATCH",
      path: "/api/v1/persistentvolumes/kfp-mysql",
      answer: () => ({
        status: 422,
        body: status(422, "Invalid", 'PersistentVolume "kfp-mysql" is invalid: spec: Forbidden: immutable'),
      }),
    });
    const client = await clientFor(stub);
    const error = await rejection(
      client.patch({ apiVersion: "v1", kind: "PersistentVolume", name: "kfp-mysql" }, { spec: {} }, "merge"),
    );
    expect(error.message).toBe(
      'patch persistentvolume/kfp-mysql: API server says: PersistentVolume "kfp-mysql" is invalid: spec: Forbidden: immutable (reason: Invalid, 422)',
    );
    expect([error.statusCode, error.reason, error.code]).toEqual([422, "Invalid", "KUBE_INVALID"]);
  });

  it("refuses kinds the server does not serve, but get finds nothing", async () => {
    const stub = await StubApiServer.start();
    const client = await clientFor(stub);
    const application: KubeObject = {
      apiVersion: "app.k8s.io/v1beta1",
      kind: "Application",
      metadata: { name: "pipeline" },
    };
    expect(
      await client.get({ apiVersion: "app.k8s.io/v1beta1", kind: "Application", name: "pipeline" }),
    ).toBeNull();
    const error = await rejection(client.apply(application, { force: true }));
    expect([error.statusCode, error.code]).toEqual([404, "KUBE_KIND_NOT_SERVED"]);
    expect(error.message).toBe(
      "apply application/pipeline -n kubeflow: the API server does not serve kind Application in app.k8s.io/v1beta1",
    );
  });

  it("waits until discovery serves a just-established CRD's kind, and names the kinds still missing at the deadline", async () => {
    const discovery = [...STANDARD_DISCOVERY];
    const stub = await StubApiServer.start({ discovery });
    const client = await clientFor(stub);
    const workflow = { apiVersion: "argoproj.io/v1alpha1", kind: "Workflow" };
    expect(await client.servedApiVersions()).not.toContain("argoproj.io/v1alpha1");
    // The kind reaches discovery a little after the wait began, as it does after Established.
    const lag = setTimeout(() => {
      discovery.push({
        group: "argoproj.io",
        version: "v1alpha1",
        resources: [{ resource: "workflows", kind: "Workflow", namespaced: true }],
      });
    }, 100);
    onTestFinished(() => clearTimeout(lag));
    const before = stub.requests.filter((request) => request.path === "/apis").length;
    expect(await client.waitServed([workflow], { timeoutSeconds: 10 })).toEqual([]);
    expect(stub.requests.filter((request) => request.path === "/apis").length).toBeGreaterThan(before + 1);
    const path = "/apis/argoproj.io/v1alpha1/namespaces/kubeflow/workflows/w";
    stub.route({ method: "PATCH", path, answer: () => ({ body: { ...workflow, metadata: { name: "w" } } }) });
    expect((await client.apply({ ...workflow, metadata: { name: "w" } }, { force: true })).kind).toBe(
      "Workflow",
    );
    expect(stub.calls()).toContain(`PATCH ${path}`);

    const nope = { apiVersion: "nope.example.com/v1", kind: "Nope" };
    expect(await client.waitServed([workflow, nope], { timeoutSeconds: 0.2 })).toEqual([nope]);
  });

  it("asks SelfSubjectAccessReviews in parallel when the server answers no rules review", async () => {
    const stub = await StubApiServer.start();
    stub.route({
      method: "POST",
      path: "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
      answer: (request) => {
        const attributes = (request.body as { spec: { resourceAttributes: { verb: string } } }).spec
          .resourceAttributes;
        const allowed = attributes.verb !== "delete";
        return { status: 201, body: { status: allowed ? { allowed } : { allowed, reason: "RBAC: denied" } } };
      },
    });
    const client = await clientFor(stub);
    const checks = [
      { verb: "patch", group: "", resource: "persistentvolumes" },
      { verb: "delete", group: "apps", resource: "deployments", namespace: "kubeflow" },
    ];
    expect(await client.canI(checks)).toEqual([
      { check: checks[0], allowed: true, reason: null },
      { check: checks[1], allowed: false, reason: "RBAC: denied" },
    ]);
    expect(stub.requests.at(-1)?.body).toMatchObject({
      kind: "SelfSubjectAccessReview",
      spec: { resourceAttributes: checks[1] },
    });
  });

  it("asks one SelfSubjectRulesReview per namespace and confirms only what its rules do not grant", async () => {
    const stub = await StubApiServer.start();
    stub.route({
      method: "POST",
      path: "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
      answer: (request) => {
        const namespace = (request.body as { spec: { namespace: string } }).spec.namespace;
        // The ClusterRoleBindings' rules show in every review; a Role's only in its namespace's, and a Role that
        // names a cluster-scoped resource grants nothing outside its namespace (RBAC: Roles are namespaced).
        const resourceRules = [
          { verbs: ["*"], apiGroups: [""], resources: ["persistentvolumes"] },
          ...(namespace === "kubeflow"
            ? [
                { verbs: ["get", "patch"], apiGroups: ["apps"], resources: ["deployments"] },
                { verbs: ["*"], apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"] },
              ]
            : []),
        ];
        return { status: 201, body: { status: { resourceRules, incomplete: false } } };
      },
    });
    stub.route({
      method: "POST",
      path: "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
      answer: () => ({ status: 201, body: { status: { allowed: false, reason: "RBAC: denied" } } }),
    });
    const client = await clientFor(stub);
    const checks = [
      { verb: "patch", group: "", resource: "persistentvolumes" },
      { verb: "patch", group: "apps", resource: "deployments", namespace: "kubeflow" },
      { verb: "patch", group: "apps", resource: "deployments", namespace: "other" },
      { verb: "delete", group: "apps", resource: "deployments", namespace: "kubeflow" },
      { verb: "create", group: "rbac.authorization.k8s.io", resource: "clusterroles" },
    ];
    expect(await client.canI(checks)).toEqual([
      { check: checks[0], allowed: true, reason: null },
      { check: checks[1], allowed: true, reason: null },
      { check: checks[2], allowed: false, reason: "RBAC: denied" },
      { check: checks[3], allowed: false, reason: "RBAC: denied" },
      { check: checks[4], allowed: false, reason: "RBAC: denied" },
    ]);
    const reviews = stub.requests.filter((request) => request.method === "POST");
    expect(
      reviews
        .filter((request) => request.path.endsWith("selfsubjectrulesreviews"))
        .map((request) => (request.body as { spec: { namespace: string } }).spec.namespace)
        .sort(),
    ).toEqual(["kfp-upgrade_cluster-scope", "kubeflow", "other"]);
    expect(
      reviews
        .filter((request) => request.path.endsWith("selfsubjectaccessreviews"))
        .map(
          (request) => (request.body as { spec: { resourceAttributes: unknown } }).spec.resourceAttributes,
        ),
    ).toEqual(expect.arrayContaining([checks[2], checks[3], checks[4]]));
    expect(reviews.filter((request) => request.path.endsWith("selfsubjectaccessreviews"))).toHaveLength(3);
  });

  it("decides nothing from an incomplete rules review (another authorizer, which may deny): every check is asked", async () => {
    const stub = await StubApiServer.start();
    stub.route({
      method: "POST",
      path: "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
      answer: () => ({
        status: 201,
        body: {
          status: {
            resourceRules: [{ verbs: ["get"], apiGroups: ["apps"], resources: ["deployments"] }],
            incomplete: true,
            evaluationError: "webhook authorizer does not support user rule resolution",
          },
        },
      }),
    });
    stub.route({
      method: "POST",
      path: "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
      answer: () => ({ status: 201, body: { status: { allowed: true } } }),
    });
    const client = await clientFor(stub);
    const checks = [
      { verb: "get", group: "apps", resource: "deployments", namespace: "kubeflow" },
      { verb: "patch", group: "apps", resource: "deployments", namespace: "kubeflow" },
    ];
    expect((await client.canI(checks)).map((result) => result.allowed)).toEqual([true, true]);
    expect(stub.requests.filter((request) => request.path.endsWith("selfsubjectaccessreviews"))).toHaveLength(
      2,
    );
  });

  it("reads the server version, minor suffixes included", async () => {
    const stub = await StubApiServer.start();
    stub.route({
      method: "GET",
      path: "/version",
      answer: () => ({ body: { major: "1", minor: "30+", gitVersion: "v1.30.4-gke.1" } }),
    });
    const client = await clientFor(stub);
    expect(await client.serverVersion()).toEqual({ gitVersion: "v1.30.4-gke.1", major: 1, minor: 30 });
  });

  it("runs an exec credential plugin for its token", async () => {
    const stub = await StubApiServer.start({ token: "from-exec-plugin" });
    stub.route({
      method: "GET",
      path: "/version",
      answer: () => ({ body: { major: "1", minor: "34", gitVersion: "v1.34.0" } }),
    });
    const plugin = path.join(path.dirname(stub.writeKubeconfig()), "plugin.mjs");
    writeFileSync(
      plugin,
      `process.stdout.write(JSON.stringify({ apiVersion: "client.authentication.k8s.io/v1beta1", kind: "ExecCredential", status: { token: "from-exec-plugin" } }));`,
    );
    const kubeconfig = stub.writeKubeconfig({
      exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: process.execPath, args: [plugin] },
    });
    const client = await createKubeClient({ kubeconfig, env: {} });
    expect(await client.serverVersion()).toMatchObject({ major: 1, minor: 34 });
  });
});

describe("HttpKubeClient retries", () => {
  it("retries 503 and 429 until the server answers", async () => {
    const stub = await StubApiServer.start();
    stub
      .route({
        method: "GET",
        path: DEPLOYMENT_PATH,
        once: true,
        answer: () => ({ status: 503, body: status(503, "ServiceUnavailable", "etcd leader changed") }),
      })
      .route({
        method: "GET",
        path: DEPLOYMENT_PATH,
        once: true,
        answer: () => ({
          status: 429,
          body: status(429, "TooManyRequests", "slow down"),
          headers: { "Retry-After": "0" },
        }),
      })
      .route({ method: "GET", path: DEPLOYMENT_PATH, answer: () => ({ body: deployment(1) }) });
    const client = await clientFor(stub);
    expect(await client.get(DEPLOYMENT_REF)).toEqual(deployment(1));
    expect(stub.calls()).toEqual([
      `GET ${DEPLOYMENT_PATH}`,
      `GET ${DEPLOYMENT_PATH}`,
      `GET ${DEPLOYMENT_PATH}`,
    ]);
    expect(client.requestCount()).toBe(5);
  });

  it("gives up after retrySeconds with the last error", async () => {
    const stub = await StubApiServer.start();
    stub.route({
      method: "GET",
      path: DEPLOYMENT_PATH,
      answer: () => ({ status: 503, body: status(503, "ServiceUnavailable", "down") }),
    });
    const client = await clientFor(stub, 0.5);
    const error = await rejection(client.get(DEPLOYMENT_REF));
    expect(error.message).toBe(
      "get deployment/ml-pipeline -n kubeflow: API server says: down (reason: ServiceUnavailable, 503)",
    );
    expect(stub.calls().length).toBeGreaterThanOrEqual(2);
  });

  it("does not retry a refusal", async () => {
    const stub = await StubApiServer.start();
    stub.route({
      method: "GET",
      path: DEPLOYMENT_PATH,
      answer: () => ({ status: 403, body: status(403, "Forbidden", "no") }),
    });
    const client = await clientFor(stub);
    await rejection(client.get(DEPLOYMENT_REF));
    expect(stub.calls()).toEqual([`GET ${DEPLOYMENT_PATH}`]);
  });

  it("rides out an API server restart", async () => {
    const stub = await StubApiServer.start();
    stub.route({ method: "GET", path: DEPLOYMENT_PATH, answer: () => ({ body: deployment(1) }) });
    const client = await clientFor(stub);
    await client.servedApiVersions();
    await stub.stop();
    const pending = client.get(DEPLOYMENT_REF);
    await new Promise((resolve) => setTimeout(resolve, 700));
    await stub.restart();
    expect(await pending).toEqual(deployment(1));
    expect(client.requestCount()).toBeGreaterThanOrEqual(4);
  });

  it("says where it could not connect when the server stays down", async () => {
    const stub = await StubApiServer.start();
    const client = await clientFor(stub, 0.3);
    await stub.stop();
    const error = await rejection(client.get(DEPLOYMENT_REF));
    expect(error.message).toBe(
      `get deployment/ml-pipeline -n kubeflow: cannot reach the API server at ${stub.url}: ECONNREFUSED`,
    );
    expect(error.code).toBe("KUBE_UNREACHABLE");
  });
});

describe("HttpKubeClient waitFor", () => {
  function listRoute(stub: StubApiServer, objects: () => KubeObject[]) {
    stub.route({
      method: "GET",
      path: DEPLOYMENTS_PATH,
      answer: (request) => {
        expect(request.query.get("fieldSelector")).toBe("metadata.name=ml-pipeline");
        return { body: listOf(objects()) };
      },
    });
  }

  it("returns at once when the object is already done, without watching", async () => {
    const stub = await StubApiServer.start();
    listRoute(stub, () => [deployment(1)]);
    const client = await clientFor(stub);
    const result = await client.waitFor(DEPLOYMENT_REF, ready, { timeoutSeconds: 5 });
    expect(result).toMatchObject({ ok: true, timedOut: false, message: "1/1 ready" });
    expect(stub.requests.some((request) => request.query.get("watch") === "true")).toBe(false);
  });

  it("watches from the list's resourceVersion until the check is done", async () => {
    const stub = await StubApiServer.start();
    listRoute(stub, () => [deployment(0)]);
    const watches: StubWatch[] = [];
    stub.route({ method: "GET", path: DEPLOYMENTS_PATH, watch: (watch) => watches.push(watch) });
    const client = await clientFor(stub);
    const progress: string[] = [];
    const waiting = client.waitFor(DEPLOYMENT_REF, ready, {
      timeoutSeconds: 5,
      onProgress: (message) => progress.push(message),
    });
    await until(() => watches.length === 1);
    expect(watches[0]?.request.query.get("resourceVersion")).toBe("100");
    expect(watches[0]?.request.query.get("fieldSelector")).toBe("metadata.name=ml-pipeline");
    watches[0]?.send("BOOKMARK", { metadata: { resourceVersion: "101" } });
    watches[0]?.send("MODIFIED", deployment(1, "102"));
    expect(await waiting).toMatchObject({ ok: true, message: "1/1 ready", object: deployment(1, "102") });
    expect(progress).toEqual(["0/1 ready", "1/1 ready"]);
  });

  it("lists again and re-watches when the watch is cut, expires (410) or the server restarts", async () => {
    const stub = await StubApiServer.start();
    let current = deployment(0);
    listRoute(stub, () => [current]);
    const watches: StubWatch[] = [];
    stub.route({ method: "GET", path: DEPLOYMENTS_PATH, watch: (watch) => watches.push(watch) });
    const client = await clientFor(stub);
    const waiting = client.waitFor(DEPLOYMENT_REF, ready, { timeoutSeconds: 20 });
    await until(() => watches.length === 1);
    watches[0]?.cut();
    await until(() => watches.length === 2);
    watches[1]?.send("ERROR", status(410, "Expired", "too old resource version: 100 (200)"));
    await until(() => watches.length === 3);
    await stub.stop();
    current = deployment(1, "300");
    await new Promise((resolve) => setTimeout(resolve, 300));
    await stub.restart();
    expect(await waiting).toMatchObject({ ok: true, message: "1/1 ready" });
    const lists = stub.requests.filter(
      (request) => request.path === DEPLOYMENTS_PATH && !request.query.get("watch"),
    );
    expect(lists.length).toBeGreaterThanOrEqual(4);
  });

  it("reports a deletion to the check", async () => {
    const stub = await StubApiServer.start();
    listRoute(stub, () => [deployment(0)]);
    stub.route({
      method: "GET",
      path: DEPLOYMENTS_PATH,
      watch: (watch) => setTimeout(() => watch.send("DELETED", deployment(0)), 10),
    });
    const client = await clientFor(stub);
    const gone = (object: KubeObject | null) => ({
      done: object === null,
      ok: true,
      message: object ? "exists" : "gone",
    });
    expect(await client.waitFor(DEPLOYMENT_REF, gone, { timeoutSeconds: 5 })).toMatchObject({
      ok: true,
      object: null,
    });
  });

  it("times out with the last message, and stops on abort", async () => {
    const stub = await StubApiServer.start();
    listRoute(stub, () => [deployment(0)]);
    stub.route({ method: "GET", path: DEPLOYMENTS_PATH, watch: () => undefined });
    const client = await clientFor(stub);
    expect(await client.waitFor(DEPLOYMENT_REF, ready, { timeoutSeconds: 0.2 })).toMatchObject({
      ok: false,
      timedOut: true,
      message: "0/1 ready",
    });
    const controller = new AbortController();
    const waiting = client.waitFor(DEPLOYMENT_REF, ready, { timeoutSeconds: 5, signal: controller.signal });
    setTimeout(() => controller.abort(new Error("interrupted")), 50);
    await expect(waiting).rejects.toThrow("interrupted");
  });

  it("abandons a request to a stalled server when the wait ends", async () => {
    const stub = await StubApiServer.start();
    let closed = false;
    stub.route({ method: "GET", path: DEPLOYMENTS_PATH, hang: { onClose: () => (closed = true) } });
    const client = await clientFor(stub);
    const result = await client.waitFor(DEPLOYMENT_REF, ready, { timeoutSeconds: 0.2 });
    expect(result).toMatchObject({ ok: false, timedOut: true, message: "never checked" });
    await until(() => closed);
  });

  it("fails at once when the watch is forbidden", async () => {
    const stub = await StubApiServer.start();
    stub.route({
      method: "GET",
      path: DEPLOYMENTS_PATH,
      answer: () => ({
        status: 403,
        body: status(403, "Forbidden", 'deployments.apps is forbidden: User "x" cannot list'),
      }),
    });
    const client = await clientFor(stub);
    const error = await rejection(client.waitFor(DEPLOYMENT_REF, ready, { timeoutSeconds: 5 }));
    expect(error.message).toBe(
      'watch deployment/ml-pipeline -n kubeflow: API server says: deployments.apps is forbidden: User "x" cannot list (reason: Forbidden, 403)',
    );
  });
});

async function until(condition: () => boolean, timeoutMilliseconds = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMilliseconds) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("HttpKubeClient serviceProxyGet", () => {
  const PROXY_PATH = "/api/v1/namespaces/kubeflow/services/ml-pipeline:8888/proxy/apis/v2beta1/experiments";
  const REQUEST = {
    namespace: "kubeflow",
    service: "ml-pipeline",
    port: 8888,
    path: "/apis/v2beta1/experiments",
  };

  it("GETs the service's path through the proxy with its query and headers, never replacing the credentials", async () => {
    const stub = await StubApiServer.start({ token: "secret-token" });
    stub.route({
      method: "GET",
      path: PROXY_PATH,
      answer: () => ({ body: { experiments: [{ experiment_id: "e1" }] } }),
    });
    const client = await createKubeClient({
      kubeconfig: stub.writeKubeconfig(),
      retrySeconds: 5,
      env: {},
    });
    const answer = await client.serviceProxyGet({
      ...REQUEST,
      query: { page_size: 200, page_token: undefined, namespace: "team-a" },
      headers: { "kubeflow-userid": "user@example.com", authorization: "Bearer not-mine" },
    });
    expect(answer).toEqual({ experiments: [{ experiment_id: "e1" }] });
    const request = stub.requests.at(-1);
    expect(request?.path).toBe(PROXY_PATH);
    expect(Object.fromEntries(request?.query ?? [])).toEqual({ page_size: "200", namespace: "team-a" });
    expect(request?.headers["kubeflow-userid"]).toBe("user@example.com");
    expect(request?.headers.authorization).toBe("Bearer secret-token");
  });

  it("reports a Service without ready pods at once, with its own code", async () => {
    const stub = await StubApiServer.start();
    stub.route({
      method: "GET",
      path: PROXY_PATH,
      answer: () => ({
        status: 503,
        body: status(503, "ServiceUnavailable", 'no endpoints available for service "ml-pipeline"'),
      }),
    });
    const client = await clientFor(stub);
    const error = await rejection(client.serviceProxyGet(REQUEST));
    expect(error).toMatchObject({ code: "KUBE_PROXY_NO_ENDPOINTS", statusCode: 503, exitCode: 5 });
    expect(error.message).toBe(
      "get services/ml-pipeline:8888/proxy/apis/v2beta1/experiments -n kubeflow: service ml-pipeline has no ready pod (no endpoints)",
    );
    expect(stub.calls()).toEqual([`GET ${PROXY_PATH}`]);
  });

  it("reports a pod the API server cannot dial at once (nothing listens yet), with its own code", async () => {
    const stub = await StubApiServer.start();
    const message = "error trying to reach service: dial tcp 10.245.233.23:8888: connect: connection refused";
    stub.route({
      method: "GET",
      path: PROXY_PATH,
      answer: () => ({ status: 503, body: status(503, "ServiceUnavailable", message) }),
    });
    const client = await clientFor(stub);
    const error = await rejection(client.serviceProxyGet(REQUEST));
    expect(error).toMatchObject({ code: "KUBE_PROXY_UNREACHABLE", statusCode: 503, exitCode: 5 });
    expect(error.message).toBe(
      `get services/ml-pipeline:8888/proxy/apis/v2beta1/experiments -n kubeflow: the API server could not reach a pod of service ml-pipeline: ${message}`,
    );
    expect(stub.calls()).toEqual([`GET ${PROXY_PATH}`]);
  });

  it.each([
    {
      name: "a KFP error body",
      body: { error: "Not Found", code: 5, message: "Not Found" },
      message: "service ml-pipeline answered 404: Not Found",
    },
    {
      name: "a plain-text 404 page",
      body: "404 page not found\n",
      message: "service ml-pipeline answered 404: 404 page not found",
    },
  ])("tells the service's own error answer ($name) from the API server's", async ({ body, message }) => {
    const stub = await StubApiServer.start();
    stub.route({ method: "GET", path: PROXY_PATH, answer: () => ({ status: 404, body }) });
    const client = await clientFor(stub);
    const error = await rejection(client.serviceProxyGet(REQUEST));
    expect(error).toMatchObject({ code: "KUBE_PROXY_SERVICE_ERROR", statusCode: 404 });
    expect(error.message).toBe(
      `get services/ml-pipeline:8888/proxy/apis/v2beta1/experiments -n kubeflow: ${message}`,
    );
  });

  it("reports a missing Service as the API server's NotFound", async () => {
    const stub = await StubApiServer.start();
    stub.route({
      method: "GET",
      path: PROXY_PATH,
      answer: () => ({ status: 404, body: status(404, "NotFound", 'services "ml-pipeline" not found') }),
    });
    const client = await clientFor(stub);
    const error = await rejection(client.serviceProxyGet(REQUEST));
    expect(error).toMatchObject({ code: "KUBE_NOT_FOUND", statusCode: 404, reason: "NotFound" });
    expect(error.message).toBe(
      'get services/ml-pipeline:8888/proxy/apis/v2beta1/experiments -n kubeflow: API server says: services "ml-pipeline" not found (reason: NotFound, 404)',
    );
  });
});

/**
 * A CONNECT proxy on 127.0.0.1 (as squid and corporate proxies tunnel): every tunnel goes to `target`, whatever host
 * it names, and the `host:port` each CONNECT asked for is recorded.
 */
async function connectProxy(target: URL): Promise<{ url: string; asked: string[] }> {
  const asked: string[] = [];
  const server = http.createServer((_req, res) => {
    res.writeHead(405);
    res.end();
  });
  server.on("connect", (req: http.IncomingMessage, client: Socket) => {
    asked.push(req.url ?? "");
    const upstream = connect(Number(target.port), target.hostname, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  onTestFinished(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const address = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${address.port}`, asked };
}

describe("HttpKubeClient behind a proxy (HTTP_PROXY, HTTPS_PROXY, NO_PROXY as kubectl reads them)", () => {
  it("sends its requests through HTTP_PROXY, and straight to a server NO_PROXY names", async () => {
    const stub = await StubApiServer.start();
    stub.route({ method: "GET", path: DEPLOYMENT_PATH, answer: () => ({ body: deployment(1) }) });
    const proxy = await connectProxy(new URL(stub.url));
    // A name only the proxy can resolve (it sends everything to the stub): a direct request cannot reach it.
    const server = `http://kube.proxied.invalid:${new URL(stub.url).port}`;
    const kubeconfig = stub.writeKubeconfig(undefined, server);
    const proxied = await createKubeClient({ kubeconfig, retrySeconds: 1, env: { HTTP_PROXY: proxy.url } });
    expect(await proxied.get(DEPLOYMENT_REF)).toMatchObject({ metadata: { name: "ml-pipeline" } });
    expect(proxy.asked).toContain(new URL(server).host);

    const before = proxy.asked.length;
    const direct = await createKubeClient({
      kubeconfig,
      retrySeconds: 1,
      env: { HTTP_PROXY: proxy.url, NO_PROXY: ".invalid" },
    });
    await expect(direct.get(DEPLOYMENT_REF)).rejects.toThrow(KubeApiError);
    expect(proxy.asked.length).toBe(before);
  });
});

describe("HttpKubeClient watchList", () => {
  const named = (name: string, readyReplicas: number, resourceVersion = "10"): KubeObject => ({
    ...deployment(readyReplicas, resourceVersion),
    metadata: { name, namespace: "kubeflow", resourceVersion },
  });

  it("lists once, then watches the whole collection from the list's resourceVersion, keeping its objects", async () => {
    const stub = await StubApiServer.start();
    stub.route({
      method: "GET",
      path: DEPLOYMENTS_PATH,
      answer: (request) => {
        expect(request.query.get("labelSelector")).toBe("app=kfp");
        return { body: listOf([named("a", 0), named("b", 0)]) };
      },
    });
    const watches: StubWatch[] = [];
    stub.route({ method: "GET", path: DEPLOYMENTS_PATH, watch: (watch) => watches.push(watch) });
    const client = await clientFor(stub);
    const seen: string[][] = [];
    const stop = new AbortController();
    const watching = client.watchList(
      "apps/v1",
      "Deployment",
      { namespace: "kubeflow", labelSelector: "app=kfp" },
      (objects) => {
        seen.push(
          objects.map((o) => `${o.metadata.name}:${(o.status as { readyReplicas: number }).readyReplicas}`),
        );
        if (objects.length === 1) stop.abort();
      },
      stop.signal,
    );
    await until(() => watches.length === 1);
    expect(watches[0]?.request.query.get("resourceVersion")).toBe("100");
    expect(watches[0]?.request.query.get("labelSelector")).toBe("app=kfp");
    watches[0]?.send("BOOKMARK", { metadata: { resourceVersion: "101" } });
    watches[0]?.send("MODIFIED", named("a", 1, "102"));
    watches[0]?.send("ADDED", named("c", 0, "103"));
    watches[0]?.send("DELETED", named("b", 0, "104"));
    watches[0]?.send("DELETED", named("c", 0, "105"));
    await watching;
    expect(seen).toEqual([["a:0", "b:0"], ["a:1", "b:0"], ["a:1", "b:0", "c:0"], ["a:1", "c:0"], ["a:1"]]);
    // One list and one watch for the whole collection.
    expect(stub.requests.filter((request) => request.path === DEPLOYMENTS_PATH)).toHaveLength(2);
  });

  it("lists again and re-watches when the watch is cut or expires (410), with the objects replaced by the list", async () => {
    const stub = await StubApiServer.start();
    let items = [named("a", 0)];
    stub.route({ method: "GET", path: DEPLOYMENTS_PATH, answer: () => ({ body: listOf(items) }) });
    const watches: StubWatch[] = [];
    stub.route({ method: "GET", path: DEPLOYMENTS_PATH, watch: (watch) => watches.push(watch) });
    const client = await clientFor(stub);
    const stop = new AbortController();
    const seen: string[][] = [];
    const watching = client.watchList(
      "apps/v1",
      "Deployment",
      { namespace: "kubeflow" },
      (objects) => {
        seen.push(objects.map((o) => o.metadata.name));
        if (objects.some((o) => o.metadata.name === "z")) stop.abort();
      },
      stop.signal,
    );
    await until(() => watches.length === 1);
    watches[0]?.cut();
    await until(() => watches.length === 2);
    items = [named("z", 1)];
    watches[1]?.send("ERROR", status(410, "Expired", "too old resource version: 100 (200)"));
    await watching;
    expect(seen.at(-1)).toEqual(["z"]);
    expect(seen).toContainEqual(["a"]);
  });

  it("rejects on a non-transient failure (403), naming the collection", async () => {
    const stub = await StubApiServer.start();
    stub.route({
      method: "GET",
      path: DEPLOYMENTS_PATH,
      answer: () => ({ status: 403, body: status(403, "Forbidden", "deployments is forbidden") }),
    });
    const client = await clientFor(stub);
    const error = await rejection(
      client.watchList(
        "apps/v1",
        "Deployment",
        { namespace: "kubeflow" },
        () => {},
        new AbortController().signal,
      ),
    );
    expect([error.statusCode, error.code]).toEqual([403, "KUBE_FORBIDDEN"]);
    expect(error.message).toMatch(/^watch deployment -n kubeflow: /);
  });
});

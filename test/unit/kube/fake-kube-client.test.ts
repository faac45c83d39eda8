import { describe, expect, it } from "vitest";
import { KubeApiError } from "../../../src/errors.js";
import type { KubeObject, ObjectRef } from "../../../src/model/kube-object.js";
import { FakeKubeClient } from "../../support/fake-kube-client.js";

const NAMESPACE: KubeObject = { apiVersion: "v1", kind: "Namespace", metadata: { name: "kubeflow" } };

function claim(storage = "20Gi", accessModes = ["ReadWriteOnce"]): KubeObject {
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name: "mysql-pv-claim", namespace: "kubeflow" },
    spec: { accessModes, resources: { requests: { storage } } },
  };
}
const CLAIM_REF: ObjectRef = {
  apiVersion: "v1",
  kind: "PersistentVolumeClaim",
  name: "mysql-pv-claim",
  namespace: "kubeflow",
};

function volume(reclaim = "Retain", path = "/data/mysql"): KubeObject {
  return {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name: "kfp-mysql" },
    spec: {
      capacity: { storage: "20Gi" },
      accessModes: ["ReadWriteOnce"],
      persistentVolumeReclaimPolicy: reclaim,
      hostPath: { path },
    },
  };
}
const VOLUME_REF: ObjectRef = { apiVersion: "v1", kind: "PersistentVolume", name: "kfp-mysql" };

function deployment(
  labels: Record<string, string>,
  image = "ghcr.io/kubeflow/kfp-api-server:2.5.0",
): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "ml-pipeline", namespace: "kubeflow" },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: "ml-pipeline-api-server", image }] } },
    },
  };
}
const DEPLOYMENT_REF: ObjectRef = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  name: "ml-pipeline",
  namespace: "kubeflow",
};

async function rejection(promise: Promise<unknown>): Promise<KubeApiError> {
  const outcome = await promise.then(
    () => null,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(KubeApiError);
  return outcome as KubeApiError;
}

describe("FakeKubeClient writes like the API server", () => {
  it("assigns uid, resourceVersion, generation and creationTimestamp", async () => {
    const fake = new FakeKubeClient().seed([NAMESPACE]);
    const created = await fake.create(claim());
    expect(created.metadata).toMatchObject({
      uid: expect.stringMatching(/^00000000-0000-4000-8000-[0-9a-f]{12}$/),
      resourceVersion: expect.stringMatching(/^\d+$/),
      generation: 1,
      creationTimestamp: "2026-01-01T00:00:00.000Z",
    });
  });

  it("refuses to create an object twice", async () => {
    const fake = new FakeKubeClient().seed([NAMESPACE]);
    await fake.create(claim());
    const error = await rejection(fake.create(claim()));
    expect([error.statusCode, error.reason]).toEqual([409, "AlreadyExists"]);
    expect(error.message).toBe(
      'create persistentvolumeclaim/mysql-pv-claim -n kubeflow: API server says: persistentvolumeclaims "mysql-pv-claim" already exists (reason: AlreadyExists, 409)',
    );
  });

  it("needs the namespace to exist", async () => {
    const error = await rejection(new FakeKubeClient().apply(claim(), { force: true }));
    expect([error.statusCode, error.reason]).toEqual([404, "NotFound"]);
    expect(error.message).toContain('namespaces "kubeflow" not found');
  });

  it("accepts nothing new in a Terminating namespace, and removes it only when the controller is done", async () => {
    const fake = new FakeKubeClient().seed([NAMESPACE, claim()]);
    expect(await fake.delete({ apiVersion: "v1", kind: "Namespace", name: "kubeflow" })).toBe(true);
    expect(fake.peek({ apiVersion: "v1", kind: "Namespace", name: "kubeflow" })?.status).toEqual({
      phase: "Terminating",
    });
    const error = await rejection(
      fake.create({ ...claim(), metadata: { name: "other", namespace: "kubeflow" } }),
    );
    expect([error.statusCode, error.reason]).toEqual([403, "Forbidden"]);
    expect(error.message).toContain(
      "unable to create new content in namespace kubeflow because it is being terminated",
    );
    fake.finishNamespaceDeletion("kubeflow");
    expect(fake.all()).toEqual([]);
  });

  it("refuses a replace with a stale resourceVersion", async () => {
    const fake = new FakeKubeClient().seed([NAMESPACE]);
    const first = await fake.create({
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: "kfp-upgrade", namespace: "kubeflow" },
      spec: { holderIdentity: "run-1" },
    });
    const renewed = await fake.replace({
      ...first,
      spec: { holderIdentity: "run-1", leaseDurationSeconds: 30 },
    });
    expect(Number(renewed.metadata.resourceVersion)).toBeGreaterThan(Number(first.metadata.resourceVersion));
    const error = await rejection(fake.replace({ ...first, spec: { holderIdentity: "run-2" } }));
    expect([error.statusCode, error.reason]).toEqual([409, "Conflict"]);
    expect(error.message).toBe(
      'replace lease/kfp-upgrade -n kubeflow: API server says: Operation cannot be fulfilled on leases.coordination.k8s.io "kfp-upgrade": the object has been modified; please apply your changes to the latest version and try again (reason: Conflict, 409)',
    );
  });

  it("checks a UID delete precondition and reports an object already gone", async () => {
    const fake = new FakeKubeClient().seed([volume()]);
    const error = await rejection(fake.delete(VOLUME_REF, { uid: "another-uid" }));
    expect([error.statusCode, error.reason]).toEqual([409, "Conflict"]);
    expect(error.message).toContain("Precondition failed: UID in precondition: another-uid");
    expect(await fake.delete(VOLUME_REF, { uid: fake.peek(VOLUME_REF)?.metadata.uid as string })).toBe(true);
    expect(await fake.delete(VOLUME_REF)).toBe(false);
  });

  it("refuses apiVersions the server does not serve", async () => {
    const crd: KubeObject = {
      apiVersion: "apiextensions.k8s.io/v1beta1",
      kind: "CustomResourceDefinition",
      metadata: { name: "viewers.kubeflow.org" },
    };
    const error = await rejection(new FakeKubeClient().apply(crd, { force: true }));
    expect([error.statusCode, error.code]).toEqual([404, "KUBE_KIND_NOT_SERVED"]);
    expect(await new FakeKubeClient().get({ ...crd, name: "viewers.kubeflow.org" })).toBeNull();
  });

  it("turns Secret stringData into data", async () => {
    const fake = new FakeKubeClient().seed([NAMESPACE]);
    const secret = await fake.create({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "mysql-secret", namespace: "kubeflow" },
      stringData: { username: "root" },
    });
    expect(secret.data).toEqual({ username: "cm9vdA==" });
    expect(secret.stringData).toBeUndefined();
  });
});

describe("FakeKubeClient immutability", () => {
  it("refuses a change to a PVC spec", async () => {
    const fake = new FakeKubeClient().seed([NAMESPACE, claim()]);
    const error = await rejection(fake.apply(claim("20Gi", ["ReadWriteMany"]), { force: true }));
    expect([error.statusCode, error.reason]).toEqual([422, "Invalid"]);
    expect(error.message).toBe(
      'apply persistentvolumeclaim/mysql-pv-claim -n kubeflow: API server says: PersistentVolumeClaim "mysql-pv-claim" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims (reason: Invalid, 422)',
    );
  });

  it("lets a bound claim grow but not shrink", async () => {
    const fake = new FakeKubeClient().seed([NAMESPACE, claim(), volume()]);
    fake.bind({ namespace: "kubeflow", name: "mysql-pv-claim" }, "kfp-mysql");
    const grown = await fake.apply(claim("30Gi"), { force: true });
    expect(grown.spec).toMatchObject({
      resources: { requests: { storage: "30Gi" } },
      volumeName: "kfp-mysql",
    });
    const error = await rejection(fake.apply(claim("10Gi"), { force: true }));
    expect(error.message).toContain(
      "spec.resources.requests.storage: Forbidden: field can not be less than previous value",
    );
  });

  it("does not let an unbound claim change its request", async () => {
    const fake = new FakeKubeClient().seed([NAMESPACE, claim()]);
    const error = await rejection(fake.apply(claim("30Gi"), { force: true }));
    expect(error.message).toContain("spec: Forbidden: spec is immutable after creation");
  });

  it("lets an empty volumeName be set once", async () => {
    const fake = new FakeKubeClient().seed([NAMESPACE, claim()]);
    await fake.patch(CLAIM_REF, { spec: { volumeName: "kfp-mysql" } }, "merge");
    const error = await rejection(fake.patch(CLAIM_REF, { spec: { volumeName: "other" } }, "merge"));
    expect(error.statusCode).toBe(422);
  });

  it("refuses a changed Deployment selector like the server", async () => {
    const fake = new FakeKubeClient().seed([NAMESPACE, deployment({ app: "ml-pipeline" })]);
    const error = await rejection(
      fake.apply(deployment({ app: "ml-pipeline", "application-crd-id": "kubeflow-pipelines" }), {
        force: true,
      }),
    );
    expect([error.statusCode, error.reason]).toEqual([422, "Invalid"]);
    expect(error.message).toBe(
      'apply deployment/ml-pipeline -n kubeflow: API server says: Deployment.apps "ml-pipeline" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"ml-pipeline", "application-crd-id":"kubeflow-pipelines"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable (reason: Invalid, 422)',
    );
  });

  it("needs a selector that matches the template", async () => {
    const fake = new FakeKubeClient().seed([NAMESPACE]);
    const noSelector = deployment({ app: "x" });
    delete (noSelector.spec as { selector?: unknown }).selector;
    expect((await rejection(fake.create(noSelector))).message).toContain("spec.selector: Required value");
    const mismatch = deployment({ app: "x" });
    (mismatch.spec as { template: { metadata: { labels: object } } }).template.metadata.labels = { app: "y" };
    expect((await rejection(fake.create(mismatch))).message).toContain(
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"y"}: `selector` does not match template `labels`',
    );
  });

  it("lets a PV's reclaim policy change but not its source", async () => {
    const fake = new FakeKubeClient().seed([volume("Delete")]);
    const retained = await fake.patch(
      VOLUME_REF,
      { spec: { persistentVolumeReclaimPolicy: "Retain" } },
      "strategic",
    );
    expect(retained.spec).toMatchObject({ persistentVolumeReclaimPolicy: "Retain" });
    const error = await rejection(
      fake.patch(VOLUME_REF, { spec: { hostPath: { path: "/elsewhere" } } }, "merge"),
    );
    expect(error.message).toContain(
      "spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation",
    );
  });
});

describe("FakeKubeClient server-side apply", () => {
  it("reports a conflict on a field another manager owns, and takes it when forced", async () => {
    const fake = new FakeKubeClient().seed([NAMESPACE, deployment({ app: "ml-pipeline" })], {
      manager: "kubectl-edit",
    });
    const target = deployment({ app: "ml-pipeline" }, "ghcr.io/kubeflow/kfp-api-server:2.14.4");
    const error = await rejection(fake.apply(target, { force: false }));
    expect([error.statusCode, error.reason]).toEqual([409, "Conflict"]);
    expect(error.message).toContain(
      'Apply failed with 1 conflict: conflict with "kubectl-edit": .spec.template.spec.containers',
    );
    const applied = await fake.apply(target, { force: true });
    expect(applied.spec).toMatchObject({
      template: { spec: { containers: [{ image: "ghcr.io/kubeflow/kfp-api-server:2.14.4" }] } },
    });
  });

  it("applies an identical value without a conflict", async () => {
    const fake = new FakeKubeClient().seed([NAMESPACE, deployment({ app: "ml-pipeline" })], {
      manager: "kubectl",
    });
    await expect(fake.apply(deployment({ app: "ml-pipeline" }), { force: false })).resolves.toBeDefined();
  });

  it("removes a field it applied before and applies no longer, and keeps others' fields", async () => {
    const fake = new FakeKubeClient().seed([NAMESPACE]);
    const config = (data: Record<string, string>): KubeObject => ({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "pipeline-install-config", namespace: "kubeflow" },
      data,
    });
    await fake.apply(config({ appVersion: "2.5.0", dbHost: "mysql" }), { force: true });
    fake.update(
      { apiVersion: "v1", kind: "ConfigMap", name: "pipeline-install-config", namespace: "kubeflow" },
      (object) => {
        (object.data as Record<string, string>).custom = "kept";
      },
      { manager: "kubectl" },
    );
    const applied = await fake.apply(config({ appVersion: "2.17.0", mysqlHost: "mysql" }), { force: true });
    expect(applied.data).toEqual({ appVersion: "2.17.0", mysqlHost: "mysql", custom: "kept" });
  });

  it("changes nothing on a dry run", async () => {
    const fake = new FakeKubeClient().seed([NAMESPACE]);
    await fake.apply(claim(), { force: true, dryRun: true });
    await fake.create(deployment({ app: "x" }), { dryRun: true });
    expect(fake.all().map((object) => object.kind)).toEqual(["Namespace"]);
  });
});

describe("FakeKubeClient managedFields (opt-in)", () => {
  const ref: ObjectRef = { apiVersion: "v1", kind: "ConfigMap", name: "c", namespace: "kubeflow" };
  const config = (data: Record<string, string>): KubeObject => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "c", namespace: "kubeflow" },
    data,
  });
  const managers = (object: KubeObject | null) =>
    ((object?.metadata.managedFields ?? []) as { manager: string; operation: string }[]).map(
      (entry) => `${entry.manager}/${entry.operation}`,
    );

  it("shows managedFields on reads: one FieldsV1 entry per manager and operation", async () => {
    const fake = new FakeKubeClient({ managedFields: true }).seed([NAMESPACE, config({ a: "1" })]);
    await fake.apply(config({ a: "1", b: "2" }), { force: false });
    const object = await fake.get(ref);
    expect(object?.metadata.managedFields).toEqual([
      {
        manager: "kfp-upgrade",
        operation: "Apply",
        apiVersion: "v1",
        time: "2026-01-01T00:00:00Z",
        fieldsType: "FieldsV1",
        fieldsV1: { "f:data": { "f:a": {}, "f:b": {} } },
      },
      {
        manager: "kubectl",
        operation: "Update",
        apiVersion: "v1",
        time: "2026-01-01T00:00:00Z",
        fieldsType: "FieldsV1",
        fieldsV1: { "f:data": { "f:a": {} } },
      },
    ]);
  });

  it("keeps a field applied with the value another manager set while that manager still owns it", async () => {
    const fake = new FakeKubeClient({ managedFields: true }).seed([NAMESPACE, config({ a: "1", b: "2" })]);
    await fake.apply(config({ a: "1", b: "2" }), { force: true });
    await fake.apply(config({ a: "1" }), { force: true });
    expect(fake.peek(ref)?.data).toEqual({ a: "1", b: "2" });
    // Without the model the applier simply took the field over, and dropped it.
    const simple = new FakeKubeClient().seed([NAMESPACE, config({ a: "1", b: "2" })]);
    await simple.apply(config({ a: "1", b: "2" }), { force: true });
    await simple.apply(config({ a: "1" }), { force: true });
    expect(simple.peek(ref)?.data).toEqual({ a: "1" });
  });

  it("uses managedFields a JSON patch sets as given, and the resourceVersion it sets as a precondition", async () => {
    const fake = new FakeKubeClient({ managedFields: true }).seed([NAMESPACE, config({ a: "1", b: "2" })]);
    const read = await fake.get(ref);
    const given = [
      {
        manager: "kfp-upgrade",
        operation: "Apply",
        apiVersion: "v1",
        fieldsType: "FieldsV1",
        fieldsV1: { "f:data": { "f:a": {}, "f:b": {} } },
      },
    ];
    const stale = [{ op: "replace", path: "/metadata/resourceVersion", value: "1" }];
    await expect(fake.patch(ref, stale, "json")).rejects.toMatchObject({ statusCode: 409 });
    await fake.patch(
      ref,
      [
        { op: "replace", path: "/metadata/managedFields", value: given },
        { op: "replace", path: "/metadata/resourceVersion", value: read?.metadata.resourceVersion },
      ],
      "json",
    );
    expect(managers(await fake.get(ref))).toEqual(["kfp-upgrade/Apply"]);
    await fake.apply(config({ a: "1" }), { force: false });
    expect(fake.peek(ref)?.data).toEqual({ a: "1" });
  });
});

describe("FakeKubeClient controllers", () => {
  async function ownedClaim(reclaim: string) {
    const fake = new FakeKubeClient().seed([
      NAMESPACE,
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "owner", namespace: "kubeflow" } },
      volume(reclaim),
    ]);
    const owner = fake.peek({ apiVersion: "v1", kind: "ConfigMap", name: "owner", namespace: "kubeflow" });
    fake.seed([
      {
        ...claim(),
        metadata: {
          ...claim().metadata,
          ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: "owner", uid: owner?.metadata.uid }],
        },
      },
    ]);
    fake.bind({ namespace: "kubeflow", name: "mysql-pv-claim" }, "kfp-mysql");
    return fake;
  }
  const OWNER_REF: ObjectRef = { apiVersion: "v1", kind: "ConfigMap", name: "owner", namespace: "kubeflow" };

  it("garbage-collects a claim with its owner, and the PV controller deletes a Delete volume", async () => {
    const fake = await ownedClaim("Delete");
    await fake.delete(OWNER_REF);
    expect(fake.peek(CLAIM_REF)).toBeNull();
    expect(fake.peek(VOLUME_REF)).toBeNull();
  });

  it("releases a Retain volume", async () => {
    const fake = await ownedClaim("Retain");
    await fake.delete(OWNER_REF, { propagationPolicy: "Foreground" });
    expect(fake.peek(CLAIM_REF)).toBeNull();
    expect(fake.peek(VOLUME_REF)?.status).toEqual({ phase: "Released" });
  });

  it("orphans dependents on request", async () => {
    const fake = await ownedClaim("Delete");
    await fake.delete(OWNER_REF, { propagationPolicy: "Orphan" });
    expect(fake.peek(CLAIM_REF)?.metadata.ownerReferences).toEqual([]);
    expect(fake.peek(VOLUME_REF)).not.toBeNull();
  });

  it("keeps an object with finalizers until the last one is removed", async () => {
    const fake = new FakeKubeClient().seed([
      NAMESPACE,
      { ...claim(), metadata: { ...claim().metadata, finalizers: ["kubernetes.io/pvc-protection"] } },
    ]);
    expect(await fake.delete(CLAIM_REF)).toBe(true);
    expect(fake.peek(CLAIM_REF)?.metadata.deletionTimestamp).toBe("2026-01-01T00:00:00.000Z");
    await fake.patch(CLAIM_REF, [{ op: "remove", path: "/metadata/finalizers/0" }], "json");
    expect(fake.peek(CLAIM_REF)).toBeNull();
  });
});

describe("FakeKubeClient controller stand-ins", () => {
  const crd: KubeObject = {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "viewers.kubeflow.org" },
    spec: {
      group: "kubeflow.org",
      scope: "Namespaced",
      names: { kind: "Viewer", plural: "viewers", singular: "viewer" },
      versions: [{ name: "v1beta1", served: true, storage: true }],
    },
  };

  it("establishes a CRD as soon as it is written, and then serves its version", async () => {
    const fake = new FakeKubeClient();
    await fake.apply(crd, { force: true });
    const stored = fake.peek({ ...crd, name: "viewers.kubeflow.org" });
    expect(stored?.status).toMatchObject({
      conditions: [{ type: "NamesAccepted" }, { type: "Established", status: "True" }],
    });
    expect(await fake.servedApiVersions()).toContain("kubeflow.org/v1beta1");
  });

  it("can leave CRDs unestablished", async () => {
    const fake = new FakeKubeClient({ establishCrds: false });
    await fake.apply(crd, { force: true });
    expect(await fake.servedApiVersions()).not.toContain("kubeflow.org/v1beta1");
  });

  it("runs a test's reactor after each write", async () => {
    const fake = new FakeKubeClient().seed([NAMESPACE]).react(({ verb, object }, self) => {
      if (verb !== "delete" && object.kind === "Deployment") {
        self.update({ ...DEPLOYMENT_REF }, (deployment) => {
          deployment.status = { readyReplicas: 1, availableReplicas: 1 };
        });
      }
    });
    await fake.apply(deployment({ app: "ml-pipeline" }), { force: true });
    expect(fake.peek(DEPLOYMENT_REF)?.status).toEqual({ readyReplicas: 1, availableReplicas: 1 });
  });
});

describe("FakeKubeClient reads, patches and waits", () => {
  it("filters lists by label and field selectors", async () => {
    const labelled = (name: string, labels: Record<string, string>): KubeObject => ({
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name, namespace: "kubeflow", labels },
    });
    const fake = new FakeKubeClient().seed([
      NAMESPACE,
      labelled("a", { "application-crd-id": "kubeflow-pipelines", app: "x" }),
      labelled("b", { "application-crd-id": "kubeflow-pipelines", app: "y" }),
      labelled("c", { app: "x" }),
    ]);
    const names = async (labelSelector?: string, fieldSelector?: string) =>
      (await fake.list("v1", "ServiceAccount", { namespace: "kubeflow", labelSelector, fieldSelector })).map(
        (object) => object.metadata.name,
      );
    expect(await names("application-crd-id=kubeflow-pipelines")).toEqual(["a", "b"]);
    expect(await names("application-crd-id=kubeflow-pipelines,app!=x")).toEqual(["b"]);
    expect(await names("app in (x, y),!application-crd-id")).toEqual(["c"]);
    expect(await names(undefined, "metadata.name=b")).toEqual(["b"]);
  });

  it("merges containers by name in a strategic patch and applies JSON patches", async () => {
    const fake = new FakeKubeClient().seed([NAMESPACE, deployment({ app: "ml-pipeline" })]);
    const patched = await fake.patch(
      DEPLOYMENT_REF,
      { spec: { template: { spec: { containers: [{ name: "ml-pipeline-api-server", image: "new:1" }] } } } },
      "strategic",
    );
    expect(patched.spec).toMatchObject({
      template: { spec: { containers: [{ name: "ml-pipeline-api-server", image: "new:1" }] } },
    });
    const scaled = await fake.patch(
      DEPLOYMENT_REF,
      [
        { op: "test", path: "/spec/replicas", value: 1 },
        { op: "replace", path: "/spec/replicas", value: 0 },
      ],
      "json",
    );
    expect((scaled.spec as { replicas: number }).replicas).toBe(0);
    expect(scaled.metadata.generation).toBe(3);
    const failed = await rejection(
      fake.patch(DEPLOYMENT_REF, [{ op: "test", path: "/spec/replicas", value: 5 }], "json"),
    );
    expect([failed.statusCode, failed.reason]).toEqual([422, "Invalid"]);
  });

  it("waitFor checks at once and on every change", async () => {
    const fake = new FakeKubeClient().seed([NAMESPACE, claim()]);
    const seen: string[] = [];
    const waiting = fake.waitFor(
      CLAIM_REF,
      (object) => {
        const phase = String((object?.status as { phase?: string } | undefined)?.phase ?? "absent");
        return { done: phase === "Bound", ok: true, message: `claim is ${phase}` };
      },
      { timeoutSeconds: 5, onProgress: (message) => seen.push(message) },
    );
    fake.update(CLAIM_REF, (object) => {
      object.status = { phase: "Pending" };
    });
    fake.update(CLAIM_REF, (object) => {
      object.status = { phase: "Bound" };
    });
    const result = await waiting;
    expect(result).toMatchObject({ ok: true, timedOut: false, message: "claim is Bound" });
    expect(seen).toEqual(["claim is absent", "claim is Pending", "claim is Bound"]);
  });

  it("waitFor times out with the last message and rejects on abort", async () => {
    const fake = new FakeKubeClient();
    const never = () => ({ done: false, ok: false, message: "waiting" });
    const result = await fake.waitFor(CLAIM_REF, never, { timeoutSeconds: 0.01 });
    expect(result).toEqual({ ok: false, timedOut: true, message: "waiting", object: null });
    const controller = new AbortController();
    const aborted = fake.waitFor(CLAIM_REF, never, { timeoutSeconds: 5, signal: controller.signal });
    controller.abort(new Error("interrupted"));
    await expect(aborted).rejects.toThrow("interrupted");
  });

  it("records every call and answers canI from its denials", async () => {
    const fake = new FakeKubeClient().deny({ verb: "delete", resource: "persistentvolumes" }, "RBAC: no");
    const results = await fake.canI([
      { verb: "delete", group: "", resource: "persistentvolumes" },
      { verb: "get", group: "", resource: "persistentvolumes" },
    ]);
    expect(results.map(({ allowed, reason }) => [allowed, reason])).toEqual([
      [false, "RBAC: no"],
      [true, null],
    ]);
    await fake.get(VOLUME_REF);
    expect(fake.calls.map((call) => call.method)).toEqual(["canI", "get"]);
    expect(fake.requestCount()).toBe(2);
  });
});

describe("FakeKubeClient serviceProxyGet", () => {
  const SERVICE: KubeObject = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "ml-pipeline", namespace: "kubeflow" },
    spec: { selector: { app: "ml-pipeline" }, ports: [{ name: "http", port: 8888 }] },
  };
  function pod(ready: boolean): KubeObject {
    return {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "ml-pipeline-abc", namespace: "kubeflow", labels: { app: "ml-pipeline" } },
      status: { conditions: [{ type: "Ready", status: ready ? "True" : "False" }] },
    };
  }
  const REQUEST = {
    namespace: "kubeflow",
    service: "ml-pipeline",
    port: 8888,
    path: "/apis/v2beta1/healthz",
  };

  const failures = [
    { name: "no such Service", objects: [], port: 8888, code: "KUBE_NOT_FOUND", statusCode: 404 },
    {
      name: "no ready pod",
      objects: [SERVICE, pod(false)],
      port: 8888,
      code: "KUBE_PROXY_NO_ENDPOINTS",
      statusCode: 503,
    },
    {
      name: "a port the Service does not have",
      objects: [SERVICE, pod(true)],
      port: 9999,
      code: "KUBE_SERVER_ERROR",
      statusCode: 503,
    },
    {
      name: "a port name the Service does not have",
      objects: [SERVICE, pod(true)],
      port: "grpc",
      code: "KUBE_PROXY_NO_ENDPOINTS",
      statusCode: 503,
    },
  ];
  it.each(failures)("answers like the API server for $name", async ({ objects, port, code, statusCode }) => {
    const fake = new FakeKubeClient().seed([NAMESPACE, ...objects]);
    fake.serveService({ namespace: "kubeflow", service: "ml-pipeline" }, () => ({ body: {} }));
    const error = await rejection(fake.serviceProxyGet({ ...REQUEST, port }));
    expect(error).toMatchObject({ code, statusCode });
  });

  it("reaches the handler behind a ready pod, by port number or name, and records the request", async () => {
    const fake = new FakeKubeClient().seed([NAMESPACE, SERVICE, pod(true)]);
    fake.serveService({ namespace: "kubeflow", service: "ml-pipeline" }, (request) =>
      request.path === "/apis/v2beta1/healthz"
        ? { body: { multi_user: false } }
        : { status: 404, body: { error: "Not Found", code: 5, message: "Not Found" } },
    );
    const headers = { "kubeflow-userid": "user@example.com" };
    expect(await fake.serviceProxyGet({ ...REQUEST, headers })).toEqual({ multi_user: false });
    expect(await fake.serviceProxyGet({ ...REQUEST, port: "http" })).toEqual({ multi_user: false });
    const error = await rejection(fake.serviceProxyGet({ ...REQUEST, path: "/apis/v9/x" }));
    expect(error).toMatchObject({ code: "KUBE_PROXY_SERVICE_ERROR", statusCode: 404 });
    expect(error.message).toBe(
      "get services/ml-pipeline:8888/proxy/apis/v9/x -n kubeflow: service ml-pipeline answered 404: Not Found",
    );
    expect(fake.callsOf("serviceProxyGet")[0]?.options).toEqual({ ...REQUEST, headers });
  });

  it("cannot reach a ready pod nobody serves", async () => {
    const fake = new FakeKubeClient().seed([NAMESPACE, SERVICE, pod(true)]);
    const error = await rejection(fake.serviceProxyGet(REQUEST));
    expect(error).toMatchObject({ code: "KUBE_PROXY_UNREACHABLE", statusCode: 503 });
  });
});

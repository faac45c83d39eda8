import { readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import yaml from "js-yaml";
import { describe, expect, it, onTestFinished } from "vitest";
import { KubeApiError } from "../../src/errors.js";
import { createKubeClient } from "../../src/kube/create-kube-client.js";
import type { KubeClient } from "../../src/kube/kube-client.js";
import { takeSnapshot } from "../../src/kube/take-snapshot.js";
import type { KubeObject, ObjectRef } from "../../src/model/kube-object.js";
import {
  createHostPathPv,
  createTestNamespace,
  e2eCluster,
  kubectl,
  kubectlJson,
  sharedCluster,
  uniqueName,
} from "../support/e2e-cluster.js";

// The real HttpKubeClient against the real control plane: what the unit tests' stub server and fake cannot prove.

function client(options: { retrySeconds?: number; kubeconfig?: string } = {}): Promise<KubeClient> {
  return createKubeClient({
    kubeconfig: options.kubeconfig ?? e2eCluster().kubeconfigPath,
    ...options,
    env: {},
  });
}

async function rejection(promise: Promise<unknown>): Promise<KubeApiError> {
  const outcome = await promise.then(
    () => null,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(KubeApiError);
  return outcome as KubeApiError;
}

function configMap(namespace: string, data: Record<string, string>): KubeObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: "pipeline-install-config",
      namespace,
      labels: { "application-crd-id": "kubeflow-pipelines" },
    },
    data,
  };
}

function deployment(namespace: string, name: string, replicas: number): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "main", image: "ghcr.io/kubeflow/kfp-api-server:2.5.0" }] },
      },
    },
  };
}

const available = (replicas: number) => (object: KubeObject | null) => {
  const status = (object?.status ?? {}) as { availableReplicas?: number; observedGeneration?: number };
  const ready = status.availableReplicas ?? 0;
  return { done: ready >= replicas, ok: true, message: `${ready}/${replicas} available` };
};

describe("HttpKubeClient on a real API server", () => {
  it("applies, reads, lists, conflicts and deletes", async () => {
    const namespace = await createTestNamespace("kube-client");
    const kube = await client();
    const ref: ObjectRef = {
      apiVersion: "v1",
      kind: "ConfigMap",
      name: "pipeline-install-config",
      namespace,
    };

    const created = await kube.apply(configMap(namespace, { appVersion: "2.5.0" }), { force: false });
    const managers = (created.metadata.managedFields as { manager: string; operation: string }[]).map(
      (entry) => `${entry.manager}/${entry.operation}`,
    );
    expect(managers).toEqual(["kfp-upgrade/Apply"]);
    expect((await kube.get(ref))?.data).toEqual({ appVersion: "2.5.0" });
    expect(await kube.get({ ...ref, name: "absent" })).toBeNull();
    const listed = await kube.list("v1", "ConfigMap", {
      namespace,
      labelSelector: "application-crd-id=kubeflow-pipelines",
    });
    expect(listed.map((object) => [object.kind, object.metadata.name])).toEqual([
      ["ConfigMap", "pipeline-install-config"],
    ]);

    // Someone edits a field we own: a plain apply conflicts, a forced one takes it back.
    await kubectl([
      "patch",
      "configmap",
      "pipeline-install-config",
      "-n",
      namespace,
      "--field-manager=someone",
      "-p",
      '{"data":{"appVersion":"hand-edited"}}',
    ]);
    const conflict = await rejection(
      kube.apply(configMap(namespace, { appVersion: "2.14.4" }), { force: false }),
    );
    expect([conflict.statusCode, conflict.reason]).toEqual([409, "Conflict"]);
    expect(conflict.message).toMatch(
      new RegExp(
        `^apply configmap/pipeline-install-config -n ${namespace}: API server says: Apply failed with 1 conflict: conflict with "someone"`,
      ),
    );
    const forced = await kube.apply(configMap(namespace, { appVersion: "2.14.4" }), { force: true });
    expect(forced.data).toEqual({ appVersion: "2.14.4" });

    // dry run changes nothing
    await kube.apply(configMap(namespace, { appVersion: "9.9.9" }), { force: true, dryRun: true });
    expect((await kube.get(ref))?.data).toEqual({ appVersion: "2.14.4" });

    const uid = String(forced.metadata.uid);
    const stale = await rejection(kube.delete(ref, { uid: "00000000-0000-0000-0000-000000000000" }));
    expect([stale.statusCode, stale.reason]).toEqual([409, "Conflict"]);
    expect(await kube.delete(ref, { uid })).toBe(true);
    expect(await kube.delete(ref)).toBe(false);
  });

  it("creates and replaces a Lease with optimistic concurrency", async () => {
    const namespace = await createTestNamespace("kube-lease");
    const kube = await client();
    const lease: KubeObject = {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: "kfp-upgrade-lock", namespace },
      spec: { holderIdentity: "run-1", leaseDurationSeconds: 30 },
    };
    const first = await kube.create(lease);
    const exists = await rejection(kube.create(lease));
    expect([exists.statusCode, exists.reason]).toEqual([409, "AlreadyExists"]);
    await kube.replace({ ...first, spec: { holderIdentity: "run-1", leaseDurationSeconds: 31 } });
    const stale = await rejection(kube.replace({ ...first, spec: { holderIdentity: "run-2" } }));
    expect([stale.statusCode, stale.reason]).toEqual([409, "Conflict"]);
  });

  it("refuses a changed Deployment selector with 422 Invalid", async () => {
    const namespace = await createTestNamespace("kube-selector");
    const kube = await client();
    await kube.apply(deployment(namespace, "ml-pipeline", 0), { force: true });
    const changed = deployment(namespace, "ml-pipeline", 0);
    const spec = changed.spec as {
      selector: { matchLabels: Record<string, string> };
      template: { metadata: { labels: Record<string, string> } };
    };
    spec.selector.matchLabels.extra = "x";
    spec.template.metadata.labels.extra = "x";
    const error = await rejection(kube.apply(changed, { force: true }));
    expect([error.statusCode, error.reason, error.code]).toEqual([422, "Invalid", "KUBE_INVALID"]);
    expect(error.message).toContain("spec.selector: Invalid value");
    expect(error.message).toContain("field is immutable (reason: Invalid, 422)");
  });

  it("waits with a watch until a Deployment is available, then until it is gone", async () => {
    const namespace = await createTestNamespace("kube-wait");
    const kube = await client();
    const ref: ObjectRef = { apiVersion: "apps/v1", kind: "Deployment", name: "ml-pipeline", namespace };
    await kube.apply(deployment(namespace, "ml-pipeline", 2), { force: true });
    const progress: string[] = [];
    const result = await kube.waitFor(ref, available(2), {
      timeoutSeconds: 120,
      onProgress: (message) => progress.push(message),
    });
    expect(result).toMatchObject({ ok: true, timedOut: false, message: "2/2 available" });
    expect(progress.at(-1)).toBe("2/2 available");
    // discovery, apply, one list and a watch or two: not a polling loop
    expect(kube.requestCount()).toBeLessThan(12);

    await kube.delete(ref, { propagationPolicy: "Foreground" });
    const gone = await kube.waitFor(
      ref,
      (object) => ({ done: object === null, ok: true, message: object ? "exists" : "gone" }),
      {
        timeoutSeconds: 120,
      },
    );
    expect(gone).toMatchObject({ ok: true, object: null });
  });

  it("rides out an API server restart in the middle of a wait and of a request", async () => {
    const namespace = await createTestNamespace("kube-restart");
    const kube = await client({ retrySeconds: 120 });
    const ref: ObjectRef = { apiVersion: "apps/v1", kind: "Deployment", name: "ml-pipeline", namespace };
    await kube.apply(deployment(namespace, "ml-pipeline", 0), { force: true });
    const cluster = await sharedCluster();

    const waiting = kube.waitFor(ref, available(1), { timeoutSeconds: 170 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await cluster.stopApiServer();
    // While it is down: a read that must be retried, not failed.
    const reading = kube.get({ apiVersion: "v1", kind: "Namespace", name: namespace });
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await cluster.startApiServer();
    expect((await reading)?.metadata.name).toBe(namespace);
    await kube.apply(deployment(namespace, "ml-pipeline", 1), { force: true });
    expect(await waiting).toMatchObject({ ok: true, timedOut: false, message: "1/1 available" });
  });

  it("answers access reviews for an admin and for a user without rights", async () => {
    const namespace = await createTestNamespace("kube-rbac");
    const admin = await client();
    const checks = [
      { verb: "patch", group: "", resource: "persistentvolumes" },
      { verb: "create", group: "coordination.k8s.io", resource: "leases", namespace },
    ];
    expect((await admin.canI(checks)).map((result) => result.allowed)).toEqual([true, true]);

    // The same kubeconfig, impersonating a service account that has no role at all.
    const restrictedConfig = yaml.load(await readFile(e2eCluster().kubeconfigPath, "utf8")) as {
      users: { user: Record<string, unknown> }[];
    };
    for (const entry of restrictedConfig.users) entry.user.as = `system:serviceaccount:${namespace}:nobody`;
    const file = path.join(tmpdir(), `${uniqueName("restricted")}.kubeconfig`);
    await writeFile(file, yaml.dump(restrictedConfig));
    onTestFinished(() => rm(file, { force: true }));
    const restricted = await client({ kubeconfig: file });
    const results = await restricted.canI(checks);
    expect(results.map((result) => result.allowed)).toEqual([false, false]);
    const forbidden = await rejection(restricted.list("v1", "PersistentVolume"));
    expect([forbidden.statusCode, forbidden.code]).toEqual([403, "KUBE_FORBIDDEN"]);
  });

  it("serves a CRD's kind once it is established and discovery serves it", async () => {
    const kube = await client();
    const group = `${uniqueName("e2e")}.kfp-upgrade.test`;
    const crd: KubeObject = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: `viewers.${group}` },
      spec: {
        group,
        scope: "Namespaced",
        names: { kind: "Viewer", plural: "viewers", singular: "viewer", listKind: "ViewerList" },
        versions: [
          {
            name: "v1beta1",
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
          },
        ],
      },
    };
    const crdRef: ObjectRef = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      name: `viewers.${group}`,
    };
    onTestFinished(async () => {
      await kubectl(["delete", "crd", `viewers.${group}`, "--ignore-not-found", "--wait=false"]);
    });
    const namespace = await createTestNamespace("kube-crd");
    // Discovery is cached before the CRD exists; the miss must refresh it.
    expect(await kube.servedApiVersions()).not.toContain(`${group}/v1beta1`);
    await kube.apply(crd, { force: true });
    const established = await kube.waitFor(
      crdRef,
      (object) => {
        const conditions =
          ((object?.status ?? {}) as { conditions?: { type: string; status: string }[] }).conditions ?? [];
        const ok = conditions.some(
          (condition) => condition.type === "Established" && condition.status === "True",
        );
        return { done: ok, ok, message: ok ? "Established" : "waiting for Established" };
      },
      { timeoutSeconds: 60 },
    );
    expect(established.ok).toBe(true);
    // Established can come a few milliseconds before discovery serves the kind (seen under load, 3 times in 150).
    expect(
      await kube.waitServed([{ apiVersion: `${group}/v1beta1`, kind: "Viewer" }], { timeoutSeconds: 30 }),
    ).toEqual([]);
    const viewer: KubeObject = {
      apiVersion: `${group}/v1beta1`,
      kind: "Viewer",
      metadata: { name: "v", namespace },
    };
    await kube.apply(viewer, { force: true });
    expect(
      (await kube.get({ apiVersion: `${group}/v1beta1`, kind: "Viewer", name: "v", namespace }))?.kind,
    ).toBe("Viewer");
  });

  it("takes a snapshot of a namespace with a bound data claim in about twenty requests", async () => {
    const namespace = await createTestNamespace("kube-snapshot");
    const pv = await createHostPathPv(uniqueName("kfp-mysql"), { capacity: "1Gi" });
    await kubectl([
      "create",
      "secret",
      "generic",
      "mysql-secret",
      "-n",
      namespace,
      "--from-literal=password=e2e-s3cret",
    ]);
    await kubectl(["apply", "-f", "-"], {
      input: JSON.stringify({
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        metadata: { name: "mysql-pv-claim", namespace },
        spec: {
          accessModes: ["ReadWriteOnce"],
          storageClassName: "",
          volumeName: pv.name,
          resources: { requests: { storage: "1Gi" } },
        },
      }),
    });
    await kubectl([
      "wait",
      "--for=jsonpath={.status.phase}=Bound",
      "pvc/mysql-pv-claim",
      "-n",
      namespace,
      "--timeout=60s",
    ]);
    const kube = await client();
    await kube.apply(configMap(namespace, { appVersion: "2.5.0" }), { force: true });
    const before = kube.requestCount();

    const snapshot = await takeSnapshot(kube, { namespace });

    expect(kube.requestCount() - before).toBeLessThanOrEqual(22);
    const claim = await kubectlJson<{ metadata: { uid: string } }>([
      "get",
      "pvc",
      "mysql-pv-claim",
      "-n",
      namespace,
    ]);
    expect(snapshot).toMatchObject({
      namespace: { name: namespace, exists: true, phase: "Active" },
      installedVersion: "2.5.0",
      versionSource: "appVersion",
      secrets: ["mysql-secret"],
    });
    expect(snapshot.claims).toEqual([
      {
        name: "mysql-pv-claim",
        namespace,
        uid: claim.metadata.uid,
        phase: "Bound",
        volumeName: pv.name,
        storageClassName: "",
        requestBytes: 2 ** 30,
        accessModes: ["ReadWriteOnce"],
        ownerReferences: [],
        deleting: false,
      },
    ]);
    expect(snapshot.volumes.find((volume) => volume.name === pv.name)).toMatchObject({
      uid: pv.uid,
      phase: "Bound",
      claimRef: { namespace, name: "mysql-pv-claim", uid: claim.metadata.uid },
      capacityBytes: 2 ** 30,
      reclaimPolicy: "Retain",
      source: { type: "hostPath", path: pv.path },
    });
    expect(snapshot.storageClasses.find((storageClass) => storageClass.isDefault)?.name).toBe("standard");
    expect(snapshot.servedApiVersions).toEqual(
      expect.arrayContaining(["v1", "apps/v1", "storage.k8s.io/v1"]),
    );
    expect(JSON.stringify(snapshot)).not.toContain(Buffer.from("e2e-s3cret").toString("base64"));
  });

  it("names the server it cannot reach", async () => {
    const kube = await createKubeClient({
      kubeconfig: await unreachableKubeconfig(),
      retrySeconds: 1,
      env: {},
    });
    const error = await rejection(
      kube.get({ apiVersion: "apps/v1", kind: "Deployment", name: "ml-pipeline", namespace: "kubeflow" }),
    );
    expect(error.message).toBe(
      "get deployment/ml-pipeline -n kubeflow: cannot reach the API server at https://127.0.0.1:1: ECONNREFUSED",
    );
    expect(error.exitCode).toBe(5);
  });
});

async function unreachableKubeconfig(): Promise<string> {
  const config = yaml.load(await readFile(e2eCluster().kubeconfigPath, "utf8")) as {
    clusters: { cluster: Record<string, unknown> }[];
  };
  for (const entry of config.clusters) entry.cluster.server = "https://127.0.0.1:1";
  const file = path.join(tmpdir(), `${uniqueName("unreachable")}.kubeconfig`);
  await writeFile(file, yaml.dump(config));
  onTestFinished(() => rm(file, { force: true }));
  return file;
}

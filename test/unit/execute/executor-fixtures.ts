import { expect } from "vitest";
import type { ExecutionContext } from "../../../src/execute/execution-context.js";
import type { ExecutionEvent } from "../../../src/execute/execution-event.js";
import { type JournalSink, memoryJournal } from "../../../src/execute/journal-sink.js";
import type { RunPlanOptions } from "../../../src/execute/run-plan.js";
import type { KubeObject, ObjectRef } from "../../../src/model/kube-object.js";
import type { Step } from "../../../src/plan/step.js";
import type { FakeKubeClient, FakeReactor } from "../../support/fake-kube-client.js";

export const NS = "kubeflow";
const KFP = { "application-crd-id": "kubeflow-pipelines" };

export function deployment(name: string, image: string): KubeObject {
  const labels = { app: name, ...KFP };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: NS, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name, image }] } },
    },
  };
}

export function configMap(name: string, data: Record<string, string> = {}): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: NS, labels: KFP }, data };
}

export function secret(name: string, stringData: Record<string, string>): KubeObject {
  return { apiVersion: "v1", kind: "Secret", metadata: { name, namespace: NS, labels: KFP }, stringData };
}

export function claimTemplate(name: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name, namespace: NS, labels: KFP },
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "20Gi" } } },
  };
}

export function hostPathVolume(name: string, reclaimPolicy = "Retain"): KubeObject {
  return {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name },
    spec: {
      capacity: { storage: "20Gi" },
      accessModes: ["ReadWriteOnce"],
      persistentVolumeReclaimPolicy: reclaimPolicy,
      hostPath: { path: `/data/${name}` },
    },
    status: { phase: "Available" },
  };
}

export const VIEWER_CRD: KubeObject = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "viewers.kubeflow.org" },
  spec: {
    group: "kubeflow.org",
    names: { kind: "Viewer", plural: "viewers", singular: "viewer" },
    scope: "Namespaced",
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

/** A KFP release small enough to read: a namespace, a CRD, config, a Secret, both data claims, one Deployment. */
export function tinyReleaseObjects(
  version: string,
  image = `ghcr.io/kubeflow/kfp-api-server:${version}`,
): KubeObject[] {
  return [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } },
    VIEWER_CRD,
    configMap("pipeline-install-config", { appVersion: version }),
    secret("mysql-secret", { username: "root", password: "" }),
    claimTemplate("mysql-pv-claim"),
    claimTemplate("minio-pvc"),
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "ml-pipeline", namespace: NS, labels: KFP },
      spec: { ports: [{ port: 8888 }] },
    },
    deployment("ml-pipeline", image),
  ];
}

/**
 * The Deployment controller and kubelet: a Deployment written through the client rolls out at once, unless its
 * image is in `failing`, in which case its progress deadline passes.
 */
export function rollOut(failing: readonly string[] = []): FakeReactor {
  return ({ verb, object }, fake) => {
    if (verb === "delete" || object.kind !== "Deployment") return;
    const containers = (object.spec as { template: { spec: { containers: { image: string }[] } } }).template
      .spec.containers;
    const broken = containers.some((container) => failing.includes(container.image));
    fake.update(
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        name: object.metadata.name,
        namespace: object.metadata.namespace,
      },
      (d) => {
        const generation = d.metadata.generation as number;
        d.status = broken
          ? {
              observedGeneration: generation,
              replicas: 2,
              updatedReplicas: 1,
              availableReplicas: 1,
              conditions: [
                {
                  type: "Progressing",
                  status: "False",
                  reason: "ProgressDeadlineExceeded",
                  message: `ReplicaSet "${d.metadata.name}-new" has timed out progressing.`,
                },
              ],
            }
          : {
              observedGeneration: generation,
              replicas: 1,
              updatedReplicas: 1,
              readyReplicas: 1,
              availableReplicas: 1,
            };
      },
    );
  };
}

/** The PV controller: a claim created with a volumeName binds to that PV. */
export const bindNamedClaims: FakeReactor = ({ verb, object }, fake) => {
  if (verb !== "create" || object.kind !== "PersistentVolumeClaim") return;
  const volumeName = (object.spec as { volumeName?: string }).volumeName;
  if (volumeName)
    fake.bind({ namespace: object.metadata.namespace ?? NS, name: object.metadata.name }, volumeName);
};

export interface Run {
  options: RunPlanOptions;
  journal: JournalSink & { completed: string[] };
  events: ExecutionEvent[];
  saved: { role: string; volume: KubeObject }[];
  controller: AbortController;
}

export function runOptions(client: FakeKubeClient, overrides: Partial<RunPlanOptions> = {}): Run {
  const journal = memoryJournal();
  const events: ExecutionEvent[] = [];
  const saved: { role: string; volume: KubeObject }[] = [];
  const controller = new AbortController();
  return {
    journal,
    events,
    saved,
    controller,
    options: {
      client,
      journal,
      emit: (event) => events.push(event),
      timeoutSeconds: 5,
      signal: controller.signal,
      rollback: true,
      saveVolume: async (role, volume) => {
        saved.push({ role, volume });
      },
      ...overrides,
    },
  };
}

/** Writes made through the client, `verb kind/name`, in order. */
export function writes(client: FakeKubeClient): string[] {
  return client.calls
    .filter((call) => ["apply", "create", "replace", "patch", "delete"].includes(call.method))
    .map((call) => `${call.method} ${call.ref?.kind}/${call.ref?.name}`);
}

/** The stored object's spec; the test fails here if the object is gone. */
export function specOf<T>(client: FakeKubeClient, ref: ObjectRef): T {
  const object = client.peek(ref);
  expect(object, `${ref.kind}/${ref.name}`).not.toBeNull();
  return (object as KubeObject).spec as T;
}

/** An execution context over `client` that records what handlers report, for tests of one executor piece. */
export function recordingContext(
  client: FakeKubeClient,
  options: { timeoutSeconds?: number; signal?: AbortSignal; steps?: readonly Step[] } = {},
): ExecutionContext & { progressed: string[]; warned: string[] } {
  const progressed: string[] = [];
  const warned: string[] = [];
  return {
    client,
    timeoutSeconds: options.timeoutSeconds ?? 5,
    signal: options.signal ?? new AbortController().signal,
    progress: (message) => progressed.push(message),
    warn: (message) => warned.push(message),
    bindings: new Map(),
    saveVolume: async () => {},
    steps: options.steps ?? [],
    progressed,
    warned,
  };
}

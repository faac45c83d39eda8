import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../src/model/kube-object.js";
import { changedFields, comparable, projectOnto } from "../../../src/plan/compare-objects.js";

/** A Deployment as the API server returns it: defaulted fields, server-managed metadata and a status. */
function served(image: string, extra: { resourceVersion?: string; containers?: unknown[] } = {}): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: "ml-pipeline",
      namespace: "kubeflow",
      uid: "0b6e",
      resourceVersion: extra.resourceVersion ?? "100",
      generation: 3,
      creationTimestamp: "2026-12-01T10:00:00Z",
      managedFields: [{ manager: "kfp-upgrade", operation: "Apply", time: "2026-12-01T10:00:00Z" }],
      labels: { app: "ml-pipeline" },
    },
    spec: {
      replicas: 1,
      progressDeadlineSeconds: 600,
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
      template: {
        spec: {
          containers: extra.containers ?? [
            {
              name: "api-server",
              image,
              imagePullPolicy: "IfNotPresent",
              terminationMessagePath: "/dev/termination-log",
            },
            { name: "sidecar", image: "proxy:1", ports: [{ containerPort: 8888, protocol: "TCP" }] },
          ],
        },
      },
    },
    status: { replicas: 1, readyReplicas: 1, observedGeneration: 3 },
  };
}

describe("changedFields over comparable objects", () => {
  it.each([
    {
      name: "server-managed fields and status are ignored",
      before: served("api:2.5.0"),
      after: {
        ...served("api:2.5.0", { resourceVersion: "101" }),
        metadata: {
          ...served("api:2.5.0").metadata,
          resourceVersion: "101",
          generation: 4,
          managedFields: [{ manager: "kfp-upgrade", operation: "Apply", time: "2026-12-03T10:00:00Z" }],
        },
        status: { replicas: 2 },
      },
      fields: [],
    },
    {
      name: "a changed image is named by the container's name",
      before: served("api:2.5.0"),
      after: served("api:2.14.4"),
      fields: ["spec.template.spec.containers[name=api-server].image"],
    },
    {
      name: "named list items in another order are the same list",
      before: served("api:2.5.0"),
      after: served("api:2.5.0", {
        containers: [
          { name: "sidecar", image: "proxy:1", ports: [{ containerPort: 8888, protocol: "TCP" }] },
          {
            name: "api-server",
            image: "api:2.5.0",
            imagePullPolicy: "IfNotPresent",
            terminationMessagePath: "/dev/termination-log",
          },
        ],
      }),
      fields: [],
    },
    {
      name: "an added and a removed container are named",
      before: served("api:2.5.0"),
      after: served("api:2.5.0", {
        containers: [
          {
            name: "api-server",
            image: "api:2.5.0",
            imagePullPolicy: "IfNotPresent",
            terminationMessagePath: "/dev/termination-log",
          },
          { name: "cache", image: "redis:7" },
        ],
      }),
      fields: ["spec.template.spec.containers[name=cache]", "spec.template.spec.containers[name=sidecar]"],
    },
    {
      name: "defaulted fields both sides carry are not changes; a defaulted field that differs is",
      before: served("api:2.5.0"),
      after: {
        ...served("api:2.5.0"),
        spec: { ...(served("api:2.5.0").spec as object), progressDeadlineSeconds: 900 },
      },
      fields: ["spec.progressDeadlineSeconds"],
    },
    {
      name: "unnamed lists compare item by item, or whole when their lengths differ",
      before: {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "s" },
        spec: { ports: [{ port: 80 }], ipFamilies: ["IPv4"] },
      },
      after: {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "s" },
        spec: { ports: [{ port: 81 }], ipFamilies: ["IPv4", "IPv6"] },
      },
      fields: ["spec.ipFamilies", "spec.ports[0].port"],
    },
    {
      name: "annotation keys with dots and slashes are quoted",
      before: {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "c", annotations: { "kubeflow.org/x": "1" } },
      },
      after: {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "c", annotations: { "kubeflow.org/x": "2" } },
      },
      fields: ['metadata.annotations["kubeflow.org/x"]'],
    },
  ])("$name", ({ before, after, fields }) => {
    expect(changedFields(comparable(before as KubeObject), comparable(after as KubeObject))).toEqual(fields);
  });
});

describe("projectOnto", () => {
  it("cuts a live object down to what a manifest sets, so the server's defaults are not changes", () => {
    const manifest = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "ml-pipeline", namespace: "kubeflow", labels: { app: "ml-pipeline" } },
      spec: { template: { spec: { containers: [{ name: "api-server", image: "api:2.5.0" }] } } },
    };
    const live = comparable(served("api:2.5.0"));
    expect(changedFields(projectOnto(live, manifest), manifest)).toEqual([]);
    expect(changedFields(projectOnto(live, manifest), { ...manifest, spec: { replicas: 2 } })).toEqual([
      "spec.replicas",
      "spec.template",
    ]);
  });
});

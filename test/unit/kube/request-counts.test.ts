import { describe, expect, it } from "vitest";
import { recordRequest, requestCounts, resourceOfPath } from "../../../src/kube/request-counts.js";

describe("resourceOfPath", () => {
  it.each([
    { path: "/api", resource: "discovery" },
    { path: "/apis/apps/v1", resource: "discovery" },
    { path: "/api/v1/namespaces/kubeflow", resource: "namespaces" },
    { path: "/api/v1/namespaces/kubeflow/pods", resource: "pods" },
    { path: "/apis/apps/v1/namespaces/kubeflow/deployments/ml-pipeline", resource: "deployments" },
    {
      path: "/apis/apps/v1/namespaces/kubeflow/deployments/ml-pipeline/scale",
      resource: "deployments/scale",
    },
    { path: "/api/v1/persistentvolumes/pv-1", resource: "persistentvolumes" },
    { path: "/apis/coordination.k8s.io/v1/namespaces/k/leases/kfp-upgrade", resource: "leases" },
    {
      path: "/api/v1/namespaces/k/services/ml-pipeline:8888/proxy/apis/v2beta1/runs",
      resource: "services/proxy",
    },
    { path: "/version", resource: "/version" },
  ])("$path -> $resource", ({ path, resource }) => {
    expect(resourceOfPath(path)).toBe(resource);
  });
});

describe("recordRequest", () => {
  it("counts requests by method and resource", () => {
    const before = requestCounts();
    recordRequest("PATCH", "/apis/apps/v1/namespaces/k/deployments/a");
    recordRequest("PATCH", "/apis/apps/v1/namespaces/k/deployments/b");
    recordRequest("WATCH", "/api/v1/namespaces/k/pods");
    const after = requestCounts();
    expect(after.total - before.total).toBe(3);
    expect((after.byRoute["PATCH deployments"] ?? 0) - (before.byRoute["PATCH deployments"] ?? 0)).toBe(2);
    expect((after.byRoute["WATCH pods"] ?? 0) - (before.byRoute["WATCH pods"] ?? 0)).toBe(1);
  });
});

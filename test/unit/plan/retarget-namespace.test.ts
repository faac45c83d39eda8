import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../src/model/kube-object.js";
import { bundleNamespace, retargetNamespace } from "../../../src/plan/retarget-namespace.js";
import { sharedRelease } from "../../support/manifests.js";

function configMap(data: Record<string, string>): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "kubeflow" }, data };
}

function retargetedData(data: Record<string, string>): unknown {
  const [object] = retargetNamespace([configMap(data)], "kubeflow", "team-a");
  return object?.data;
}

describe("retargetNamespace: strings", () => {
  const cases = [
    {
      name: "an in-cluster host:port",
      before: "minio-service.kubeflow:9000",
      after: "minio-service.team-a:9000",
    },
    { name: "a .svc name", before: "ml-pipeline.kubeflow.svc", after: "ml-pipeline.team-a.svc" },
    {
      name: "a fully qualified URL",
      before: "http://ml-pipeline.kubeflow.svc.cluster.local:8888/apis",
      after: "http://ml-pipeline.team-a.svc.cluster.local:8888/apis",
    },
    {
      name: "a bare service.namespace",
      before: "metadata-grpc-service.kubeflow",
      after: "metadata-grpc-service.team-a",
    },
    {
      name: "several names in one config text",
      before: 'endpoint: "seaweedfs.kubeflow.svc:9000"\nhost: minio-service.kubeflow:9000, other',
      after: 'endpoint: "seaweedfs.team-a.svc:9000"\nhost: minio-service.team-a:9000, other',
    },
    {
      name: "Argo's namespace inside the config text of KFP ≤1.4.1",
      before: "{\nnamespace: kubeflow,\nexecutorImage: gcr.io/ml-pipeline/argoexec:v2.7.5\n}",
      after: "{\nnamespace: team-a,\nexecutorImage: gcr.io/ml-pipeline/argoexec:v2.7.5\n}",
    },
    {
      name: "the kubeflow.org API group stays",
      before: "scheduledworkflows.kubeflow.org",
      after: "scheduledworkflows.kubeflow.org",
    },
    { name: "a label value stays", before: "kubeflow-pipelines", after: "kubeflow-pipelines" },
    {
      name: "an image stays",
      before: "ghcr.io/kubeflow/kfp-api-server:2.5.0",
      after: "ghcr.io/kubeflow/kfp-api-server:2.5.0",
    },
    { name: "a longer namespace name stays", before: "svc.kubeflow-user:80", after: "svc.kubeflow-user:80" },
    { name: "a bare word stays", before: "kubeflow", after: "kubeflow" },
    { name: "another key's value stays", before: "user: kubeflow, x", after: "user: kubeflow, x" },
  ];
  it.each(cases)("$name", ({ before, after }) => {
    expect(retargetedData({ value: before })).toEqual({ value: after });
  });
});

describe("retargetNamespace: objects", () => {
  it("moves metadata.namespace and leaves cluster-scoped objects' metadata alone", () => {
    const objects: KubeObject[] = [
      { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "ml-pipeline", namespace: "kubeflow" } },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRole",
        metadata: { name: "kubeflow-pipelines-cache-deployer-clusterrole" },
        rules: [{ apiGroups: ["kubeflow.org"], resources: ["scheduledworkflows"], verbs: ["get"] }],
      },
    ];
    expect(retargetNamespace(objects, "kubeflow", "team-a")).toEqual([
      { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "ml-pipeline", namespace: "team-a" } },
      objects[1],
    ]);
  });

  it("renames the Namespace object and rewrites binding subjects", () => {
    const objects: KubeObject[] = [
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "kubeflow" } },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRoleBinding",
        metadata: { name: "kubeflow-pipelines-cache-deployer-clusterrolebinding" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "x" },
        subjects: [
          { kind: "ServiceAccount", name: "kubeflow-pipelines-cache-deployer-sa", namespace: "kubeflow" },
          { kind: "ServiceAccount", name: "someone-else", namespace: "default" },
        ],
      },
    ];
    const [namespace, binding] = retargetNamespace(objects, "kubeflow", "team-a");
    expect(namespace?.metadata.name).toBe("team-a");
    expect(binding?.subjects).toEqual([
      { kind: "ServiceAccount", name: "kubeflow-pipelines-cache-deployer-sa", namespace: "team-a" },
      { kind: "ServiceAccount", name: "someone-else", namespace: "default" },
    ]);
  });

  it("rewrites webhook service references", () => {
    const webhook: KubeObject = {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "MutatingWebhookConfiguration",
      metadata: { name: "cache-webhook-kubeflow" },
      webhooks: [
        {
          name: "cache-server.kubeflow.svc",
          clientConfig: { service: { name: "cache-server", namespace: "kubeflow" } },
        },
      ],
    };
    const [moved] = retargetNamespace([webhook], "kubeflow", "team-a");
    expect(moved?.webhooks).toEqual([
      {
        name: "cache-server.team-a.svc",
        clientConfig: { service: { name: "cache-server", namespace: "team-a" } },
      },
    ]);
    // The name is metadata, not a DNS reference: left as it is.
    expect(moved?.metadata.name).toBe("cache-webhook-kubeflow");
  });

  it("returns the very same objects when the namespace does not change", () => {
    const objects: KubeObject[] = [configMap({ a: "minio-service.kubeflow:9000" })];
    expect(retargetNamespace(objects, "kubeflow", "kubeflow")).toBe(objects);
  });

  it("does not change the objects it was given", () => {
    const objects = [configMap({ a: "minio-service.kubeflow:9000" })];
    const before = structuredClone(objects);
    retargetNamespace(objects, "kubeflow", "team-a");
    expect(objects).toEqual(before);
  });

  const bundles = [{ name: "1.4.1" }, { name: "2.5.0" }, { name: "2.17.0" }];
  it.each(bundles)(
    "leaves no reference to kubeflow in the real $name bundle but the API groups",
    async ({ name }) => {
      const release = await sharedRelease(name);
      const moved = retargetNamespace(release.objects, "kubeflow", "team-a");
      const text = JSON.stringify(moved);
      expect(text).not.toMatch(/"namespace":"kubeflow"/);
      expect(text).not.toMatch(/[a-z0-9-]\.kubeflow(:|\.svc|\\")/);
      expect(text).not.toMatch(/namespace: kubeflow/);
      const groups = (json: string) => json.match(/kubeflow\.org/g)?.length ?? 0;
      expect(groups(text)).toBe(groups(JSON.stringify(release.objects)));
      expect(moved.filter((o) => o.metadata.namespace === "team-a")).toHaveLength(
        release.objects.filter((o) => o.metadata.namespace === "kubeflow").length,
      );
    },
  );
});

describe("bundleNamespace", () => {
  const cases: { name: string; objects: KubeObject[]; namespace: string }[] = [
    {
      name: "the Namespace object's name",
      objects: [
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a", namespace: "other" } },
        { apiVersion: "v1", kind: "Namespace", metadata: { name: "kubeflow" } },
      ],
      namespace: "kubeflow",
    },
    {
      name: "else the most common namespace",
      objects: [
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a", namespace: "x" } },
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "b", namespace: "y" } },
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "y" } },
      ],
      namespace: "y",
    },
    { name: "else kubeflow", objects: [], namespace: "kubeflow" },
  ];
  it.each(cases)("$name", ({ objects, namespace }) => {
    expect(bundleNamespace(objects)).toBe(namespace);
  });
});

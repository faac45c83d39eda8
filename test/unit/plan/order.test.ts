import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../src/model/kube-object.js";
import { applyGroupOf, GROUP_ORDER, groupObjects, PROTECTED_KINDS } from "../../../src/plan/order.js";
import { sharedRelease } from "../../support/manifests.js";

const object = (kind: string, apiVersion = "v1"): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name: kind.toLowerCase() },
});

describe("apply order", () => {
  const cases = [
    { name: "Namespace first", kind: "Namespace", group: "namespace" },
    { name: "CRDs", kind: "CustomResourceDefinition", group: "crds" },
    { name: "cluster RBAC", kind: "ClusterRoleBinding", group: "cluster" },
    { name: "PriorityClass is cluster-scoped", kind: "PriorityClass", group: "cluster" },
    { name: "namespaced RBAC", kind: "RoleBinding", group: "rbac" },
    { name: "Secrets", kind: "Secret", group: "secrets" },
    { name: "ConfigMaps", kind: "ConfigMap", group: "config" },
    { name: "claims", kind: "PersistentVolumeClaim", group: "storage" },
    { name: "NetworkPolicies with Services", kind: "NetworkPolicy", group: "services" },
    { name: "Deployments", kind: "Deployment", group: "workloads" },
    { name: "custom resources last", kind: "Application", group: "other" },
  ];
  it.each(cases)("$name", ({ kind, group }) => {
    expect(applyGroupOf(object(kind))).toBe(group);
  });

  it("groups run in dependency order", () => {
    expect(GROUP_ORDER).toEqual([
      "namespace",
      "crds",
      "cluster",
      "rbac",
      "secrets",
      "config",
      "storage",
      "services",
      "workloads",
      "other",
    ]);
  });

  it("groups every object of a real bundle, keeping file order within a group", async () => {
    const release = await sharedRelease("2.5.0");
    const groups = groupObjects(release.objects);
    expect([...groups.values()].flat()).toHaveLength(release.objects.length);
    const deployments = release.objects.filter((o) => o.kind === "Deployment");
    expect(groups.get("workloads")).toEqual(deployments);
  });

  it("protects the kinds that hold data or credentials", () => {
    expect([...PROTECTED_KINDS].sort()).toEqual([
      "Namespace",
      "PersistentVolume",
      "PersistentVolumeClaim",
      "Secret",
    ]);
  });
});

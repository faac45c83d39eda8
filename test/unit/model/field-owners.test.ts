import { describe, expect, it } from "vitest";
import {
  adoptableManagers,
  type FieldManager,
  installerOf,
  installersOf,
  isAdoptable,
  ownershipOf,
} from "../../../src/model/field-owners.js";
import type { KubeObject } from "../../../src/model/kube-object.js";

const entry = (manager: string, operation = "Update", subresource: string | null = null): FieldManager => ({
  manager,
  operation,
  apiVersion: "apps/v1",
  subresource,
});

describe("installerOf", () => {
  const cases = [
    {
      name: "client-side apply",
      manager: "kubectl-client-side-apply",
      operation: "Update",
      installer: "kubectl (client-side apply)",
    },
    {
      name: "server-side apply",
      manager: "kubectl",
      operation: "Apply",
      installer: "kubectl (server-side apply)",
    },
    { name: "kubectl update (old kubectl)", manager: "kubectl", operation: "Update", installer: "kubectl" },
    { name: "kubectl create", manager: "kubectl-create", operation: "Update", installer: "kubectl" },
    { name: "kubectl edit", manager: "kubectl-edit", operation: "Update", installer: "kubectl" },
    { name: "kubectl patch", manager: "kubectl-patch", operation: "Update", installer: "kubectl" },
    { name: "kubectl replace", manager: "kubectl-replace", operation: "Update", installer: "kubectl" },
    { name: "kubectl set", manager: "kubectl-set", operation: "Update", installer: "kubectl" },
    { name: "kubectl label", manager: "kubectl-label", operation: "Update", installer: "kubectl" },
    { name: "kubectl annotate", manager: "kubectl-annotate", operation: "Update", installer: "kubectl" },
    { name: "Helm", manager: "helm", operation: "Update", installer: "Helm" },
    { name: "Argo CD", manager: "argocd-controller", operation: "Apply", installer: "Argo CD" },
    {
      name: "Argo CD (older)",
      manager: "argocd-application-controller",
      operation: "Update",
      installer: "Argo CD",
    },
    {
      name: "Flux kustomize-controller",
      manager: "kustomize-controller",
      operation: "Apply",
      installer: "Flux",
    },
    { name: "Flux helm-controller", manager: "helm-controller", operation: "Update", installer: "Flux" },
    { name: "kpt", manager: "kpt", operation: "Apply", installer: "kpt" },
    { name: "kapp", manager: "kapp", operation: "Update", installer: "kapp" },
    { name: "ourselves", manager: "kfp-upgrade", operation: "Apply", installer: "kfp-upgrade" },
    { name: "anything else", manager: "my-operator", operation: "Update", installer: "my-operator" },
  ];
  it.each(cases)("$name", ({ manager, operation, installer }) => {
    expect(installerOf({ manager, operation })).toBe(installer);
  });
});

describe("isAdoptable", () => {
  const cases = [
    { name: "kubectl client-side apply", entry: entry("kubectl-client-side-apply"), adoptable: true },
    { name: "Helm", entry: entry("helm"), adoptable: true },
    { name: "an unknown applier", entry: entry("my-operator", "Apply"), adoptable: true },
    { name: "kfp-upgrade itself", entry: entry("kfp-upgrade", "Apply"), adoptable: false },
    { name: "a status writer", entry: entry("my-operator", "Update", "status"), adoptable: false },
    { name: "a scale writer", entry: entry("kubectl-scale", "Update", "scale"), adoptable: false },
    { name: "kube-controller-manager", entry: entry("kube-controller-manager"), adoptable: false },
    { name: "kube-scheduler", entry: entry("kube-scheduler"), adoptable: false },
    { name: "kube-apiserver", entry: entry("kube-apiserver"), adoptable: false },
    { name: "kubelet", entry: entry("kubelet"), adoptable: false },
    { name: "cloud-controller-manager", entry: entry("cloud-controller-manager"), adoptable: false },
  ];
  it.each(cases)("$name", ({ entry: e, adoptable }) => {
    expect(isAdoptable(e)).toBe(adoptable);
  });
});

function object(metadata: Partial<KubeObject["metadata"]> & Record<string, unknown>): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "ml-pipeline", namespace: "kubeflow", ...metadata },
  };
}

describe("ownershipOf", () => {
  const cases = [
    {
      name: "kubectl apply (client-side): managers and last-applied",
      object: object({
        annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}" },
        managedFields: [
          {
            manager: "kubectl-client-side-apply",
            operation: "Update",
            apiVersion: "apps/v1",
            fieldsType: "FieldsV1",
          },
          {
            manager: "kube-controller-manager",
            operation: "Update",
            apiVersion: "apps/v1",
            subresource: "status",
          },
        ],
      }),
      expected: {
        managers: [
          {
            manager: "kubectl-client-side-apply",
            operation: "Update",
            apiVersion: "apps/v1",
            subresource: null,
          },
          {
            manager: "kube-controller-manager",
            operation: "Update",
            apiVersion: "apps/v1",
            subresource: "status",
          },
        ],
        lastApplied: true,
        helmRelease: null,
        argoCdApp: null,
        flux: null,
      },
      adoptable: ["kubectl-client-side-apply"],
      installers: ["kubectl (client-side apply)"],
    },
    {
      name: "a Helm release's object",
      object: object({
        labels: { "app.kubernetes.io/managed-by": "Helm" },
        annotations: { "meta.helm.sh/release-name": "kfp", "meta.helm.sh/release-namespace": "ops" },
        managedFields: [{ manager: "helm", operation: "Update", apiVersion: "apps/v1" }],
      }),
      expected: {
        managers: [{ manager: "helm", operation: "Update", apiVersion: "apps/v1", subresource: null }],
        lastApplied: false,
        helmRelease: { name: "kfp", namespace: "ops" },
        argoCdApp: null,
        flux: null,
      },
      adoptable: ["helm"],
      installers: ["Helm"],
    },
    {
      name: "Helm's release name without its namespace: the object's",
      object: object({ annotations: { "meta.helm.sh/release-name": "kfp" } }),
      expected: {
        managers: [],
        lastApplied: false,
        helmRelease: { name: "kfp", namespace: "kubeflow" },
        argoCdApp: null,
        flux: null,
      },
      adoptable: [],
      installers: ["Helm"],
    },
    {
      name: "an Argo CD Application's (instance label)",
      object: object({ labels: { "argocd.argoproj.io/instance": "kfp-app" } }),
      expected: { managers: [], lastApplied: false, helmRelease: null, argoCdApp: "kfp-app", flux: null },
      adoptable: [],
      installers: ["Argo CD"],
    },
    {
      name: "an Argo CD Application's (tracking-id annotation)",
      object: object({
        annotations: { "argocd.argoproj.io/tracking-id": "pipelines:apps/Deployment:kubeflow/ml-pipeline" },
        managedFields: [{ manager: "argocd-controller", operation: "Apply", apiVersion: "apps/v1" }],
      }),
      expected: {
        managers: [
          { manager: "argocd-controller", operation: "Apply", apiVersion: "apps/v1", subresource: null },
        ],
        lastApplied: false,
        helmRelease: null,
        argoCdApp: "pipelines",
        flux: null,
      },
      adoptable: ["argocd-controller"],
      installers: ["Argo CD"],
    },
    {
      name: "a Flux Kustomization's",
      object: object({
        labels: {
          "kustomize.toolkit.fluxcd.io/name": "kfp",
          "kustomize.toolkit.fluxcd.io/namespace": "flux-system",
        },
      }),
      expected: {
        managers: [],
        lastApplied: false,
        helmRelease: null,
        argoCdApp: null,
        flux: { kind: "Kustomization", name: "kfp", namespace: "flux-system" },
      },
      adoptable: [],
      installers: ["Flux"],
    },
    {
      name: "a Flux HelmRelease's",
      object: object({
        labels: { "helm.toolkit.fluxcd.io/name": "kfp", "helm.toolkit.fluxcd.io/namespace": "apps" },
      }),
      expected: {
        managers: [],
        lastApplied: false,
        helmRelease: null,
        argoCdApp: null,
        flux: { kind: "HelmRelease", name: "kfp", namespace: "apps" },
      },
      adoptable: [],
      installers: ["Flux"],
    },
    {
      name: "kfp-upgrade's own, with kubectl scale on the side",
      object: object({
        managedFields: [
          { manager: "kfp-upgrade", operation: "Apply", apiVersion: "apps/v1" },
          { manager: "kubectl", operation: "Update", apiVersion: "apps/v1", subresource: "scale" },
          { manager: "kubectl-edit", operation: "Update", apiVersion: "apps/v1" },
          { manager: "kubectl-patch", operation: "Update", apiVersion: "apps/v1" },
        ],
      }),
      expected: {
        managers: [
          { manager: "kfp-upgrade", operation: "Apply", apiVersion: "apps/v1", subresource: null },
          { manager: "kubectl", operation: "Update", apiVersion: "apps/v1", subresource: "scale" },
          { manager: "kubectl-edit", operation: "Update", apiVersion: "apps/v1", subresource: null },
          { manager: "kubectl-patch", operation: "Update", apiVersion: "apps/v1", subresource: null },
        ],
        lastApplied: false,
        helmRelease: null,
        argoCdApp: null,
        flux: null,
      },
      adoptable: ["kubectl-edit", "kubectl-patch"],
      installers: ["kfp-upgrade", "kubectl"],
    },
    {
      name: "malformed managedFields degrade to none",
      object: object({ managedFields: [null, { operation: "Update" }, "x"] }),
      expected: { managers: [], lastApplied: false, helmRelease: null, argoCdApp: null, flux: null },
      adoptable: [],
      installers: [],
    },
  ];
  it.each(cases)("$name", ({ object: o, expected, adoptable, installers }) => {
    const ownership = ownershipOf(o);
    expect(ownership).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      name: "ml-pipeline",
      namespace: "kubeflow",
      ...expected,
    });
    expect(adoptableManagers(ownership)).toEqual(adoptable);
    expect(installersOf(ownership)).toEqual(installers);
  });

  it("reads a cluster-scoped object with no namespace", () => {
    const ownership = ownershipOf({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: "x" },
    });
    expect(ownership.namespace).toBeNull();
  });
});

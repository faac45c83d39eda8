import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../src/model/kube-object.js";
import { convertApiVersions } from "../../../src/plan/convert-api-versions.js";
import { sharedRelease } from "../../support/manifests.js";

/** What a cluster since Kubernetes 1.22 serves: no apiextensions v1beta1, no apps/v1beta*. */
const MODERN = ["v1", "apps/v1", "apiextensions.k8s.io/v1", "rbac.authorization.k8s.io/v1"];

function v1beta1Crd(spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: "apiextensions.k8s.io/v1beta1",
    kind: "CustomResourceDefinition",
    metadata: { name: "workflows.argoproj.io" },
    spec: {
      group: "argoproj.io",
      names: { kind: "Workflow", plural: "workflows", shortNames: ["wf"] },
      scope: "Namespaced",
      ...spec,
    },
  };
}

/** The one object of a result (a test that expects one fails here if there is none). */
function only(objects: KubeObject[]): KubeObject {
  expect(objects).toHaveLength(1);
  return objects[0] as KubeObject;
}

function v1beta2Deployment(spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: "apps/v1beta2",
    kind: "Deployment",
    metadata: { name: "ml-pipeline", namespace: "kubeflow" },
    spec: {
      template: {
        metadata: { labels: { app: "ml-pipeline", "application-crd-id": "kubeflow-pipelines" } },
        spec: {
          containers: [{ name: "ml-pipeline-api-server", image: "gcr.io/ml-pipeline/api-server:0.1.12" }],
        },
      },
      ...spec,
    },
  };
}

describe("convertApiVersions: CRDs apiextensions.k8s.io/v1beta1 -> v1", () => {
  it("carries the top-level schema, printer columns and subresources into the version, made structural", () => {
    const crd = v1beta1Crd({
      version: "v1alpha1",
      validation: {
        openAPIV3Schema: {
          properties: {
            spec: { properties: { replicas: { type: "integer" }, template: {} } },
            status: { type: "object" },
          },
        },
      },
      additionalPrinterColumns: [
        { JSONPath: ".status.phase", description: "Status of the workflow", name: "Status", type: "string" },
      ],
      subresources: { status: {} },
    });
    const result = convertApiVersions([crd], MODERN);
    expect(result.refusals).toEqual([]);
    expect(result.conversions).toEqual([
      "customresourcedefinition/workflows.argoproj.io: apiextensions.k8s.io/v1beta1 -> v1 (schema, printer columns, subresources kept)",
    ]);
    expect(result.objects).toEqual([
      {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name: "workflows.argoproj.io" },
        spec: {
          group: "argoproj.io",
          names: { kind: "Workflow", plural: "workflows", shortNames: ["wf"] },
          scope: "Namespaced",
          versions: [
            {
              name: "v1alpha1",
              served: true,
              storage: true,
              schema: {
                openAPIV3Schema: {
                  type: "object",
                  // v1beta1 kept unknown fields unless told otherwise; v1 prunes them, so the old behaviour is explicit.
                  "x-kubernetes-preserve-unknown-fields": true,
                  properties: {
                    spec: {
                      type: "object",
                      properties: {
                        replicas: { type: "integer" },
                        template: { "x-kubernetes-preserve-unknown-fields": true },
                      },
                    },
                    status: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
                  },
                },
              },
              additionalPrinterColumns: [
                {
                  jsonPath: ".status.phase",
                  description: "Status of the workflow",
                  name: "Status",
                  type: "string",
                },
              ],
              subresources: { status: {} },
            },
          ],
        },
      },
    ]);
  });

  it("keeps a versions list, per-version schemas, and picks a storage version when none is marked", () => {
    const crd = v1beta1Crd({
      versions: [
        {
          name: "v1alpha1",
          served: true,
          schema: { openAPIV3Schema: { type: "object", properties: { a: { type: "string" } } } },
        },
        { name: "v1beta1", served: false },
      ],
      preserveUnknownFields: false,
    });
    const converted = only(convertApiVersions([crd], MODERN).objects);
    expect((converted.spec as { versions: unknown }).versions).toEqual([
      {
        name: "v1alpha1",
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: "object", properties: { a: { type: "string" } } } },
      },
      {
        name: "v1beta1",
        served: false,
        storage: false,
        schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
      },
    ]);
  });

  it("says no more about the root metadata than v1 allows: an object, constraints on name and generateName", () => {
    const crd = v1beta1Crd({
      version: "v1alpha1",
      validation: {
        openAPIV3Schema: {
          properties: {
            metadata: { type: "object" },
            spec: { type: "object" },
          },
        },
      },
    });
    const withName = v1beta1Crd({
      version: "v1alpha1",
      validation: {
        openAPIV3Schema: {
          properties: {
            metadata: {
              properties: { name: { type: "string", maxLength: 63 }, labels: { type: "object" } },
            },
          },
        },
      },
    });
    const schemaOf = (object: KubeObject) =>
      (
        only(convertApiVersions([object], MODERN).objects).spec as {
          versions: { schema: { openAPIV3Schema: { properties: Record<string, unknown> } } }[];
        }
      ).versions[0]?.schema.openAPIV3Schema.properties;
    expect(schemaOf(crd)).toEqual({
      metadata: { type: "object" },
      spec: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
    });
    expect(schemaOf(withName)?.metadata).toEqual({
      type: "object",
      properties: { name: { type: "string", maxLength: 63 } },
    });
  });

  const groups = [
    { group: "app.k8s.io", annotated: true },
    { group: "k8s.io", annotated: true },
    { group: "storage.kubernetes.io", annotated: true },
    { group: "kubeflow.org", annotated: false },
    { group: "notk8s.io", annotated: false },
  ];
  it.each(groups)(
    "a CRD in $group gets the api-approved annotation v1 requires of Kubernetes-owned groups: $annotated",
    ({ group, annotated }) => {
      const converted = only(convertApiVersions([v1beta1Crd({ version: "v1beta1", group })], MODERN).objects);
      expect(converted.metadata.annotations?.["api-approved.kubernetes.io"]).toBe(
        annotated ? "unapproved, converted from apiextensions.k8s.io/v1beta1 by kfp-upgrade" : undefined,
      );
    },
  );

  it("keeps an api-approved annotation the CRD already has", () => {
    const crd = v1beta1Crd({ version: "v1beta1", group: "app.k8s.io" });
    crd.metadata.annotations = {
      "api-approved.kubernetes.io": "https://github.com/kubernetes-sigs/application/pull/2",
    };
    const converted = only(convertApiVersions([crd], MODERN).objects);
    expect(converted.metadata.annotations).toEqual({
      "api-approved.kubernetes.io": "https://github.com/kubernetes-sigs/application/pull/2",
    });
  });

  it("defaults scope to Namespaced, as v1beta1 did", () => {
    const crd = v1beta1Crd({ version: "v1alpha1" });
    delete (crd.spec as Record<string, unknown>).scope;
    const converted = only(convertApiVersions([crd], MODERN).objects);
    expect((converted.spec as { scope: string }).scope).toBe("Namespaced");
  });

  const refused = [
    {
      name: "a conversion webhook",
      spec: {
        version: "v1alpha1",
        conversion: { strategy: "Webhook", webhookClientConfig: { url: "https://x" } },
      },
      refusal:
        'customresourcedefinition/workflows.argoproj.io: conversion strategy "Webhook" needs a webhook that v1 configures differently',
    },
    {
      name: "unknown spec fields",
      spec: { version: "v1alpha1", futureField: true, another: 1 },
      refusal: "customresourcedefinition/workflows.argoproj.io: unknown v1beta1 fields futureField, another",
    },
    {
      name: "a version without a name",
      spec: { versions: [{ served: true, storage: true }] },
      refusal: "customresourcedefinition/workflows.argoproj.io: a version has no name",
    },
  ];
  it.each(refused)("refuses $name rather than convert it unfaithfully", ({ spec, refusal }) => {
    const result = convertApiVersions([v1beta1Crd(spec)], MODERN);
    expect(result).toEqual({ objects: [], conversions: [], refusals: [refusal] });
  });

  it("accepts conversion strategy None", () => {
    const result = convertApiVersions(
      [v1beta1Crd({ version: "v1", conversion: { strategy: "None" } })],
      MODERN,
    );
    expect(result.refusals).toEqual([]);
  });

  const bundles = [
    { name: "0.5.1", version: "0.5.1", crds: 4 },
    { name: "1.0.4", version: "1.0.4", crds: 7 },
    { name: "1.4.1", version: "1.4.1", crds: 7 },
  ];
  it.each(bundles)(
    "converts every CRD of the real $name bundle, and its Application is kept",
    async ({ version, crds }) => {
      const release = await sharedRelease(version);
      const result = convertApiVersions(release.objects, MODERN);
      expect(result.refusals).toEqual([]);
      expect(result.conversions).toHaveLength(crds);
      const converted = result.objects.filter((o) => o.kind === "CustomResourceDefinition");
      expect(converted).toHaveLength(crds);
      for (const crd of converted) {
        expect(crd.apiVersion).toBe("apiextensions.k8s.io/v1");
        const versions = (
          crd.spec as { versions: { storage: boolean; schema: { openAPIV3Schema: { type: string } } }[] }
        ).versions;
        expect(versions.filter((v) => v.storage)).toHaveLength(1);
        for (const v of versions) expect(v.schema.openAPIV3Schema.type).toBe("object");
      }
      // The bundle's own CRD serves app.k8s.io/v1beta1 once Established, so the Application is not refused.
      expect(result.objects.filter((o) => o.kind === "Application").map((o) => o.apiVersion)).toEqual([
        "app.k8s.io/v1beta1",
      ]);
      expect(result.objects).toHaveLength(release.objects.length);
    },
  );
});

describe("convertApiVersions: workloads apps/v1beta* -> apps/v1", () => {
  it("makes the selector explicit from the template labels, as apps/v1beta2 defaulted it", () => {
    const result = convertApiVersions([v1beta2Deployment({ replicas: 1 })], MODERN);
    expect(result.refusals).toEqual([]);
    expect(result.conversions).toEqual([
      "deployment/ml-pipeline -n kubeflow: apps/v1beta2 -> apps/v1 (selector made explicit)",
    ]);
    const converted = only(result.objects);
    expect(converted.apiVersion).toBe("apps/v1");
    expect((converted.spec as { selector: unknown }).selector).toEqual({
      matchLabels: { app: "ml-pipeline", "application-crd-id": "kubeflow-pipelines" },
    });
    expect((converted.spec as { replicas: number }).replicas).toBe(1);
  });

  it("keeps a selector that was given", () => {
    const selector = { matchLabels: { app: "ml-pipeline" } };
    const converted = only(convertApiVersions([v1beta2Deployment({ selector })], MODERN).objects);
    expect((converted.spec as { selector: unknown }).selector).toEqual(selector);
  });

  const kinds = [
    { name: "extensions/v1beta1 Deployment", apiVersion: "extensions/v1beta1", kind: "Deployment" },
    { name: "apps/v1beta1 StatefulSet", apiVersion: "apps/v1beta1", kind: "StatefulSet" },
    { name: "apps/v1beta2 DaemonSet", apiVersion: "apps/v1beta2", kind: "DaemonSet" },
  ];
  it.each(kinds)("converts an $name", ({ apiVersion, kind }) => {
    const object = { ...v1beta2Deployment({}), apiVersion, kind };
    const result = convertApiVersions([object], MODERN);
    expect(result.objects.map((o) => o.apiVersion)).toEqual(["apps/v1"]);
  });

  it("does not change the object it was given", () => {
    const object = v1beta2Deployment({});
    const before = structuredClone(object);
    convertApiVersions([object], MODERN);
    expect(object).toEqual(before);
  });
});

describe("convertApiVersions: what is left alone or refused", () => {
  it("passes served objects through untouched", () => {
    const configMap: KubeObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" } };
    const result = convertApiVersions([configMap], MODERN);
    expect(result).toEqual({ objects: [configMap], conversions: [], refusals: [] });
    expect(result.objects[0]).toBe(configMap);
  });

  it("converts nothing on a cluster that still serves v1beta1", () => {
    const crd = v1beta1Crd({ version: "v1alpha1" });
    const result = convertApiVersions([crd], [...MODERN, "apiextensions.k8s.io/v1beta1"]);
    expect(result).toEqual({ objects: [crd], conversions: [], refusals: [] });
  });

  it("converts nothing without discovery (an empty served list)", () => {
    const crd = v1beta1Crd({ version: "v1alpha1" });
    expect(convertApiVersions([crd], [])).toEqual({ objects: [crd], conversions: [], refusals: [] });
  });

  const refused = [
    {
      name: "a kind with no conversion",
      object: {
        apiVersion: "extensions/v1beta1",
        kind: "Ingress",
        metadata: { name: "ui", namespace: "kubeflow" },
      },
      refusal:
        "ingress/ui -n kubeflow: extensions/v1beta1 is not served by this cluster and cannot be converted",
    },
    {
      name: "a custom resource whose CRD is neither served nor in the release",
      object: {
        apiVersion: "app.k8s.io/v1beta1",
        kind: "Application",
        metadata: { name: "pipeline", namespace: "kubeflow" },
      },
      refusal:
        "application/pipeline -n kubeflow: app.k8s.io/v1beta1 is not served by this cluster and cannot be converted",
    },
  ];
  it.each(refused)("refuses $name", ({ object, refusal }) => {
    expect(convertApiVersions([object], MODERN)).toEqual({
      objects: [],
      conversions: [],
      refusals: [refusal],
    });
  });

  it("refuses an apps/v1beta2 workload when the cluster serves no apps/v1 either", () => {
    const result = convertApiVersions([v1beta2Deployment({})], ["v1"]);
    expect(result.refusals).toEqual([
      "deployment/ml-pipeline -n kubeflow: apps/v1beta2 is not served by this cluster and cannot be converted",
    ]);
  });

  it("does not serve a CRD version marked served: false", () => {
    const crd: KubeObject = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "things.example.com" },
      spec: {
        group: "example.com",
        versions: [
          { name: "v1", served: true },
          { name: "v0", served: false },
        ],
      },
    };
    const thing = (version: string): KubeObject => ({
      apiVersion: `example.com/${version}`,
      kind: "Thing",
      metadata: { name: "t", namespace: "kubeflow" },
    });
    const result = convertApiVersions([crd, thing("v1"), thing("v0")], MODERN);
    expect(result.objects.map((o) => o.apiVersion)).toEqual(["apiextensions.k8s.io/v1", "example.com/v1"]);
    expect(result.refusals).toHaveLength(1);
  });
});

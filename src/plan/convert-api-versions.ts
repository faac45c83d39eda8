import type { KubeObject } from "../model/kube-object.js";
import { describeRef, refOf } from "../model/kube-object.js";

/**
 * Old KFP releases ship objects in API versions that current clusters no longer serve: CRDs in
 * `apiextensions.k8s.io/v1beta1` (removed in 1.22) and Deployments in `apps/v1beta1|v1beta2` or
 * `extensions/v1beta1` (removed in 1.16). Each is rewritten to the served version, faithfully or not at all.
 */
export interface ConversionResult {
  objects: KubeObject[];
  /** One line per converted object, for the plan. */
  conversions: string[];
  /** Objects that cannot be converted without changing what they mean; the plan is refused. */
  refusals: string[];
}

type Json = Record<string, unknown>;

const DEPLOYMENT_API_VERSIONS = new Set(["apps/v1beta1", "apps/v1beta2", "extensions/v1beta1"]);
const KNOWN_V1BETA1_CRD_SPEC_KEYS = new Set([
  "group",
  "names",
  "scope",
  "version",
  "versions",
  "validation",
  "subresources",
  "additionalPrinterColumns",
  "preserveUnknownFields",
  "conversion",
]);

export function convertApiVersions(
  objects: KubeObject[],
  servedApiVersions: readonly string[],
): ConversionResult {
  // A custom resource whose CRD comes in the same set is served once that CRD is Established (the plan waits for
  // it before applying the resource), even though discovery does not list its group version yet.
  const served = new Set(
    servedApiVersions.length === 0 ? [] : [...servedApiVersions, ...crdGroupVersions(objects)],
  );
  const result: ConversionResult = { objects: [], conversions: [], refusals: [] };
  for (const object of objects) {
    if (served.size === 0 || served.has(object.apiVersion)) {
      result.objects.push(object);
      continue;
    }
    const name = describeRef(refOf(object));
    if (object.kind === "CustomResourceDefinition" && object.apiVersion === "apiextensions.k8s.io/v1beta1") {
      const converted = convertCrd(object);
      if (typeof converted === "string") result.refusals.push(`${name}: ${converted}`);
      else {
        result.objects.push(converted);
        result.conversions.push(
          `${name}: apiextensions.k8s.io/v1beta1 -> v1 (schema, printer columns, subresources kept)`,
        );
      }
      continue;
    }
    if (
      ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"].includes(object.kind) &&
      DEPLOYMENT_API_VERSIONS.has(object.apiVersion) &&
      served.has("apps/v1")
    ) {
      result.objects.push(convertWorkload(object));
      result.conversions.push(`${name}: ${object.apiVersion} -> apps/v1 (selector made explicit)`);
      continue;
    }
    result.refusals.push(
      `${name}: ${object.apiVersion} is not served by this cluster and cannot be converted`,
    );
  }
  return result;
}

function crdGroupVersions(objects: KubeObject[]): string[] {
  return objects
    .filter((object) => object.kind === "CustomResourceDefinition")
    .flatMap((crd) => {
      const spec = (crd.spec ?? {}) as Json;
      const versions = (spec.versions as Json[] | undefined) ?? [{ name: spec.version, served: true }];
      return versions
        .filter((version) => typeof version.name === "string" && version.served !== false)
        .map((version) => `${String(spec.group)}/${String(version.name)}`);
    });
}

function convertWorkload(object: KubeObject): KubeObject {
  const spec = { ...((object.spec ?? {}) as Json) };
  const template = (spec.template ?? {}) as { metadata?: { labels?: Record<string, string> } };
  // apps/v1beta* defaulted the selector to the template labels; apps/v1 requires it explicitly.
  if (!spec.selector) spec.selector = { matchLabels: { ...(template.metadata?.labels ?? {}) } };
  return { ...object, apiVersion: "apps/v1", spec };
}

function convertCrd(object: KubeObject): KubeObject | string {
  const spec = (object.spec ?? {}) as Json;
  const unknown = Object.keys(spec).filter((key) => !KNOWN_V1BETA1_CRD_SPEC_KEYS.has(key));
  if (unknown.length > 0) return `unknown v1beta1 fields ${unknown.join(", ")}`;
  const conversion = spec.conversion as Json | undefined;
  if (conversion?.strategy && conversion.strategy !== "None") {
    return `conversion strategy "${String(conversion.strategy)}" needs a webhook that v1 configures differently`;
  }
  const topSchema = (spec.validation as Json | undefined)?.openAPIV3Schema as Json | undefined;
  const topColumns = spec.additionalPrinterColumns as Json[] | undefined;
  const topSubresources = spec.subresources as Json | undefined;
  // v1beta1 preserved unknown fields unless told otherwise; v1 prunes them, so keep the old behaviour explicitly.
  const preserveUnknown = spec.preserveUnknownFields !== false;
  const versionList = (spec.versions as Json[] | undefined) ?? [
    { name: spec.version as string, served: true, storage: true },
  ];
  if (versionList.some((version) => typeof version.name !== "string")) return "a version has no name";
  const versions = versionList.map((version) => {
    const schema = (version.schema as Json | undefined)?.openAPIV3Schema as Json | undefined;
    const columns = (version.additionalPrinterColumns as Json[] | undefined) ?? topColumns;
    const subresources = (version.subresources as Json | undefined) ?? topSubresources;
    const v1: Json = {
      name: version.name,
      served: version.served ?? true,
      storage: version.storage ?? false,
      schema: { openAPIV3Schema: structuralSchema(schema ?? topSchema, preserveUnknown) },
    };
    if (columns) v1.additionalPrinterColumns = columns.map(convertPrinterColumn);
    if (subresources) v1.subresources = subresources;
    return v1;
  });
  if (!versions.some((version) => version.storage === true) && versions[0]) versions[0].storage = true;
  const v1Spec: Json = { group: spec.group, names: spec.names, scope: spec.scope ?? "Namespaced", versions };
  const metadata = { ...object.metadata };
  // v1 (not v1beta1) refuses a CRD in a Kubernetes-owned group without this annotation (KEP 1111); a value
  // starting with "unapproved" is accepted and says what it is.
  if (isProtectedGroup(String(spec.group)) && !metadata.annotations?.[API_APPROVED]) {
    metadata.annotations = {
      ...metadata.annotations,
      [API_APPROVED]: "unapproved, converted from apiextensions.k8s.io/v1beta1 by kfp-upgrade",
    };
  }
  return { ...object, apiVersion: "apiextensions.k8s.io/v1", metadata, spec: v1Spec };
}

const API_APPROVED = "api-approved.kubernetes.io";

function isProtectedGroup(group: string): boolean {
  return ["k8s.io", "kubernetes.io"].some((domain) => group === domain || group.endsWith(`.${domain}`));
}

function convertPrinterColumn(column: Json): Json {
  const { JSONPath, ...rest } = column;
  return { ...rest, jsonPath: JSONPath ?? rest.jsonPath };
}

/**
 * v1 requires structural schemas: every node with properties has a type. Nodes without a type get
 * `type: object` when they have properties, or preserve unknown fields when they have nothing.
 */
function structuralSchema(schema: Json | undefined, preserveUnknownAtRoot: boolean): Json {
  const root = fixNode(schema ?? {});
  if (root.type === undefined) root.type = "object";
  const properties = root.properties as Record<string, Json> | undefined;
  if (properties?.metadata) root.properties = { ...properties, metadata: rootMetadata(properties.metadata) };
  if (preserveUnknownAtRoot) root["x-kubernetes-preserve-unknown-fields"] = true;
  return root;
}

/**
 * v1 lets a schema say no more about the object's own metadata than that it is an object with constraints on name
 * and generateName (the API server validates the rest); preserve-unknown-fields there is refused.
 */
function rootMetadata(node: Json): Json {
  const properties = Object.entries((node.properties ?? {}) as Record<string, Json>).filter(
    ([key]) => key === "name" || key === "generateName",
  );
  return { type: "object", ...(properties.length > 0 ? { properties: Object.fromEntries(properties) } : {}) };
}

function fixNode(node: Json): Json {
  const fixed: Json = { ...node };
  if (fixed.properties && typeof fixed.properties === "object") {
    fixed.properties = Object.fromEntries(
      Object.entries(fixed.properties as Record<string, Json>).map(([key, value]) => [key, fixNode(value)]),
    );
    if (fixed.type === undefined) fixed.type = "object";
  }
  if (fixed.items && typeof fixed.items === "object" && !Array.isArray(fixed.items)) {
    fixed.items = fixNode(fixed.items as Json);
  }
  if (fixed.type === undefined && !fixed.properties && !fixed.items && !fixed.anyOf && !fixed.oneOf) {
    fixed["x-kubernetes-preserve-unknown-fields"] = true;
  }
  if (fixed.type === "object" && !fixed.properties && !fixed.additionalProperties) {
    fixed["x-kubernetes-preserve-unknown-fields"] = true;
  }
  return fixed;
}

import type { KubeObject } from "../model/kube-object.js";

type Json = Record<string, unknown>;

/** The namespace a release bundle was rendered for: its Namespace object, else the most common one. */
export function bundleNamespace(objects: KubeObject[]): string {
  const declared = objects.find((object) => object.kind === "Namespace")?.metadata.name;
  if (declared) return declared;
  const counts = new Map<string, number>();
  for (const object of objects) {
    const namespace = object.metadata.namespace;
    if (namespace) counts.set(namespace, (counts.get(namespace) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "kubeflow";
}

/**
 * Moves a bundle rendered for `from` (usually `kubeflow`) into namespace `to`: metadata.namespace, binding subjects,
 * webhook service references, and in-cluster DNS names such as `minio-service.kubeflow:9000` in strings.
 */
export function retargetNamespace(objects: KubeObject[], from: string, to: string): KubeObject[] {
  if (from === to) return objects;
  const dns = new RegExp(
    `(\\b[a-z0-9]([-a-z0-9]*[a-z0-9])?)\\.${escapeRegExp(from)}(?=$|\\.svc\\b|[:/"'\\s,])`,
    "g",
  );
  // Config held as text names the namespace too: Argo's `workflow-controller-configmap` of KFP ≤1.4.1 says
  // `namespace: kubeflow,` inside its `config` string, and the controller watches only that namespace.
  const embeddedKey = new RegExp(
    `(\\bnamespace["']?\\s*:\\s*["']?)${escapeRegExp(from)}(?=["']?\\s*(?:,|\\}|$))`,
    "gm",
  );
  const rewrite = (value: unknown, key?: string): unknown => {
    if (typeof value === "string") {
      if (key === "namespace" && value === from) return to;
      // Both patterns need the old name; most strings (CRD schemas above all) do not hold it.
      if (!value.includes(from)) return value;
      return value.replace(dns, `$1.${to}`).replace(embeddedKey, `$1${to}`);
    }
    if (Array.isArray(value)) return value.map((item) => rewrite(item));
    if (value && typeof value === "object") {
      return Object.fromEntries(Object.entries(value as Json).map(([k, v]) => [k, rewrite(v, k)]));
    }
    return value;
  };
  return objects.map((object) => {
    if (object.kind === "Namespace" && object.metadata.name === from) {
      return { ...object, metadata: { ...object.metadata, name: to } };
    }
    const { metadata, ...rest } = object;
    const rewritten = rewrite(rest) as Json;
    return { ...rewritten, metadata: rewriteMetadata(metadata, from, to) } as KubeObject;
  });
}

function rewriteMetadata(metadata: KubeObject["metadata"], from: string, to: string): KubeObject["metadata"] {
  return metadata.namespace === from ? { ...metadata, namespace: to } : metadata;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

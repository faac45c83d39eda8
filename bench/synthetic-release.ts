// The growth series of `npm run bench`: a release with `factor` times the KFP components, made by copying every
// namespaced component object under another name (`<name>-x<i>`). Copied Deployments and Services get a label in
// their selector so each copy runs its own pods. The data stores (MySQL, MinIO, the KFP API server and their
// claims) are not copied: the local cluster's data-store simulation gives each of them one data directory.
import { classifyImage } from "../local-cluster/data-store-rules.js";

export interface BundleDocument {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; [key: string]: unknown };
  spec?: Record<string, unknown>;
  [key: string]: unknown;
}

export const COPY_LABEL = "bench.kfp-upgrade/copy";

const COPIED_KINDS = new Set([
  "ConfigMap",
  "Deployment",
  "NetworkPolicy",
  "Role",
  "RoleBinding",
  "Secret",
  "Service",
  "ServiceAccount",
]);

interface PodSpecLike {
  containers?: { image?: string }[];
  volumes?: { persistentVolumeClaim?: unknown }[];
}

function podSpecOf(document: BundleDocument): PodSpecLike | undefined {
  const template = document.spec?.template as { spec?: PodSpecLike } | undefined;
  return template?.spec;
}

/** A Deployment that holds data (a claim) or is a data store the simulation plays (MySQL, KFP API server). */
function isDataStore(document: BundleDocument): boolean {
  const pod = podSpecOf(document);
  if (!pod) return false;
  if (pod.volumes?.some((volume) => volume.persistentVolumeClaim !== undefined)) return true;
  return (pod.containers ?? []).some((container) => classifyImage(container.image ?? "") !== undefined);
}

function copyable(document: BundleDocument, dataStoreNames: ReadonlySet<string>): boolean {
  if (!document.kind || !COPIED_KINDS.has(document.kind)) return false;
  const name = document.metadata?.name ?? "";
  if (document.kind === "Deployment" || document.kind === "Service") return !dataStoreNames.has(name);
  return true;
}

function withCopyLabel(selector: unknown, copy: string): Record<string, unknown> {
  return { ...(selector as Record<string, unknown>), [COPY_LABEL]: copy };
}

function copyOf(document: BundleDocument, index: number): BundleDocument {
  const copy = `x${index}`;
  const clone = structuredClone(document);
  clone.metadata = { ...clone.metadata, name: `${document.metadata?.name}-${copy}` };
  if (clone.kind === "Deployment" && clone.spec) {
    const selector = clone.spec.selector as { matchLabels?: Record<string, string> };
    selector.matchLabels = withCopyLabel(selector.matchLabels, copy) as Record<string, string>;
    const template = clone.spec.template as { metadata?: { labels?: Record<string, string> } };
    template.metadata = {
      ...template.metadata,
      labels: withCopyLabel(template.metadata?.labels, copy) as Record<string, string>,
    };
  }
  if (clone.kind === "Service" && clone.spec?.selector) {
    clone.spec.selector = withCopyLabel(clone.spec.selector, copy);
  }
  return clone;
}

/**
 * The documents of one bundle file with `factor - 1` copies of every copyable object appended (factor 1: as is).
 * Services named like a data-store Deployment are left alone with it.
 */
export function multiplyRelease(documents: readonly BundleDocument[], factor: number): BundleDocument[] {
  if (!Number.isInteger(factor) || factor < 1)
    throw new Error(`factor must be a positive integer, got ${factor}`);
  const dataStoreNames = new Set(
    documents
      .filter((document) => document.kind === "Deployment" && isDataStore(document))
      .map((document) => document.metadata?.name ?? ""),
  );
  const copies: BundleDocument[] = [];
  for (let index = 1; index < factor; index += 1) {
    for (const document of documents) {
      if (copyable(document, dataStoreNames)) copies.push(copyOf(document, index));
    }
  }
  return [...documents, ...copies];
}

import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import yaml from "js-yaml";
import type { BundleObject } from "./derived-manifests.js";
import { kubectl } from "./e2e-cluster.js";
import { SHARED_MANIFESTS } from "./run-cli.js";

// KFP's cluster-scoped objects (CRDs, the cache deployer's ClusterRole and binding, the PriorityClass) are shared
// by every e2e test of a run. A test that installs KFP with another tool must start from a cluster where no earlier
// kfp-upgrade install marked them (kubectl and Helm would keep those marks, and the install would not be what the
// tool alone makes), and must hand them back to later tests as it found them.

export interface ClusterObjectRef {
  kind: string;
  name: string;
}

const CLUSTER_KINDS = new Set([
  "CustomResourceDefinition",
  "ClusterRole",
  "ClusterRoleBinding",
  "PriorityClass",
]);

/** The cluster-scoped objects of the shared bundles of `versions`, each once, sorted. */
export function kfpClusterObjectRefs(versions: readonly string[]): ClusterObjectRef[] {
  const refs = new Map<string, ClusterObjectRef>();
  for (const version of versions) {
    const dir = path.join(SHARED_MANIFESTS, version);
    for (const file of readdirSync(dir).filter((name) => name.endsWith(".yaml"))) {
      for (const object of yaml.loadAll(
        readFileSync(path.join(dir, file), "utf8"),
      ) as (BundleObject | null)[]) {
        const name = object?.metadata?.name;
        if (object?.kind && name && CLUSTER_KINDS.has(object.kind)) {
          refs.set(`${object.kind}/${name}`, { kind: object.kind, name });
        }
      }
    }
  }
  return [...refs.values()].sort((a, b) => `${a.kind}/${a.name}`.localeCompare(`${b.kind}/${b.name}`));
}

const arg = (ref: ClusterObjectRef) => `${ref.kind.toLowerCase()}/${ref.name}`;

export interface LiveObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; [field: string]: unknown };
  [field: string]: unknown;
}

/** The objects of `refs` that exist now. */
export async function liveClusterObjects(refs: readonly ClusterObjectRef[]): Promise<LiveObject[]> {
  if (refs.length === 0) return [];
  const out = await kubectl(["get", ...refs.map(arg), "--ignore-not-found", "-o", "json"]);
  if (out.trim() === "") return [];
  const parsed = JSON.parse(out) as LiveObject & { items?: LiveObject[] };
  return parsed.items ?? [parsed];
}

/** Deletes the objects of `refs` and waits until they are gone (a CRD's custom resources go with it). */
export async function deleteClusterObjects(refs: readonly ClusterObjectRef[]): Promise<void> {
  if (refs.length === 0) return;
  await kubectl(["delete", ...refs.map(arg), "--ignore-not-found", "--wait=true"]);
}

/**
 * Saves the objects of `refs` as they are and deletes them; the returned function puts the saved ones back (new
 * uids, same content, labels and annotations) and deletes the ones that did not exist before.
 */
export async function setAsideClusterObjects(
  refs: readonly ClusterObjectRef[],
): Promise<() => Promise<void>> {
  const saved = await liveClusterObjects(refs);
  await deleteClusterObjects(refs);
  return async () => {
    await deleteClusterObjects(refs);
    if (saved.length === 0) return;
    const items = saved.map(({ status: _status, metadata, ...rest }) => {
      const {
        uid: _uid,
        resourceVersion: _resourceVersion,
        creationTimestamp: _creationTimestamp,
        generation: _generation,
        managedFields: _managedFields,
        ...kept
      } = metadata;
      return { ...rest, metadata: kept };
    });
    await kubectl(["create", "-f", "-", "-o", "name"], {
      input: JSON.stringify({ apiVersion: "v1", kind: "List", items }),
    });
  };
}

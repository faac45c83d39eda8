import { APPLIED_BY_ANNOTATION, OWNER_LABEL, OWNERS_ANNOTATION } from "../model/cluster-ownership.js";
import type { ClusterSnapshot } from "../model/cluster-snapshot.js";
import type { KubeObject, ObjectRef } from "../model/kube-object.js";
import { compareVersions } from "../release/compare-versions.js";
import { APPLY_GROUPS } from "./order.js";

const CRD = "CustomResourceDefinition";
/** Kinds a bundle may hold that live outside any namespace (the Namespace itself is the namespace step's). */
const CLUSTER_KINDS = new Set<string>([
  CRD,
  ...(APPLY_GROUPS.find(({ group }) => group === "cluster")?.kinds ?? []),
]);
/** The cluster-scoped kinds the snapshot reads in full (`clusterObjects`), besides CRDs. */
const TRACKED_KINDS = new Set(["ClusterRole", "ClusterRoleBinding", "PriorityClass"]);

export function isClusterScoped(ref: { kind: string; namespace?: string | undefined }): boolean {
  return ref.namespace === undefined && CLUSTER_KINDS.has(ref.kind);
}

/** A namespace that may still hold an install: it exists (or cannot be listed) or runs a KFP API server. */
function isLive(snapshot: ClusterSnapshot, namespace: string): boolean {
  return (
    snapshot.otherInstalls.includes(namespace) ||
    snapshot.namespaces === null ||
    snapshot.namespaces.includes(namespace)
  );
}

/**
 * The installs other than `namespace` that use a cluster-scoped object: the namespaces kfp-upgrade's marks name;
 * for an object never marked (applied by kubectl, or by kfp-upgrade before it marked), a binding's subjects'
 * namespaces, and for anything else every other namespace that runs KFP. Owners whose namespace is gone do not count.
 */
export function otherOwners(snapshot: ClusterSnapshot, namespace: string, ref: ObjectRef): string[] {
  let owners: string[];
  if (ref.kind === CRD) {
    const crd = snapshot.crds.find((c) => c.name === ref.name);
    owners = !crd ? [] : crd.owners.length > 0 ? crd.owners : snapshot.otherInstalls;
  } else if (TRACKED_KINDS.has(ref.kind)) {
    // Not in the cluster (yet): nobody else uses it.
    const live = snapshot.clusterObjects.find((o) => o.kind === ref.kind && o.name === ref.name);
    owners = !live
      ? []
      : live.owners.length > 0
        ? live.owners
        : // A binding names the namespaces it serves; any other object may serve every install there is.
          live.kind === "ClusterRoleBinding"
          ? live.subjectNamespaces
          : snapshot.otherInstalls;
  } else {
    owners = snapshot.otherInstalls;
  }
  return [...new Set(owners)].filter((owner) => owner !== namespace && isLive(snapshot, owner)).sort();
}

/** Live CRD state as a hop sees it: the snapshot's, then what earlier hops of the same plan applied. */
export interface LiveCrd {
  served: string[];
  stored: string[];
  appliedByRelease: string | null;
}

export function liveCrdsFromSnapshot(snapshot: ClusterSnapshot): Map<string, LiveCrd> {
  return new Map(
    snapshot.crds.map((crd) => [
      crd.name,
      { served: crd.servedVersions, stored: crd.storedVersions, appliedByRelease: crd.appliedByRelease },
    ]),
  );
}

export interface ClusterScopedResult {
  /** The release's objects, cluster-scoped ones marked with their owners, CRDs that must not be applied left out. */
  objects: KubeObject[];
  refusals: string[];
  notes: string[];
}

/**
 * Applies the rules for cluster-scoped objects to a release's prepared objects:
 * - every cluster-scoped object is marked with the namespaces of the installs that use it (this one included);
 * - an object whose content names this namespace (a ClusterRoleBinding's ServiceAccount subject) and that another
 *   live install owns would be re-pointed away from that install: refused, with the names;
 * - a CRD is never applied older over newer: kept when the cluster's serves or stores a version the release's
 *   lacks, when a newer release applied it, when it already is this release's, or when it was applied by something
 *   else while another install uses it; and never at all by `rollback`.
 * `crds` is updated with what this hop applies, for the next hop.
 */
export function clusterScopedObjects(input: {
  objects: KubeObject[];
  namespace: string;
  snapshot: ClusterSnapshot;
  releaseVersion: string;
  crds: Map<string, LiveCrd>;
  command: "deploy" | "reinstall" | "upgrade" | "rollback";
}): ClusterScopedResult {
  const { namespace, snapshot } = input;
  const notes: string[] = [];
  const collisions: string[] = [];
  const kept: string[] = [];
  const objects: KubeObject[] = [];
  for (const object of input.objects) {
    const ref: ObjectRef = { apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name };
    if (!isClusterScoped({ kind: object.kind, namespace: object.metadata.namespace })) {
      objects.push(object);
      continue;
    }
    const others = otherOwners(snapshot, namespace, ref);
    if (object.kind === CRD) {
      if (input.command === "rollback") {
        kept.push(object.metadata.name);
        continue;
      }
      const reason = crdKeptBecause(
        object,
        input.crds.get(object.metadata.name),
        input.releaseVersion,
        others,
      );
      if (reason) {
        notes.push(`CRD ${object.metadata.name} is kept as it is: ${reason}`);
        continue;
      }
      input.crds.set(object.metadata.name, {
        served: versionsOf(object).served,
        stored: [
          ...new Set([
            ...(input.crds.get(object.metadata.name)?.stored ?? []),
            ...versionsOf(object).storage,
          ]),
        ].sort(),
        appliedByRelease: input.releaseVersion,
      });
      objects.push(mark(object, [...others, namespace], { [APPLIED_BY_ANNOTATION]: input.releaseVersion }));
      continue;
    }
    if (others.length > 0 && namesNamespace(object, namespace)) {
      collisions.push(
        `${object.kind.toLowerCase()}/${object.metadata.name} (used by the install in ${others.map((o) => `"${o}"`).join(", ")})`,
      );
      continue;
    }
    objects.push(mark(object, [...others, namespace], {}));
  }
  if (input.command === "rollback" && kept.length > 0) {
    notes.push(`CRDs are left as they are (rollback never touches CRDs): ${kept.join(", ")}`);
  }
  const refusals =
    collisions.length > 0
      ? [
          `another KFP install uses cluster-scoped objects this release would re-point to namespace "${namespace}": ${collisions.join(", ")}. KFP's cluster-scoped objects cannot be shared across namespaces without multi-user mode: upgrade the existing install instead, install KFP in multi-user mode, or render this release with other names for them (kustomize nameSuffix)`,
        ]
      : [];
  return { objects, refusals, notes };
}

function crdKeptBecause(
  object: KubeObject,
  live: LiveCrd | undefined,
  releaseVersion: string,
  others: string[],
): string | null {
  if (!live) return null;
  const release = versionsOf(object);
  const missingServed = live.served.filter((v) => !release.served.includes(v));
  const missingStored = live.stored.filter((v) => !release.all.includes(v));
  if (missingServed.length > 0 || missingStored.length > 0) {
    const parts = [
      ...(missingServed.length > 0 ? [`serves ${missingServed.join(", ")}`] : []),
      ...(missingStored.length > 0 ? [`stores ${missingStored.join(", ")}`] : []),
    ];
    return `the cluster's ${parts.join(" and ")}, which KFP ${releaseVersion}'s CRD lacks`;
  }
  if (live.appliedByRelease !== null) {
    const order = compareVersions(releaseVersion, live.appliedByRelease);
    if (order < 0) {
      return `KFP ${live.appliedByRelease} applied it, and KFP ${releaseVersion}'s is older (never applied over a newer one)`;
    }
    if (order === 0) return `it already is KFP ${releaseVersion}'s`;
    return null;
  }
  if (others.length > 0) {
    return `it was not applied by kfp-upgrade and the install in ${others.map((o) => `"${o}"`).join(", ")} uses it, so which release it belongs to is unknown`;
  }
  return null;
}

function versionsOf(crd: KubeObject): { served: string[]; storage: string[]; all: string[] } {
  const spec = (crd.spec ?? {}) as {
    version?: string;
    versions?: { name?: string; served?: boolean; storage?: boolean }[];
  };
  const versions =
    spec.versions ?? (spec.version ? [{ name: spec.version, served: true, storage: true }] : []);
  const names = (filter: (v: { served?: boolean; storage?: boolean }) => boolean) =>
    versions
      .filter(filter)
      .map((v) => v.name ?? "")
      .filter(Boolean)
      .sort();
  return {
    served: names((v) => v.served === true),
    storage: names((v) => v.storage === true),
    all: names(() => true),
  };
}

/** True when the object's content (outside metadata) names `namespace` as a namespace: a subject, a service ref. */
function namesNamespace(object: KubeObject, namespace: string): boolean {
  const { metadata: _metadata, ...content } = object;
  const visit = (value: unknown, key?: string): boolean => {
    if (typeof value === "string") return key === "namespace" && value === namespace;
    if (Array.isArray(value)) return value.some((item) => visit(item));
    if (value && typeof value === "object") {
      return Object.entries(value as Record<string, unknown>).some(([k, v]) => visit(v, k));
    }
    return false;
  };
  return visit(content);
}

function mark(object: KubeObject, owners: string[], annotations: Record<string, string>): KubeObject {
  const sorted = [...new Set(owners)].sort();
  return {
    ...object,
    metadata: {
      ...object.metadata,
      labels: { ...(object.metadata.labels ?? {}), [OWNER_LABEL]: sorted[0] ?? "" },
      annotations: {
        ...(object.metadata.annotations ?? {}),
        [OWNERS_ANNOTATION]: sorted.join(","),
        ...annotations,
      },
    },
  };
}

/**
 * Prune candidates without the cluster-scoped objects another live install uses: those are pruned only when this
 * install owns them alone. Objects whose marks name only other installs were never this install's and are dropped
 * without a word; shared ones are kept with a note.
 */
export function withoutSharedClusterObjects(
  candidates: ObjectRef[],
  snapshot: ClusterSnapshot,
  namespace: string,
): { objects: ObjectRef[]; notes: string[] } {
  const objects: ObjectRef[] = [];
  const notes: string[] = [];
  for (const ref of candidates) {
    if (ref.namespace !== undefined) {
      objects.push(ref);
      continue;
    }
    const others = otherOwners(snapshot, namespace, ref);
    if (others.length === 0) {
      objects.push(ref);
      continue;
    }
    const marks =
      ref.kind === CRD
        ? (snapshot.crds.find((c) => c.name === ref.name)?.owners ?? [])
        : (snapshot.clusterObjects.find((o) => o.kind === ref.kind && o.name === ref.name)?.owners ?? []);
    if (marks.length > 0 && !marks.includes(namespace)) continue;
    notes.push(
      `${ref.kind.toLowerCase()}/${ref.name} is not pruned: the install in ${others.map((o) => `"${o}"`).join(", ")} uses it too`,
    );
  }
  return { objects, notes };
}

import type { ClusterSnapshot } from "../model/cluster-snapshot.js";
import type { KubeObject, ObjectRef } from "../model/kube-object.js";
import { objectKey } from "./object-key.js";
import { PROTECTED_KINDS } from "./order.js";
import type { StepDraft } from "./step-list.js";

const KFP_LABEL = "application-crd-id";
/** CRDs are never pruned: deleting one deletes every custom resource of its kind, in every namespace. */
const NEVER_PRUNED = new Set([...PROTECTED_KINDS, "CustomResourceDefinition"]);

/**
 * Stateless objects the old release had and the new one dropped. Candidates are the previous release's objects
 * (when its bundle is known) and the KFP-labelled objects in the cluster; PVCs, PVs, Secrets, Namespaces and CRDs
 * are never candidates, whatever their labels say.
 */
export function pruneCandidates(input: {
  namespace: string;
  previous: KubeObject[] | null;
  snapshot: ClusterSnapshot | null;
  target: KubeObject[];
}): ObjectRef[] {
  const keep = new Set(input.target.map((o) => objectKey(o.kind, o.metadata.namespace, o.metadata.name)));
  const found = new Map<string, ObjectRef>();
  const consider = (ref: ObjectRef) => {
    if (NEVER_PRUNED.has(ref.kind)) return;
    if (ref.namespace !== undefined && ref.namespace !== input.namespace) return;
    const key = objectKey(ref.kind, ref.namespace, ref.name);
    if (!keep.has(key) && !found.has(key)) found.set(key, ref);
  };
  for (const object of input.previous ?? []) {
    consider({
      apiVersion: object.apiVersion,
      kind: object.kind,
      name: object.metadata.name,
      namespace: object.metadata.namespace,
    });
  }
  for (const object of input.snapshot?.objects ?? []) {
    if (object.labels[KFP_LABEL] === undefined) continue;
    consider({
      apiVersion: object.apiVersion,
      kind: object.kind,
      name: object.name,
      ...(object.namespace ? { namespace: object.namespace } : {}),
    });
  }
  return [...found.values()].sort((a, b) =>
    objectKey(a.kind, a.namespace, a.name).localeCompare(objectKey(b.kind, b.namespace, b.name)),
  );
}

/**
 * Before anything is deleted, data claims and volumes lose owner references to objects that will go, so the
 * garbage collector cannot take the data with them (0.5.1's Application owned the PVCs: kubeflow/pipelines#4332).
 * So does every other object that stays: the 0.5.1–1.4.1 Application controller (`addOwnerRef: true`) also owned
 * the Secrets, Deployments, Services, ConfigMaps and RBAC objects, which the next release applies again with the
 * reference still set; pruning the Application would have the garbage collector delete the credentials and the
 * freshly upgraded install.
 */
export function ownerReferenceSteps(
  snapshot: ClusterSnapshot,
  namespace: string,
  going: ObjectRef[],
  dataClaims: string[],
): StepDraft[] {
  const goingKeys = new Set(going.map((ref) => `${ref.kind}/${ref.name}`));
  const steps: StepDraft[] = [];
  for (const claim of snapshot.claims) {
    if (claim.namespace !== namespace || !dataClaims.includes(claim.name)) continue;
    const remove = claim.ownerReferences.filter((ref) => goingKeys.has(`${ref.kind}/${ref.name}`));
    if (remove.length > 0) {
      steps.push({
        kind: "stripOwnerReferences",
        target: { apiVersion: "v1", kind: "PersistentVolumeClaim", name: claim.name, namespace },
        remove,
        reason: `${remove.map((r) => `${r.kind.toLowerCase()}/${r.name}`).join(", ")} will be deleted, and the garbage collector would delete the claim with it`,
      });
    }
    const volume = snapshot.volumes.find((v) => v.name === claim.volumeName);
    const volumeRemove =
      volume?.ownerReferences.filter((ref) => goingKeys.has(`${ref.kind}/${ref.name}`)) ?? [];
    if (volume && volumeRemove.length > 0) {
      steps.push({
        kind: "stripOwnerReferences",
        target: { apiVersion: "v1", kind: "PersistentVolume", name: volume.name },
        remove: volumeRemove,
        reason: "the owner will be deleted, and the garbage collector would delete the volume with it",
      });
    }
  }
  for (const object of snapshot.objects) {
    if (
      object.kind === "PersistentVolumeClaim" ||
      (object.namespace !== null && object.namespace !== namespace)
    ) {
      continue;
    }
    if (goingKeys.has(`${object.kind}/${object.name}`)) continue;
    const remove = object.ownerReferences.filter((ref) => goingKeys.has(`${ref.kind}/${ref.name}`));
    if (remove.length === 0) continue;
    steps.push({
      kind: "stripOwnerReferences",
      target: {
        apiVersion: object.apiVersion,
        kind: object.kind,
        name: object.name,
        ...(object.namespace ? { namespace: object.namespace } : {}),
      },
      remove,
      reason: `${remove.map((r) => `${r.kind.toLowerCase()}/${r.name}`).join(", ")} will be deleted, and the garbage collector would delete the ${object.kind.toLowerCase()} with it`,
    });
  }
  return steps;
}

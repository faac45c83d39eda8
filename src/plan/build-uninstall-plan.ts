import type { KfpApp } from "../app/kfp-app.js";
import type { ClusterSnapshot } from "../model/cluster-snapshot.js";
import type { ObjectRef } from "../model/kube-object.js";
import type { Release } from "../release/release.js";
import { withoutSharedClusterObjects } from "./cluster-scoped-objects.js";
import { objectKey } from "./object-key.js";
import { APPLY_GROUPS } from "./order.js";
import { PLAN_API_VERSION, type Plan } from "./plan.js";
import { ownerReferenceSteps, pruneCandidates } from "./prune-steps.js";
import { refuseIfAny } from "./refuse-if-any.js";
import { StepList } from "./step-list.js";
import { storageSteps } from "./storage-steps.js";

export interface UninstallPlanInput {
  app: KfpApp;
  snapshot: ClusterSnapshot;
  /** The installed release, with its bundle's objects when known (the cluster's KFP-labelled objects count too). */
  installed: Release;
  now: Date;
  /** `--delete-data`, confirmed: the data claims go too (after the pods); their Retain PVs still stay. */
  deleteData?: boolean;
}

/** Deletion order: the reverse of the apply order, so workloads stop before what they use goes. */
const DELETE_RANK = new Map<string, number>(
  [...APPLY_GROUPS]
    .reverse()
    .flatMap(({ kinds }, rank) => kinds.map((kind): [string, number] => [kind, rank])),
);

/**
 * Removes what the release installed and keeps the data: the data claims' PVs are switched to Retain and their
 * definitions saved first; claims, PVs, Secrets (credentials), the namespace and CRDs are never deleted (prune
 * refuses them), nor cluster-scoped objects another install uses. `reinstall` brings KFP back on the same volumes.
 */
export function buildUninstallPlan(input: UninstallPlanInput): Plan {
  const { app, snapshot, installed } = input;
  const namespace = app.namespace;
  const what = `Cannot uninstall KFP from namespace "${namespace}"`;
  const hint = "Nothing was changed. Fix the problems above and run the command again.";
  // Without an install there is nothing to read the storage of: that one reason, alone.
  if (snapshot.installedVersion === null)
    refuseIfAny([`no KFP install found in namespace "${namespace}"`], what, hint);
  const refusals: string[] = [];
  if (snapshot.namespace.phase === "Terminating") refusals.push(`namespace "${namespace}" is Terminating`);
  const storage = storageSteps({ app, snapshot, release: { ...installed, objects: [] }, namespace });
  refusals.push(...storage.refusals);
  refuseIfAny(refusals, what, hint);

  const candidates = pruneCandidates({
    namespace,
    previous: installed.objects.length > 0 ? installed.objects : null,
    snapshot,
    target: [],
  });
  const guarded = withoutSharedClusterObjects(candidates, snapshot, namespace);
  const going = [...guarded.objects].sort(byDeleteOrder);
  const dataClaims = storage.bindings.map(({ role, claim }) => ({ role, claim }));
  const workloads = snapshot.deployments
    .filter(
      (d) => d.namespace === namespace && going.some((g) => g.kind === "Deployment" && g.name === d.name),
    )
    .map((d) => ({ name: d.name, selector: d.selector }));

  const steps = new StepList();
  steps.addAll(storage.protect);
  steps.add({ kind: "verifyBinding", namespace, claims: storage.bindings });
  steps.add({ kind: "saveVolumeDefinitions", namespace, claims: dataClaims });
  steps.addAll(
    ownerReferenceSteps(
      snapshot,
      namespace,
      going,
      dataClaims.map((c) => c.claim),
    ),
  );
  if (going.length > 0) {
    steps.add({
      kind: "prune",
      objects: going,
      reason: `installed by KFP ${installed.version}`,
    });
  }
  if (workloads.length > 0) {
    steps.add({
      kind: "waitPodsGone",
      namespace,
      workloads,
      reason: "MySQL and the object store have stopped before the volumes are used again",
    });
  }
  if (input.deleteData && storage.bindings.length > 0) {
    steps.add({ kind: "deleteDataClaims", namespace, claims: storage.bindings });
  }
  const claimNames = dataClaims.map((c) => c.claim).join(", ") || "none";
  return {
    apiVersion: PLAN_API_VERSION,
    kind: "Plan",
    command: "uninstall",
    namespace,
    context: snapshot.context,
    from: installed.version,
    to: installed.version,
    strategy: "manifests",
    hops: [],
    storage: storage.storage,
    steps: steps.steps,
    warnings: storage.warnings,
    notes: [
      ...guarded.notes,
      input.deleteData
        ? `deleted: the data claims (${claimNames}); kept: their PVs (Retain, then Released) with the data, every Secret, the namespace and the CRDs; \`kfp-upgrade reinstall\` binds new claims to the Released PVs and brings KFP ${installed.version} back on them`
        : `kept: the data claims (${claimNames}) bound to their PVs, every Secret, the namespace and the CRDs; \`kfp-upgrade reinstall\` brings KFP ${installed.version} back on them`,
    ],
    createdAt: input.now.toISOString(),
  };
}

function byDeleteOrder(a: ObjectRef, b: ObjectRef): number {
  const rank = (ref: ObjectRef) => DELETE_RANK.get(ref.kind) ?? -1;
  return (
    rank(a) - rank(b) ||
    objectKey(a.kind, a.namespace, a.name).localeCompare(objectKey(b.kind, b.namespace, b.name))
  );
}

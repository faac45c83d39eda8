import type { KfpApp } from "../app/kfp-app.js";
import type { ClusterSnapshot } from "../model/cluster-snapshot.js";
import type { KubeObject } from "../model/kube-object.js";
import type { Release } from "../release/release.js";
import type { ReleaseInfo } from "../release/release-info.js";
import { imageSteps } from "./image-steps.js";
import { MINIO_CLAIMS, objectStoreInUse } from "./object-store-in-use.js";
import type { Plan } from "./plan.js";
import { PLAN_API_VERSION } from "./plan.js";
import { prepareReleaseObjects } from "./prepare-release-objects.js";
import { protectiveRefusal } from "./protective-refusal.js";
import { ownerReferenceSteps, pruneCandidates } from "./prune-steps.js";
import { refuseIfAny } from "./refuse-if-any.js";
import {
  type PriorState,
  priorStateFromObjects,
  priorStateFromSnapshot,
  releaseObjectSteps,
} from "./release-object-steps.js";
import { sharedClusterWarnings } from "./shared-cluster-warnings.js";
import type { ClaimBinding } from "./step.js";
import { StepList } from "./step-list.js";
import { storageSteps } from "./storage-steps.js";

export type Strategy = "auto" | "manifests" | "images";
export type ObjectStoreChoice = "keep-minio" | "seaweedfs";

export interface UpgradeHop {
  from: string;
  to: string;
  reason: string;
  release: Release;
}

export interface UpgradePlanInput {
  app: KfpApp;
  snapshot: ClusterSnapshot;
  /** What the catalogue (or the installed release's bundle) says about the installed version. */
  installed: ReleaseInfo & { objects?: KubeObject[]; era: ReleaseInfo["era"] };
  hops: UpgradeHop[];
  strategy: Strategy;
  objectStore?: ObjectStoreChoice;
  /** Where `objectStore` came from: the flag, or the choice an earlier run saved in kfp-app.yaml. */
  objectStoreFrom?: "flag" | "app";
  /** `rollback` plans the same way, towards an older release whose schema and data are still compatible. */
  command?: "upgrade" | "rollback";
  now: Date;
}

/**
 * Move a running install through one or more hops (pathFor), in place: data claims stay bound to the same PVs,
 * Secrets stay as they are, and after each hop MySQL and the API server must be available before the next.
 */
export function buildUpgradePlan(input: UpgradePlanInput): Plan {
  const { app, snapshot } = input;
  // The object store (and its claim) the install runs is read from the cluster, not assumed from the version.
  const inUse = objectStoreInUse(snapshot);
  const installed: UpgradePlanInput["installed"] = inUse
    ? {
        ...input.installed,
        objectStore: inUse.store,
        dataClaims: {
          ...input.installed.dataClaims,
          objectStore: inUse.claim ?? input.installed.dataClaims.objectStore,
        },
      }
    : input.installed;
  const namespace = app.namespace;
  const refusals: string[] = [];
  const warnings: string[] = [];
  const notes: string[] = [];
  if (snapshot.namespace.phase === "Terminating") refusals.push(`namespace "${namespace}" is Terminating`);
  if (snapshot.installedVersion === null) {
    refusals.push(
      `no KFP install found in namespace "${namespace}"; use \`kfp-upgrade deploy\` or \`reinstall\``,
    );
  }
  const multiHop = input.hops.length > 1;
  const steps = new StepList();
  const hopsOut: Plan["hops"] = [];
  const storageOut: Plan["storage"] = [];
  const imagesSoFar = new Map<string, string>();
  let prior: PriorState = priorStateFromSnapshot(snapshot);
  let previousObjects: KubeObject[] | null =
    installed.objects && installed.objects.length > 0 ? installed.objects : null;
  let previousStore = installed.objectStore;
  // The data claims of the running install: protected (Retain) before anything else, and verified after each hop.
  const baseline = storageSteps({
    app,
    snapshot,
    release: { ...installedAsRelease(installed), objects: [] },
    namespace,
  });
  let bindings: ClaimBinding[] = baseline.bindings.filter((b) => b.volumeUid !== null);
  for (const claim of Object.values(installed.dataClaims)) {
    if (!snapshot.claims.some((c) => c.name === claim && c.namespace === namespace)) {
      warnings.push(`data claim ${namespace}/${claim} of KFP ${installed.version} was not found`);
    }
  }
  warnings.push(...baseline.warnings);
  storageOut.push(...baseline.storage.filter((s) => s.mode === "existing"));
  steps.addAll(baseline.protect);
  if (baseline.terminating.length > 0) {
    // A data claim is going away: its PV is switched to Retain, nothing else changes, and the upgrade is refused.
    return {
      apiVersion: PLAN_API_VERSION,
      kind: "Plan",
      command: input.command ?? "upgrade",
      namespace,
      context: snapshot.context,
      from: snapshot.installedVersion,
      to: input.hops.at(-1)?.to ?? snapshot.installedVersion ?? installed.version,
      strategy: "manifests",
      hops: input.hops.map((hop) => ({
        from: hop.from,
        to: hop.to,
        strategy: "manifests",
        reason: hop.reason,
      })),
      storage: storageOut,
      steps: steps.steps,
      warnings: [...new Set(warnings)],
      notes: [],
      refusal: protectiveRefusal(
        `Cannot upgrade KFP ${snapshot.installedVersion ?? "(not installed)"} to ${input.hops.at(-1)?.to ?? "?"} in namespace "${namespace}"`,
        [...baseline.terminating, ...refusals],
        namespace,
      ),
      createdAt: input.now.toISOString(),
    };
  }
  // A MinIO claim kept after an earlier switch to SeaweedFS still holds the old artifacts: verified, saved, kept.
  if (inUse?.store === "seaweedfs") {
    for (const claim of snapshot.claims) {
      if (claim.namespace !== namespace || !MINIO_CLAIMS.includes(claim.name) || claim.deleting) continue;
      const volume = snapshot.volumes.find((v) => v.name === claim.volumeName);
      if (!volume || bindings.some((b) => b.claim === claim.name)) continue;
      bindings.push({
        role: "legacyObjectStore",
        claim: claim.name,
        volumeName: volume.name,
        volumeUid: volume.uid,
      });
      storageOut.push({
        role: "legacyObjectStore",
        claim: claim.name,
        mode: "existing",
        volumeName: volume.name,
        detail: `bound to PV ${volume.name} (uid ${volume.uid}, ${volume.reclaimPolicy ?? "no reclaim policy"}); MinIO artifacts from before the switch to SeaweedFS, kept`,
      });
      if (volume.reclaimPolicy !== "Retain") {
        steps.add({
          kind: "setReclaimPolicy",
          volume: volume.name,
          volumeUid: volume.uid,
          from: volume.reclaimPolicy ?? "(none)",
          to: "Retain",
        });
      }
    }
  }

  input.hops.forEach((hop, index) => {
    const hopNumber = multiHop ? index + 1 : undefined;
    const { release } = hop;
    const canApply = release.objects.length > 0 && installed.era !== "ksonnet";
    const strategy: "manifests" | "images" =
      input.strategy === "images"
        ? "images"
        : input.strategy === "manifests"
          ? "manifests"
          : canApply
            ? "manifests"
            : "images";
    if (strategy === "manifests" && release.objects.length === 0) {
      refusals.push(
        `strategy manifests needs the bundle of KFP ${release.version}; pass --manifests DIR or use --strategy images`,
      );
    }
    let hopApp = app;
    if (previousStore === "minio" && release.objectStore === "seaweedfs") {
      if (input.objectStore === undefined) {
        refusals.push(
          `KFP ${release.version} replaces MinIO with SeaweedFS; the artifacts on the MinIO volume would be orphaned. Choose --object-store keep-minio (use the release's -minio variant) or --object-store seaweedfs (new artifact volume; the old minio claim is kept, never pruned)`,
        );
      } else if (input.objectStore === "keep-minio") {
        refusals.push(
          input.objectStoreFrom === "app"
            ? `this install keeps its artifacts on MinIO (${installed.dataClaims.objectStore}), as --object-store keep-minio chose and kfp-app.yaml records, but KFP ${release.version} has no MinIO variant in its bundle (only the 2.15 line ships one), so MinIO cannot be kept: pass --object-store seaweedfs to move to SeaweedFS (a new artifact volume; ${installed.dataClaims.objectStore} is kept, verified and never pruned), or stay on 2.15`
            : `KFP ${release.version} has no MinIO variant in its bundle, so --object-store keep-minio cannot be honoured`,
        );
      } else {
        warnings.push(
          `Object store moves to SeaweedFS at ${release.version}: artifacts written before stay on the MinIO claim, which is kept and never pruned`,
        );
        // The MinIO claim stays and is still verified, but it no longer holds the object store: its role says so, and
        // its PV is not saved as the object store's (the SeaweedFS claim's is).
        const legacy = installed.dataClaims.objectStore;
        const asLegacy = <T extends { claim: string; role: string }>(entry: T): T =>
          entry.claim === legacy ? { ...entry, role: "legacyObjectStore" } : entry;
        bindings = bindings.map(asLegacy);
        storageOut.splice(0, storageOut.length, ...storageOut.map(asLegacy));
        hopApp = {
          ...app,
          storage: {
            ...app.storage,
            objectStore: app.storage.objectStore.storageClass
              ? { storageClass: app.storage.objectStore.storageClass }
              : {},
          },
        };
      }
    }
    previousStore = release.objectStore;
    hopsOut.push({ from: hop.from, to: hop.to, strategy, reason: hop.reason });
    if (refusals.length > 0) return;

    if (strategy === "images") {
      const images = imageSteps({ snapshot, namespace, release, current: imagesSoFar });
      steps.addAll(images.steps, hopNumber);
      if (images.steps.length === 0)
        notes.push(`hop to ${release.version}: every KFP image is already at ${release.version}`);
      if (images.deployments.length > 0) {
        steps.add({ kind: "waitRollout", namespace, deployments: images.deployments }, hopNumber);
      }
      steps.add({ kind: "verifyBinding", namespace, claims: bindings }, hopNumber);
      return;
    }

    const prepared = prepareReleaseObjects(release, namespace, snapshot);
    refusals.push(...prepared.refusals);
    notes.push(...prepared.conversions.map((c) => `convert ${c}`));
    if (index === 0) notes.push(...prepared.notes);
    if (index === input.hops.length - 1) warnings.push(...sharedClusterWarnings(snapshot, prepared.objects));
    const storage = storageSteps({ app: hopApp, snapshot, release, namespace });
    refusals.push(...storage.refusals);
    if (refusals.length > 0) return;
    notes.push(...storage.notes);
    for (const entry of storage.storage) {
      if (!storageOut.some((s) => s.claim === entry.claim)) storageOut.push(entry);
    }
    const objectSteps = releaseObjectSteps({
      objects: prepared.objects,
      prior,
      dataClaims: Object.values(release.dataClaims),
    });
    notes.push(...objectSteps.notes);
    const going = pruneCandidates({
      namespace,
      previous: previousObjects,
      snapshot: index === 0 ? snapshot : null,
      target: prepared.objects,
    });
    const dataClaimNames = [
      ...new Set([...Object.values(installed.dataClaims), ...Object.values(release.dataClaims)]),
    ];
    steps.addAll(ownerReferenceSteps(snapshot, namespace, going, dataClaimNames), hopNumber);
    steps.addAll(objectSteps.namespace, hopNumber);
    steps.addAll(objectSteps.crds, hopNumber);
    steps.addAll(objectSteps.cluster, hopNumber);
    steps.addAll(objectSteps.config, hopNumber);
    steps.addAll(storage.provide, hopNumber);
    steps.addAll(objectSteps.services, hopNumber);
    steps.addAll(objectSteps.workloads, hopNumber);
    steps.addAll(objectSteps.other, hopNumber);
    steps.addAll(
      storage.settle.filter((s) => s.kind !== "waitBound" || s.claims.some((c) => c.volumeUid === null)),
      hopNumber,
    );
    if (objectSteps.deployments.length > 0) {
      steps.add({ kind: "waitRollout", namespace, deployments: objectSteps.deployments }, hopNumber);
    }
    if (going.length > 0) {
      steps.add(
        {
          kind: "prune",
          objects: going,
          reason: `dropped by KFP ${release.version} (stateless; data objects are never pruned)`,
        },
        hopNumber,
      );
    }
    bindings = mergeBindings(bindings, storage.bindings);
    steps.add({ kind: "verifyBinding", namespace, claims: bindings }, hopNumber);
    prior = priorStateFromObjects(prepared.objects, prior);
    previousObjects = prepared.objects;
  });

  refuseIfAny(
    refusals,
    `Cannot upgrade KFP ${snapshot.installedVersion ?? "(not installed)"} to ${input.hops.at(-1)?.to ?? "?"} in namespace "${namespace}"`,
    "Nothing was changed. Fix the problems above and run the command again.",
  );
  const last = input.hops.at(-1);
  if (last && bindings.length > 0) {
    // The legacy MinIO volume keeps the record of what last wrote it (the release before the switch).
    steps.add({
      kind: "recordDataWriter",
      namespace,
      claims: bindings
        .filter(({ role }) => role !== "legacyObjectStore")
        .map(({ role, claim }) => ({ role, claim })),
      writer: {
        kfpVersion: last.release.version,
        mysqlSeries: last.release.mysqlSeries,
        objectStore: last.release.objectStore,
      },
    });
    steps.add({
      kind: "saveVolumeDefinitions",
      namespace,
      claims: bindings.map(({ role, claim }) => ({ role, claim })),
    });
  }
  const strategies = new Set(hopsOut.map((h) => h.strategy));
  return {
    apiVersion: PLAN_API_VERSION,
    kind: "Plan",
    command: input.command ?? "upgrade",
    namespace,
    context: snapshot.context,
    from: snapshot.installedVersion,
    to: last?.to ?? snapshot.installedVersion ?? installed.version,
    strategy: strategies.size > 1 ? "mixed" : (hopsOut[0]?.strategy ?? "manifests"),
    hops: hopsOut,
    storage: storageOut,
    steps: steps.steps,
    warnings: [...new Set(warnings)],
    // Each hop of a multi-hop plan says the same about, say, the Secrets it keeps; once is enough.
    notes: [...new Set(notes)],
    createdAt: input.now.toISOString(),
  };
}

function installedAsRelease(installed: UpgradePlanInput["installed"]): Release {
  return { ...installed, variant: "default", objects: [], bundleDir: null };
}

function mergeBindings(before: ClaimBinding[], after: ClaimBinding[]): ClaimBinding[] {
  const merged = new Map(before.map((b) => [b.claim, b]));
  for (const binding of after) {
    const known = merged.get(binding.claim);
    merged.set(binding.claim, known && known.volumeUid !== null ? known : binding);
  }
  return [...merged.values()];
}

import type { AppFileEdit } from "../app/edit-gcp-storage-config.js";
import type { KfpApp } from "../app/kfp-app.js";
import type { ClusterSnapshot } from "../model/cluster-snapshot.js";
import type { GcpFindings } from "../model/gcp-disk.js";
import type { Release } from "../release/release.js";
import { clusterScopedObjects, liveCrdsFromSnapshot } from "./cluster-scoped-objects.js";
import { dataVersionRules } from "./data-version-rules.js";
import {
  inventoryMessages,
  type PlanInventory,
  recordInventoryStep,
  verifyInventoryStep,
} from "./inventory-plan.js";
import type { Plan } from "./plan.js";
import { PLAN_API_VERSION } from "./plan.js";
import { prepareReleaseObjects } from "./prepare-release-objects.js";
import { protectiveRefusal } from "./protective-refusal.js";
import { refuseIfAny } from "./refuse-if-any.js";
import { priorStateFromSnapshot, releaseObjectSteps } from "./release-object-steps.js";
import { sharedClusterWarnings } from "./shared-cluster-warnings.js";
import { StepList } from "./step-list.js";
import { type SavedVolumes, storageSteps } from "./storage-steps.js";

export interface DeployPlanInput {
  app: KfpApp;
  snapshot: ClusterSnapshot;
  release: Release;
  /** Saved PV definitions from `.kfp-upgrade/volumes/`: reinstall recreates the PVs from them. */
  savedVolumes?: SavedVolumes;
  command: "deploy" | "reinstall";
  /** What the user explicitly accepted with `--accept-volume-mismatch` / `--accept-schema-migration`. */
  accept?: { volumeMismatch?: boolean; schemaMigration?: boolean };
  /** reinstall: the last inventory the KFAPP recorded, compared with what the reinstalled KFP lists. */
  inventory?: PlanInventory;
  /** Edits of the KFAPP's own files (a legacy GCP KFAPP's storage config), run before anything in the cluster. */
  appFileEdits?: AppFileEdit[];
  /** GCP disks and the nodes' zones, read before planning when the app's platform is gcp and it names disks. */
  gcp?: GcpFindings;
  now: Date;
}

/**
 * Install a release from its bundle onto storage the user controls. Used by `deploy` and `reinstall`; the latter
 * re-attaches the volumes that a previous install left behind (Released PVs, saved PV definitions, GCP disks).
 */
export function buildDeployPlan(input: DeployPlanInput): Plan {
  const { app, snapshot, release } = input;
  const namespace = app.namespace;
  const refusals: string[] = [];
  if (snapshot.namespace.phase === "Terminating") {
    refusals.push(`namespace "${namespace}" is Terminating; wait until it is gone`);
  }
  if (snapshot.installedVersion !== null && snapshot.namespace.phase !== "Terminating") {
    refusals.push(
      `KFP ${snapshot.installedVersion} is already installed in namespace "${namespace}"; use \`kfp-upgrade upgrade\` to change its version`,
    );
  }
  if (release.objects.length === 0) {
    refusals.push(
      `no manifests bundle for KFP ${release.version}: ${input.command} applies a release bundle; pass --manifests DIR (a directory with ${release.version}/*.yaml)`,
    );
  }
  const prepared = prepareReleaseObjects(release, namespace, snapshot);
  refusals.push(...prepared.refusals);
  const clusterScoped = clusterScopedObjects({
    objects: prepared.objects,
    namespace,
    snapshot,
    releaseVersion: release.version,
    crds: liveCrdsFromSnapshot(snapshot),
    command: input.command,
  });
  refusals.push(...clusterScoped.refusals);
  const objectSteps = releaseObjectSteps({
    objects: clusterScoped.objects,
    prior: priorStateFromSnapshot(snapshot),
    dataClaims: Object.values(release.dataClaims),
  });
  refusals.push(...objectSteps.refusals);
  const storage = storageSteps({
    app,
    snapshot,
    release,
    namespace,
    ...(input.savedVolumes ? { savedVolumes: input.savedVolumes } : {}),
    acceptVolumeMismatch: input.accept?.volumeMismatch === true,
    ...(input.gcp ? { gcp: input.gcp } : {}),
  });
  refusals.push(...storage.refusals);
  const dataRules = dataVersionRules(storage.dataOnVolumes, release, {
    acceptSchemaMigration: input.accept?.schemaMigration === true,
  });
  refusals.push(...dataRules.refusals);
  const what = `Cannot ${input.command} KFP ${release.version} into namespace "${namespace}"`;
  const header = {
    apiVersion: PLAN_API_VERSION,
    kind: "Plan",
    command: input.command,
    namespace,
    context: snapshot.context,
    from: null,
    to: release.version,
    strategy: "manifests",
    hops: [
      { from: null, to: release.version, strategy: "manifests", reason: `install KFP ${release.version}` },
    ],
    storage: storage.storage,
    createdAt: input.now.toISOString(),
  } as const satisfies Partial<Plan>;
  if (storage.terminating.length > 0) {
    // A data claim is going away: switch its PV to Retain now, change nothing else, and refuse.
    const protect = new StepList();
    protect.addAll(storage.protect);
    return {
      ...header,
      hops: [...header.hops],
      steps: protect.steps,
      warnings: storage.warnings,
      notes: [],
      refusal: protectiveRefusal(what, [...storage.terminating, ...refusals], namespace),
    };
  }
  refuseIfAny(refusals, what, "Nothing was changed. Fix the problems above and run the command again.");

  const steps = new StepList();
  for (const edit of input.appFileEdits ?? []) steps.add({ kind: "editAppFile", ...edit });
  steps.add({ kind: "ensureNamespace", name: namespace, exists: snapshot.namespace.exists });
  steps.addAll(storage.protect);
  steps.addAll(objectSteps.namespace);
  steps.addAll(objectSteps.crds);
  steps.addAll(objectSteps.cluster);
  steps.addAll(objectSteps.config);
  steps.addAll(storage.provide);
  steps.addAll(objectSteps.services);
  steps.addAll(objectSteps.workloads);
  steps.addAll(objectSteps.other);
  steps.addAll(storage.settle);
  if (objectSteps.deployments.length > 0) {
    steps.add({ kind: "waitRollout", namespace, deployments: objectSteps.deployments });
  }
  steps.add({ kind: "verifyBinding", namespace, claims: storage.bindings });
  const verifyInventory = verifyInventoryStep(namespace, input.inventory);
  if (verifyInventory) steps.add(verifyInventory);
  const recordInventory = recordInventoryStep(namespace, input.inventory);
  if (recordInventory) steps.add(recordInventory);
  const inventory = inventoryMessages(input.inventory, { from: null, to: release.version });
  steps.add({
    kind: "recordDataWriter",
    namespace,
    claims: storage.bindings.map(({ role, claim }) => ({ role, claim })),
    writer: {
      kfpVersion: release.version,
      mysqlSeries: release.mysqlSeries,
      objectStore: release.objectStore,
    },
  });
  steps.add({
    kind: "saveVolumeDefinitions",
    namespace,
    claims: storage.bindings.map(({ role, claim }) => ({ role, claim })),
  });

  return {
    ...header,
    hops: [...header.hops],
    steps: steps.steps,
    warnings: [
      ...storage.warnings,
      ...dataRules.warnings,
      ...sharedClusterWarnings(snapshot, prepared.objects),
      ...inventory.warnings,
    ],
    ...(dataRules.oneWay.length > 0 ? { oneWay: dataRules.oneWay } : {}),
    notes: [
      ...prepared.notes,
      ...prepared.conversions.map((c) => `convert ${c}`),
      ...storage.notes,
      ...objectSteps.notes,
      ...clusterScoped.notes,
      ...inventory.notes,
    ],
  };
}

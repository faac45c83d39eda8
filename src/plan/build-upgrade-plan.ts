import type { KfpApp } from "../app/kfp-app.js";
import type { ClusterSnapshot } from "../model/cluster-snapshot.js";
import type { GcpFindings } from "../model/gcp-disk.js";
import type { KubeObject } from "../model/kube-object.js";
import {
  API_SERVER_DEPLOYMENT,
  MYSQL_DEPLOYMENT,
  MYSQL_SERIES,
  type MysqlSeries,
} from "../model/running-servers.js";
import { compareVersions } from "../release/compare-versions.js";
import type { Release } from "../release/release.js";
import type { ReleaseInfo } from "../release/release-info.js";
import {
  mysqlSeriesFor,
  oneWayApiMigration,
  oneWayApiMigrationCrossed,
  oneWayApiMigrationsCrossed,
  SEAWEEDFS_SINCE,
  UI_SIGNING_KEY_SECRET,
} from "../release/release-rules.js";
import { adoptInstalls, adoptionRefusal, placeAdoption } from "./adopt-installs.js";
import {
  clusterScopedObjects,
  liveCrdsFromSnapshot,
  withoutSharedClusterObjects,
} from "./cluster-scoped-objects.js";
import { drainWorkflows } from "./drain-workflows.js";
import { gatherRefusals } from "./gather-refusals.js";
import { imageSteps } from "./image-steps.js";
import {
  inventoryMessages,
  type PlanInventory,
  refuseLegacySchema,
  verifyInventoryStep,
} from "./inventory-plan.js";
import {
  DATA_SERVER_DEPLOYMENTS,
  keptAfterPointOfNoReturn,
  type LiveDeployment,
  mysqlImageOf,
  replicasOf,
  seriesIndex,
  splitMysqlObjects,
  withReplicas,
} from "./mysql-phase.js";
import { MINIO_CLAIMS, objectStoreInUse } from "./object-store-in-use.js";
import type { Plan } from "./plan.js";
import { PLAN_API_VERSION } from "./plan.js";
import { prepareReleaseObjects } from "./prepare-release-objects.js";
import { protectiveRefusal } from "./protective-refusal.js";
import { ownerReferenceSteps, pruneCandidates } from "./prune-steps.js";
import { refuseIfAny } from "./refuse-if-any.js";
import {
  matchLabelsOf,
  type PriorState,
  priorStateFromObjects,
  priorStateFromSnapshot,
  type ReleaseObjectSteps,
  releaseObjectSteps,
} from "./release-object-steps.js";
import { withServerDryRuns } from "./server-dry-runs.js";
import { sharedClusterWarnings } from "./shared-cluster-warnings.js";
import type { ClaimBinding } from "./step.js";
import { type StepDraft, StepList } from "./step-list.js";
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
  /**
   * `--adopt`: take over an install a Helm release or a GitOps controller tracks (refused without it). Objects other
   * appliers made (kubectl, kpt, …) are adopted either way.
   */
  adopt?: boolean;
  /** KFP's inventory as read before planning (absent: not asked, as for `rollback`). */
  inventory?: PlanInventory;
  /** GCP disks and nodes, read when a hop must create a PV for a missing data claim on a GCP disk. */
  gcp?: GcpFindings;
  /** How long the API server of a hop with a one-way migration may take to become Available (default 1800). */
  migrationTimeoutSeconds?: number;
  /**
   * A hop into a release whose migration asks for drained Argo Workflows (2.18) while some run: refused (undefined),
   * waited for with a plan step (`--wait-for-workflows`), or gone ahead with a warning (`--ignore-running-workflows`).
   */
  runningWorkflows?: "wait" | "ignore";
  /**
   * `check`: every refusal of every hop goes into the plan's `refusal` instead of being thrown at the first; a hop is
   * judged as if the refusals of the hops before it were fixed.
   */
  collectRefusals?: boolean;
  now: Date;
}

export const DEFAULT_MIGRATION_TIMEOUT_SECONDS = 1800;

/** The controllers that write KFP's stored data and stop before a one-way API migration (kubeflow/pipelines 2.18 guide). */
const API_WRITERS = [API_SERVER_DEPLOYMENT, "ml-pipeline-scheduledworkflow"] as const;

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
  // What no automatic rollback undoes: `--backup` (or the prompt) protects the data before these.
  const oneWay: string[] = [];
  if (snapshot.namespace.phase === "Terminating") refusals.push(`namespace "${namespace}" is Terminating`);
  if (snapshot.installedVersion === null) {
    refusals.push(
      `no KFP install found in namespace "${namespace}"; use \`kfp-upgrade deploy\` or \`reinstall\``,
    );
  }
  const multiHop = input.hops.length > 1;
  const verifyInventory = verifyInventoryStep(namespace, input.inventory);
  // No hop (the install is at the target already): the path ends where it starts, and crosses nothing.
  const inventoryPath = {
    from: snapshot.installedVersion,
    to: input.hops.at(-1)?.to ?? snapshot.installedVersion ?? "",
  };
  const inventoryNotes = inventoryMessages(input.inventory, inventoryPath);
  warnings.push(...inventoryNotes.warnings);
  notes.push(...inventoryNotes.notes);
  const steps = new StepList();
  const hopsOut: Plan["hops"] = [];
  const storageOut: Plan["storage"] = [];
  const imagesSoFar = new Map<string, string>();
  let prior: PriorState = priorStateFromSnapshot(snapshot);
  let previousObjects: KubeObject[] | null =
    installed.objects && installed.objects.length > 0 ? installed.objects : null;
  let previousStore = installed.objectStore;
  // CRDs as each hop finds them: the cluster's, then what the hops before applied.
  const liveCrds = liveCrdsFromSnapshot(snapshot);
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

  // What runs on the data is read from the cluster; the catalogue only stands in when no mysql Deployment runs.
  const runningMysql = snapshot.running.mysql;
  let series: MysqlSeries = runningMysql?.series ?? installed.mysqlSeries;
  if (snapshot.installedVersion !== null && input.hops.length > 0) {
    if (runningMysql === null) {
      warnings.push(
        `no mysql Deployment runs in namespace "${namespace}": MySQL ${installed.mysqlSeries}, the catalogue's for KFP ${installed.version}, is assumed to be on the data`,
      );
    } else if (runningMysql.series === null) {
      warnings.push(
        `the running mysql image ${runningMysql.image} names no MySQL series KFP used (${MYSQL_SERIES.join(", ")}): MySQL ${installed.mysqlSeries}, the catalogue's for KFP ${installed.version}, is assumed`,
      );
    }
  }
  let apiServerVersion: string | null = snapshot.running.apiServer?.version ?? snapshot.installedVersion;
  const live = liveDeployments(input);

  input.hops.forEach((hop, index) => {
    const hopNumber = multiHop ? index + 1 : undefined;
    // A refused hop plans no further; `check` still plans the hops after it.
    const refusedBefore = input.collectRefusals ? refusals.length : 0;
    let drainBeforeHop: StepDraft | null = null;
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
        oneWay.push(
          `the object store moves from MinIO to SeaweedFS at ${release.version} (new artifacts go to a new volume)`,
        );
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
    warnings.push(...(release.warnings ?? []));

    // MySQL's data directory moves forward only, one series at a time, and only a release's bundle moves it.
    const label = `hop ${index + 1} (${hop.from} → ${hop.to})`;
    const shipped = mysqlSeriesFor(release.version);
    // An install without a mysql Deployment before or after the hop (an external database) has no MySQL to move.
    const runsMysql =
      live.has(MYSQL_DEPLOYMENT) ||
      release.objects.some((o) => o.kind === "Deployment" && o.metadata.name === MYSQL_DEPLOYMENT);
    const next: MysqlSeries =
      strategy === "manifests" && release.objects.length > 0 && runsMysql ? release.mysqlSeries : series;
    let seriesMove: { from: MysqlSeries; to: MysqlSeries } | null = null;
    let afterHop = next;
    if (!runsMysql) {
      // nothing runs on a MySQL data directory here
    } else if (seriesIndex(next) < seriesIndex(series)) {
      refusals.push(
        `${label} would start MySQL ${next} on a data directory MySQL ${series} already upgraded: MySQL is never downgraded`,
      );
    } else if (seriesIndex(next) > seriesIndex(series) + 1) {
      const skipped = MYSQL_SERIES[seriesIndex(series) + 1];
      refusals.push(
        `${label} would move MySQL ${series} → ${next}, skipping MySQL ${skipped}: MySQL moves one series at a time; pass --manifests DIR holding the bundle of a KFP release on MySQL ${skipped}`,
      );
    } else if (next === series && seriesIndex(shipped) > seriesIndex(series)) {
      // Later hops are judged as if this one had moved MySQL: the refusal names the root cause only.
      afterHop = shipped;
      if (strategy === "images") {
        refusals.push(
          installed.era === "ksonnet"
            ? `${label} moves MySQL ${series} → ${shipped}, but a ksonnet-era install is moved with the images strategy only, which never touches mysql: upgrade to a release on MySQL ${series}, or reinstall KFP ${release.version} from its bundle onto the data`
            : input.strategy === "images"
              ? `${label} moves MySQL ${series} → ${shipped}, which the images strategy never does: drop --strategy images and pass --manifests DIR holding KFP ${release.version}'s bundle`
              : `${label} moves MySQL ${series} → ${shipped} and needs KFP ${release.version}'s bundle: pass --manifests DIR holding it`,
        );
      } else if (release.objects.length > 0) {
        refusals.push(
          `${label} moves MySQL ${series} → ${shipped}, but KFP ${release.version}'s bundle pins mysql image ${mysqlImageOf(release.objects) ?? "(none)"} (MySQL ${release.mysqlSeries}): use the release's own mysql image`,
        );
      }
    } else if (next !== series) {
      seriesMove = { from: series, to: next };
    }
    series = afterHop;
    // Any newer API server migrates the schema on start, and downgrades are unsupported (kubeflow/pipelines#3636).
    const newerApiServer =
      apiServerVersion === null || compareVersions(release.version, apiServerVersion) > 0;
    const keep = keptAfterPointOfNoReturn([
      ...live.keys(),
      ...release.objects.filter((o) => o.kind === "Deployment").map((o) => o.metadata.name),
    ]);
    const crossesSchemaMigration =
      compareVersions(release.version, SEAWEEDFS_SINCE) >= 0 &&
      (apiServerVersion === null || compareVersions(apiServerVersion, SEAWEEDFS_SINCE) < 0);
    const apiServerMarker = (): StepDraft => ({
      kind: "pointOfNoReturn",
      namespace,
      reason: `KFP ${release.version}'s API server starts and migrates the database schema${crossesSchemaMigration ? " (the one-way 2.15 migration)" : ""}${laterMigrations.map((m) => ` and runs ${m.what}`).join("")}; an older one cannot run on it`,
      keep,
    });
    const laterMigrations = newerApiServer
      ? oneWayApiMigrationsCrossed(apiServerVersion, release.version).filter(
          (m) => m.since !== SEAWEEDFS_SINCE,
        )
      : [];
    if (laterMigrations.some((m) => m.drainWorkflows)) {
      drainBeforeHop = drainWorkflows({
        namespace,
        snapshot,
        release: release.version,
        choice: input.runningWorkflows,
        refusals,
        warnings,
      });
    }
    if (newerApiServer && crossesSchemaMigration) {
      oneWay.push(
        `${label}: KFP ${release.version}'s API server runs the one-way 2.15 database schema migration`,
      );
    }
    // Said of a refused hop too: `check` lists every one-way step of the path.
    for (const migration of laterMigrations) {
      oneWay.push(`${label}: KFP ${release.version}'s API server runs ${migration.what}`);
      warnings.push(
        `Back up before ${label} (KFP ${migration.since}'s one-way migration, ${migration.source.split(";")[0]}): ${migration.backup.join(", ")}${migration.backup.some((b) => b.includes(UI_SIGNING_KEY_SECRET)) ? ` (\`kubectl -n ${namespace} get secret ${UI_SIGNING_KEY_SECRET} -o yaml\`, where it exists already)` : ""}`,
      );
    }
    if (refusals.length > refusedBefore) return;

    if (strategy === "images") {
      if (drainBeforeHop) steps.add(drainBeforeHop, hopNumber);
      const images = imageSteps({ snapshot, namespace, release, current: imagesSoFar });
      const apiAt = images.steps.findIndex(
        (step) => step.kind === "setImages" && step.deployment === API_SERVER_DEPLOYMENT,
      );
      if (apiAt >= 0 && newerApiServer) images.steps.splice(apiAt, 0, apiServerMarker());
      if (apiAt >= 0) apiServerVersion = release.version;
      steps.addAll(images.steps, hopNumber);
      if (images.steps.length === 0)
        notes.push(`hop to ${release.version}: every KFP image is already at ${release.version}`);
      if (images.deployments.length > 0) {
        steps.add({ kind: "waitRollout", namespace, deployments: images.deployments }, hopNumber);
      }
      if (verifyInventory) steps.add(verifyInventory, hopNumber);
      steps.add({ kind: "verifyBinding", namespace, claims: bindings }, hopNumber);
      return;
    }

    const prepared = prepareReleaseObjects(release, namespace, snapshot);
    refusals.push(...prepared.refusals);
    notes.push(...prepared.conversions.map((c) => `convert ${c}`));
    if (index === 0) notes.push(...prepared.notes);
    if (index === input.hops.length - 1) warnings.push(...sharedClusterWarnings(snapshot, prepared.objects));
    const storage = storageSteps({
      app: hopApp,
      snapshot,
      release,
      namespace,
      ...(input.gcp ? { gcp: input.gcp } : {}),
    });
    refusals.push(...storage.refusals);
    if (refusals.length > refusedBefore) return;
    notes.push(...storage.notes);
    for (const entry of storage.storage) {
      if (!storageOut.some((s) => s.claim === entry.claim)) storageOut.push(entry);
    }
    const clusterScoped = clusterScopedObjects({
      objects: prepared.objects,
      namespace,
      snapshot,
      releaseVersion: release.version,
      crds: liveCrds,
      command: input.command ?? "upgrade",
    });
    refusals.push(...clusterScoped.refusals);
    notes.push(...clusterScoped.notes);
    const dataClaims = Object.values(release.dataClaims);
    const guarded = withoutSharedClusterObjects(
      pruneCandidates({
        namespace,
        previous: previousObjects,
        snapshot: index === 0 ? snapshot : null,
        target: prepared.objects,
      }),
      snapshot,
      namespace,
    );
    notes.push(...guarded.notes);
    const going = guarded.objects;
    const dataClaimNames = [
      ...new Set([...Object.values(installed.dataClaims), ...Object.values(release.dataClaims)]),
    ];
    steps.addAll(ownerReferenceSteps(snapshot, namespace, going, dataClaimNames), hopNumber);
    let objectSteps: ReleaseObjectSteps;
    let marked = false;
    if (drainBeforeHop) steps.add(drainBeforeHop, hopNumber);
    let migrationWait: StepDraft | null = null;
    if (seriesMove) {
      // The MySQL series phase: every client stops, the old server's pod is gone, the new server starts alone on
      // the data directory, becomes Available and is verified, before anything else of the hop changes.
      const split = splitMysqlObjects(clusterScoped.objects);
      if (split.mysql.length === 0) {
        refusals.push(
          `${label} moves MySQL ${seriesMove.from} → ${seriesMove.to}, but KFP ${release.version}'s bundle has no mysql Deployment`,
        );
        return;
      }
      const clients = [...live.entries()]
        .filter(([name]) => !DATA_SERVER_DEPLOYMENTS.has(name))
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const oldMysql = live.get(MYSQL_DEPLOYMENT);
      const scaled = new Map<string, number>(clients.map(([name, d]) => [name, d.replicas]));
      if (oldMysql) scaled.set(MYSQL_DEPLOYMENT, oldMysql.replicas);
      const moving = `MySQL ${seriesMove.from} → ${seriesMove.to}`;
      if (clients.length > 0) {
        steps.add(
          {
            kind: "scaleDeployments",
            namespace,
            deployments: clients.map(([name, d]) => ({ name, from: d.replicas, to: 0 })),
            reason: `MySQL clients stop for ${moving}`,
          },
          hopNumber,
        );
        steps.add(
          {
            kind: "waitPodsGone",
            namespace,
            workloads: clients.map(([name, d]) => ({ name, selector: d.selector })),
            reason: "no client writes while MySQL changes series",
          },
          hopNumber,
        );
      }
      if (oldMysql) {
        steps.add(
          {
            kind: "scaleDeployments",
            namespace,
            deployments: [{ name: MYSQL_DEPLOYMENT, from: oldMysql.replicas, to: 0 }],
            reason: `the MySQL ${seriesMove.from} server stops`,
          },
          hopNumber,
        );
        steps.add(
          {
            kind: "waitPodsGone",
            namespace,
            workloads: [{ name: MYSQL_DEPLOYMENT, selector: oldMysql.selector }],
            reason: "one server per data directory",
          },
          hopNumber,
        );
      }
      const mysqlSteps = releaseObjectSteps({
        objects: withReplicas(split.mysql, scaled),
        prior,
        dataClaims,
      });
      notes.push(...mysqlSteps.notes);
      refusals.push(...mysqlSteps.refusals);
      steps.addAll(storage.provide, hopNumber);
      steps.addAll(mysqlSteps.config, hopNumber);
      steps.addAll(mysqlSteps.services, hopNumber);
      // Recorded before the new server starts: if the run dies from here on (a deleted namespace, a lost node), the
      // PVs name the newest MySQL that may have upgraded the data, so a reinstall never starts an older one on it.
      const mysqlClaim = bindings.find((binding) => binding.role === "mysql");
      if (mysqlClaim) {
        steps.add(
          {
            kind: "recordDataWriter",
            namespace,
            claims: [{ role: "mysql", claim: mysqlClaim.claim }],
            writer: {
              kfpVersion: release.version,
              mysqlSeries: seriesMove.to,
              objectStore: release.objectStore,
            },
          },
          hopNumber,
        );
      }
      steps.addAll(withOldSelectors(mysqlSteps.workloads, prior), hopNumber);
      steps.add({ kind: "waitRollout", namespace, deployments: [MYSQL_DEPLOYMENT] }, hopNumber);
      // MySQL 8.0+ upgrades its data dictionary at start, atomically, and rolls it back when the upgrade fails
      // (dev.mysql.com/doc/refman/8.0/en/upgrading-what-is-upgraded.html): a new server that never became Available
      // left the data as it was; one that did has moved it forward for good.
      oneWay.push(`${label}: MySQL ${seriesMove.from} → ${seriesMove.to} upgrades the data directory`);
      steps.add(
        {
          kind: "pointOfNoReturn",
          namespace,
          reason: `MySQL ${seriesMove.to} is Available: it upgraded the data directory of MySQL ${seriesMove.from}`,
          keep,
        },
        hopNumber,
      );
      marked = true;
      const newMysql = split.mysql.find((o) => o.kind === "Deployment");
      steps.add(
        {
          kind: "verifyMysqlSeries",
          namespace,
          deployment: MYSQL_DEPLOYMENT,
          selector: (newMysql && matchLabelsOf(newMysql)) ?? oldMysql?.selector ?? {},
          series: seriesMove.to,
        },
        hopNumber,
      );
      objectSteps = releaseObjectSteps({ objects: withReplicas(split.rest, scaled), prior, dataClaims });
      // Clients the release neither applies again nor prunes come back as they were.
      const goingNames = new Set(going.filter((o) => o.kind === "Deployment").map((o) => o.name));
      const reapplied = new Set(objectSteps.deployments);
      const back = clients.filter(([name]) => !reapplied.has(name) && !goingNames.has(name));
      if (back.length > 0) {
        objectSteps.workloads.push({
          kind: "scaleDeployments",
          namespace,
          deployments: back.map(([name, d]) => ({ name, from: 0, to: d.replicas })),
          reason: `back after ${moving}`,
        });
      }
    } else {
      const migration =
        newerApiServer &&
        clusterScoped.objects.some(
          (o) => o.kind === "Deployment" && o.metadata.name === API_SERVER_DEPLOYMENT,
        )
          ? oneWayApiMigrationCrossed(apiServerVersion, release.version)
          : undefined;
      const writers = migration
        ? [...live.entries()].filter(([name]) => API_WRITERS.some((w) => w === name))
        : [];
      if (migration && writers.length > 0) {
        // The API migration phase: the old API server and ScheduledWorkflow controller are gone before the new ones
        // start, so no old writer works on the data while the new server converts it (never two versions at once).
        const rule = oneWayApiMigration(migration);
        const scaled = new Map<string, number>(writers.map(([name, d]) => [name, d.replicas]));
        steps.add(
          {
            kind: "scaleDeployments",
            namespace,
            deployments: writers.map(([name, d]) => ({ name, from: d.replicas, to: 0 })),
            reason: `KFP ${migration}'s API server migrates the stored data one way; the old writers stop first`,
          },
          hopNumber,
        );
        steps.add(
          {
            kind: "waitPodsGone",
            namespace,
            workloads: writers.map(([name, d]) => ({ name, selector: d.selector })),
            reason: "never an old and a new API server on the same data",
          },
          hopNumber,
        );
        objectSteps = releaseObjectSteps({
          objects: withReplicas(clusterScoped.objects, scaled),
          prior,
          dataClaims,
        });
        const goingNames = new Set(going.filter((o) => o.kind === "Deployment").map((o) => o.name));
        const reapplied = new Set(objectSteps.deployments);
        const back = writers.filter(([name]) => !reapplied.has(name) && !goingNames.has(name));
        if (back.length > 0) {
          objectSteps.workloads.push({
            kind: "scaleDeployments",
            namespace,
            deployments: back.map(([name, d]) => ({ name, from: 0, to: d.replicas })),
            reason: `back after KFP ${migration}'s migration`,
          });
        }
        migrationWait = {
          kind: "waitRollout",
          namespace,
          deployments: [API_SERVER_DEPLOYMENT],
          timeoutSeconds: input.migrationTimeoutSeconds ?? DEFAULT_MIGRATION_TIMEOUT_SECONDS,
          reason: `KFP ${migration}'s API server migrates the stored data at its first start`,
          ...(rule?.progressLog ? { progressLog: rule.progressLog.source } : {}),
        };
        // Recorded before the new server starts: the PVs name the newest KFP that may have moved the data, so a
        // rollback or reinstall never starts an API server from before the migration on it.
        const mysqlClaim = bindings.find((binding) => binding.role === "mysql");
        if (mysqlClaim) {
          steps.add(
            {
              kind: "recordDataWriter",
              namespace,
              claims: [{ role: "mysql", claim: mysqlClaim.claim }],
              writer: { kfpVersion: release.version, mysqlSeries: series, objectStore: release.objectStore },
            },
            hopNumber,
          );
        }
      } else {
        objectSteps = releaseObjectSteps({ objects: clusterScoped.objects, prior, dataClaims });
      }
    }
    notes.push(...objectSteps.notes);
    refusals.push(...objectSteps.refusals);
    steps.addAll(objectSteps.namespace, hopNumber);
    steps.addAll(objectSteps.crds, hopNumber);
    steps.addAll(objectSteps.cluster, hopNumber);
    steps.addAll(objectSteps.config, hopNumber);
    if (!seriesMove) steps.addAll(storage.provide, hopNumber);
    steps.addAll(objectSteps.services, hopNumber);
    const startsApiServer = prepared.objects.some(
      (o) => o.kind === "Deployment" && o.metadata.name === API_SERVER_DEPLOYMENT,
    );
    if (startsApiServer && newerApiServer && !marked) steps.add(apiServerMarker(), hopNumber);
    if (startsApiServer) apiServerVersion = release.version;
    steps.addAll(withOldSelectors(objectSteps.workloads, prior), hopNumber);
    steps.addAll(objectSteps.other, hopNumber);
    steps.addAll(
      storage.settle.filter((s) => s.kind !== "waitBound" || s.claims.some((c) => c.volumeUid === null)),
      hopNumber,
    );
    if (migrationWait) steps.add(migrationWait, hopNumber);
    if (objectSteps.deployments.length > 0) {
      steps.add({ kind: "waitRollout", namespace, deployments: objectSteps.deployments }, hopNumber);
    }
    // KFP still lists what it listed before, checked before anything of the hop is pruned.
    if (verifyInventory) steps.add(verifyInventory, hopNumber);
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
    for (const object of prepared.objects) {
      if (object.kind !== "Deployment") continue;
      live.set(object.metadata.name, {
        selector: matchLabelsOf(object) ?? {},
        replicas: replicasOf(object) ?? 1,
      });
    }
    for (const ref of going) if (ref.kind === "Deployment") live.delete(ref.name);
  });

  const cannot = `Cannot upgrade KFP ${snapshot.installedVersion ?? "(not installed)"} to ${input.hops.at(-1)?.to ?? "?"} in namespace "${namespace}"`;
  const adoption = adoptInstalls({
    snapshot,
    steps: steps.steps,
    adopt: input.adopt === true,
    to: input.hops.at(-1)?.to ?? snapshot.installedVersion ?? installed.version,
  });
  // Every problem at once: a Helm or GitOps install is one more when there are others.
  if (adoption.refusal && refusals.length > 0) refusals.push(...adoption.refusal.problems);
  const refusal = gatherRefusals(
    [
      () =>
        refuseIfAny(
          [...new Set(refusals)],
          cannot,
          "Nothing was changed. Fix the problems above and run the command again.",
        ),
      () => {
        if (adoption.refusal) throw adoptionRefusal(cannot, adoption.refusal);
      },
      () => refuseLegacySchema(input.inventory, inventoryPath, cannot),
    ],
    { collect: input.collectRefusals === true, what: cannot },
  );
  warnings.push(...adoption.warnings);
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
    steps: withServerDryRuns(placeAdoption(steps.steps, adoption)),
    warnings: [...new Set(warnings)],
    ...(oneWay.length > 0 ? { oneWay: [...new Set(oneWay)] } : {}),
    // Each hop of a multi-hop plan says the same about, say, the Secrets it keeps; once is enough.
    notes: [...new Set(notes)],
    ...(refusal ? { refusal } : {}),
    createdAt: input.now.toISOString(),
  };
}

/**
 * The install's running Deployments (by name, in the namespace): those the installed release or any hop's release
 * names, or that carry KFP's label. In a MySQL series phase every one of them but the data servers is a client.
 */
function liveDeployments(input: UpgradePlanInput): Map<string, LiveDeployment> {
  const names = new Set<string>();
  const addRelease = (info: ReleaseInfo & { objects?: KubeObject[] }) => {
    for (const component of info.components) names.add(component.deployment);
    for (const object of info.objects ?? [])
      if (object.kind === "Deployment") names.add(object.metadata.name);
  };
  addRelease(input.installed);
  for (const hop of input.hops) addRelease(hop.release);
  const live = new Map<string, LiveDeployment>();
  for (const d of input.snapshot.deployments) {
    if (d.namespace !== input.app.namespace) continue;
    if (!names.has(d.name) && d.labels["application-crd-id"] !== "kubeflow-pipelines") continue;
    live.set(d.name, { selector: d.selector, replicas: d.replicas });
  }
  return live;
}

/** A recreated Deployment carries the selector it replaces, so the executor waits for that selector's pods. */
function withOldSelectors(drafts: StepDraft[], prior: PriorState): StepDraft[] {
  return drafts.map((draft) => {
    if (draft.kind !== "recreateDeployment") return draft;
    const oldSelector = prior.selectorOf(draft.namespace, draft.name);
    return oldSelector ? { ...draft, oldSelector } : draft;
  });
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

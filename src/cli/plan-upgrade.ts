import type { KfpApp } from "../app/kfp-app.js";
import { PreflightRefusal } from "../errors.js";
import type { KubeClient } from "../kube/kube-client.js";
import type { ClusterSnapshot } from "../model/cluster-snapshot.js";
import {
  buildUpgradePlan,
  type ObjectStoreChoice,
  type Strategy,
  type UpgradeHop,
} from "../plan/build-upgrade-plan.js";
import type { Plan } from "../plan/plan.js";
import { pathFor, type UpgradePath } from "../release/path-for.js";
import type { Release } from "../release/release.js";
import type { CommandDeps } from "./command-deps.js";
import type { KfpApiOptions } from "./inventory-options.js";
import { planInventoryBefore } from "./plan-inventory-before.js";
import { readGcpDisks } from "./read-gcp-disks.js";
import { hasBundleIn, type ReleaseLookup, resolveReleaseForApp } from "./resolve-release-for-app.js";

export interface PlanUpgradeInput {
  client: KubeClient;
  snapshot: ClusterSnapshot;
  app: KfpApp;
  appDir: string;
  releases: ReleaseLookup;
  target: Release;
  variant: Release["variant"];
  options: KfpApiOptions & {
    skipInventory: boolean;
    strategy: Strategy;
    adopt: boolean;
    migrationTimeout: number;
    /** `--object-store` as given (undefined: not given). */
    objectStore?: ObjectStoreChoice | undefined;
    /** A hop into 2.18 while Argo Workflows run: wait for them, or go ahead anyway (refused otherwise). */
    waitForWorkflows: boolean;
    ignoreRunningWorkflows: boolean;
  };
  /** The object-store choice in force: the flag's, else the one kfp-app.yaml saved. */
  objectStore: ObjectStoreChoice | undefined;
  /** `check`: every refusal goes into the plan instead of being thrown at the first. */
  collectRefusals?: boolean;
  deps: Pick<CommandDeps, "env" | "now">;
}

/**
 * The plan `upgrade` runs and `check` reports on, from a snapshot of the cluster: the path, each hop's release, KFP's
 * inventory and (only when a hop creates a PV) the GCP disks, read-only. Throws when there is no install or no path.
 */
export async function planUpgrade(input: PlanUpgradeInput): Promise<{ plan: Plan; path: UpgradePath }> {
  const { app, snapshot, target, options } = input;
  const installedVersion = snapshot.installedVersion;
  if (installedVersion === null) {
    throw new PreflightRefusal(
      "NOT_INSTALLED",
      `no KFP install found in namespace "${app.namespace}"${snapshot.namespace.exists ? "" : " (the namespace does not exist)"}`,
      {
        hint: "Use `kfp-upgrade deploy` for a first install, or `kfp-upgrade reinstall` to re-attach old volumes.",
      },
    );
  }
  const installed = await resolveReleaseForApp(installedVersion, input.releases, app.release.variant);
  const path = pathFor(installedVersion, target.version, {
    hasBundle: hasBundleIn(input.releases),
    // The series on the data is what the running mysql image says, not what the catalogue guesses.
    ...(snapshot.running.mysql?.series ? { fromSeries: snapshot.running.mysql.series } : {}),
  });
  const hops: UpgradeHop[] = [];
  for (const hop of path.hops) {
    const release =
      hop.to === target.version ? target : await resolveReleaseForApp(hop.to, input.releases, input.variant);
    hops.push({ from: hop.from, to: hop.to, reason: hop.reason, release });
  }
  const inventory = await planInventoryBefore(input.client, app.namespace, installedVersion, options);
  // A hop creates a PV only for a data claim that is missing: only then are GCP disks asked about.
  const claimMissing = hops.some(({ release }) =>
    Object.values(release.dataClaims).some(
      (claim) => !snapshot.claims.some((c) => c.name === claim && c.namespace === app.namespace),
    ),
  );
  const gcp = claimMissing
    ? await readGcpDisks({
        app,
        appDir: input.appDir,
        gcpDeployment: undefined,
        client: input.client,
        env: input.deps.env,
      })
    : undefined;
  const objectStore = input.objectStore;
  const plan = buildUpgradePlan({
    ...(gcp?.findings ? { gcp: gcp.findings } : {}),
    inventory,
    app,
    snapshot,
    installed,
    hops,
    strategy: options.strategy,
    adopt: options.adopt,
    migrationTimeoutSeconds: options.migrationTimeout,
    ...(options.waitForWorkflows ? { runningWorkflows: "wait" as const } : {}),
    ...(options.ignoreRunningWorkflows ? { runningWorkflows: "ignore" as const } : {}),
    ...(objectStore ? { objectStore, objectStoreFrom: options.objectStore ? "flag" : "app" } : {}),
    ...(input.collectRefusals ? { collectRefusals: true } : {}),
    now: input.deps.now(),
  });
  plan.warnings.push(...(gcp?.warnings ?? []));
  if (path.schemaOneWay) {
    plan.warnings.push(
      `KFP ${target.version} migrates the database schema on start and cannot be rolled back (kubeflow/pipelines#3636): back up MySQL first`,
    );
  }
  return { plan, path };
}

import { z } from "zod";
import { PreflightRefusal } from "../../errors.js";
import { takeSnapshot } from "../../kube/take-snapshot.js";
import {
  buildUpgradePlan,
  DEFAULT_MIGRATION_TIMEOUT_SECONDS,
  type UpgradeHop,
} from "../../plan/build-upgrade-plan.js";
import { pathFor } from "../../release/path-for.js";
import type { CommandDeps } from "../command-deps.js";
import type { CommandResult } from "../command-result.js";
import { type BackupMemo, decideBackup, gcpPlatformOf } from "../decide-backup.js";
import { executeCommand } from "../execute-plan.js";
import type { GlobalOptions } from "../global-options.js";
import { kfpApiOptionsSchema } from "../inventory-options.js";
import { durationSecondsSchema } from "../parse-duration.js";
import { parseOptions } from "../parse-options.js";
import { planInventoryBefore } from "../plan-inventory-before.js";
import { prepareRun } from "../prepare-run.js";
import { readGcpDisks } from "../read-gcp-disks.js";
import { hasBundleIn, resolveReleaseForApp } from "../resolve-release-for-app.js";

export const upgradeOptionsSchema = kfpApiOptionsSchema.extend({
  tag: z.string().min(1).default("latest"),
  strategy: z.enum(["auto", "manifests", "images"]).default("auto"),
  objectStore: z.enum(["keep-minio", "seaweedfs"]).optional(),
  /** Take over an install a Helm release or a GitOps controller tracks. */
  adopt: z.boolean().default(false),
  rollback: z.boolean().default(true),
  waitForLock: z.boolean().default(false),
  skipInventory: z.boolean().default(false),
  /** How long a migrating API server may take to become Available (90s, 30m, 1h, or seconds). */
  migrationTimeout: durationSecondsSchema.default(DEFAULT_MIGRATION_TIMEOUT_SECONDS),
  /** `--backup` true, `--no-backup` false, neither undefined (asked before one-way changes). */
  backup: z.boolean().optional(),
});

/** Move the running install to a release through every hop `pathFor` requires, in one command. */
export async function upgrade(
  raw: unknown,
  global: GlobalOptions,
  deps: CommandDeps,
  /** `kfp-upgrade diff`: the dry run's per-object unified diff instead of the plan. */
  show: { diff: boolean } = { diff: false },
): Promise<CommandResult> {
  const options = parseOptions(upgradeOptionsSchema, raw);
  const run = await prepareRun(global, deps);
  const { app, manifestsDir } = run;
  // The choice made when crossing 2.15 is saved in kfp-app.yaml and holds for later upgrades unless a flag changes it.
  const objectStore = options.objectStore ?? app.release.objectStore;
  const variant =
    objectStore === "keep-minio" ? "minio" : objectStore === "seaweedfs" ? "default" : app.release.variant;
  const target = await resolveReleaseForApp(options.tag, run.releases, variant);
  const client = await run.connect();
  const memo: BackupMemo = {};
  return executeCommand({
    global,
    deps,
    diff: show.diff,
    client,
    appDir: run.appDir,
    releases: run.releases,
    app: run.app,
    rollback: options.rollback,
    waitForLock: options.waitForLock,
    createNamespace: false,
    kfpApi: options,
    mode: {
      kind: "fresh",
      namespace: app.namespace,
      async build(locked) {
        const snapshot = await takeSnapshot(locked, { namespace: app.namespace });
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
        const installed = await resolveReleaseForApp(installedVersion, run.releases, app.release.variant);
        const path = pathFor(installedVersion, target.version, {
          hasBundle: hasBundleIn(run.releases),
          // The series on the data is what the running mysql image says, not what the catalogue guesses.
          ...(snapshot.running.mysql?.series ? { fromSeries: snapshot.running.mysql.series } : {}),
        });
        const hops: UpgradeHop[] = [];
        for (const hop of path.hops) {
          const release =
            hop.to === target.version ? target : await resolveReleaseForApp(hop.to, run.releases, variant);
          hops.push({ from: hop.from, to: hop.to, reason: hop.reason, release });
        }
        const inventory = await planInventoryBefore(locked, app.namespace, installedVersion, options);
        // A hop creates a PV only for a data claim that is missing: only then are GCP disks asked about.
        const claimMissing = hops.some(({ release }) =>
          Object.values(release.dataClaims).some(
            (claim) => !snapshot.claims.some((c) => c.name === claim && c.namespace === app.namespace),
          ),
        );
        const gcp = claimMissing
          ? await readGcpDisks({
              app,
              appDir: run.appDir,
              gcpDeployment: undefined,
              client: locked,
              env: deps.env,
            })
          : undefined;
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
          ...(objectStore ? { objectStore, objectStoreFrom: options.objectStore ? "flag" : "app" } : {}),
          now: deps.now(),
        });
        plan.warnings.push(...(gcp?.warnings ?? []));
        if (path.schemaOneWay) {
          plan.warnings.push(
            `KFP ${target.version} migrates the database schema on start and cannot be rolled back (kubeflow/pipelines#3636): back up MySQL first`,
          );
        }
        return {
          plan: await decideBackup({
            client: locked,
            plan,
            snapshot,
            flag: options.backup,
            global,
            deps,
            memo,
            gcp: gcpPlatformOf(app),
          }),
          context: {
            release: {
              version: target.version,
              variant: target.variant,
              ...(manifestsDir ? { manifests: manifestsDir } : {}),
            },
            app: {
              ...app,
              version: target.version,
              release: { ...app.release, variant: target.variant, ...(objectStore ? { objectStore } : {}) },
            },
          },
        };
      },
    },
  });
}

import { z } from "zod";
import { takeSnapshot } from "../../kube/take-snapshot.js";
import { DEFAULT_MIGRATION_TIMEOUT_SECONDS } from "../../plan/build-upgrade-plan.js";
import type { CommandDeps } from "../command-deps.js";
import type { CommandResult } from "../command-result.js";
import { decideAdminBinding } from "../decide-admin-binding.js";
import { type BackupMemo, decideBackup, gcpPlatformOf } from "../decide-backup.js";
import { executeCommand } from "../execute-plan.js";
import type { GlobalOptions } from "../global-options.js";
import { kfpApiOptionsSchema } from "../inventory-options.js";
import { durationSecondsSchema } from "../parse-duration.js";
import { parseOptions } from "../parse-options.js";
import { planUpgrade } from "../plan-upgrade.js";
import { prepareRun } from "../prepare-run.js";
import { resolveReleaseForApp } from "../resolve-release-for-app.js";

export const upgradeOptionsSchema = kfpApiOptionsSchema
  .extend({
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
    /** A hop into 2.18 while Argo Workflows run: wait for them, or go ahead anyway (refused otherwise). */
    waitForWorkflows: z.boolean().default(false),
    ignoreRunningWorkflows: z.boolean().default(false),
  })
  .refine((options) => !(options.waitForWorkflows && options.ignoreRunningWorkflows), {
    message:
      "--wait-for-workflows and --ignore-running-workflows exclude each other: wait for the Workflows, or go ahead",
    path: ["waitForWorkflows"],
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
        const { plan } = await planUpgrade({
          client: locked,
          snapshot,
          app,
          appDir: run.appDir,
          releases: run.releases,
          target,
          variant,
          options,
          objectStore,
          deps,
        });
        return {
          plan: await decideAdminBinding({
            client: locked,
            app,
            env: deps.env,
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

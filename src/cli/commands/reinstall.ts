import { z } from "zod";
import { loadVolumeDefinitions } from "../../app/saved-volumes.js";
import { PreflightRefusal, UsageError } from "../../errors.js";
import { takeSnapshot } from "../../kube/take-snapshot.js";
import { buildDeployPlan } from "../../plan/build-deploy-plan.js";
import { applyStorageFlags } from "../apply-storage-flags.js";
import type { CommandDeps } from "../command-deps.js";
import type { CommandResult } from "../command-result.js";
import { executeCommand } from "../execute-plan.js";
import { type GlobalOptions, storageFlagsSchema } from "../global-options.js";
import { parseOptions } from "../parse-options.js";
import { prepareRun } from "../prepare-run.js";
import { resolveReleaseForApp } from "../resolve-release-for-app.js";

export const reinstallOptionsSchema = storageFlagsSchema.extend({
  tag: z.string().min(1).optional(),
  waitForLock: z.boolean().default(false),
  acceptVolumeMismatch: z.boolean().default(false),
  acceptSchemaMigration: z.boolean().default(false),
});

/**
 * Bring KFP back on its old volumes: in the same cluster after the namespace was deleted (Released PVs get their
 * stale claimRef cleared), or in a new cluster from the PV definitions saved in `.kfp-upgrade/volumes/`.
 */
export async function reinstall(
  raw: unknown,
  global: GlobalOptions,
  deps: CommandDeps,
): Promise<CommandResult> {
  const options = parseOptions(reinstallOptionsSchema, raw);
  const run = await prepareRun(global, deps);
  const app = applyStorageFlags(run.app, options);
  const tag = options.tag ?? app.version;
  if (!tag) {
    throw new UsageError("VERSION_UNKNOWN", `the app in ${run.appDir} records no KFP version to reinstall`, {
      hint: "Pass --tag with the version that wrote the data (reinstalling a newer one would migrate the schema).",
    });
  }
  const saved = await loadVolumeDefinitions(run.appDir);
  const missing = (["mysql", "objectStore"] as const).filter(
    (role) => !saved[role] && !app.storage[role].pvName && !app.storage[role].gcpDisk,
  );
  const release = await resolveReleaseForApp(tag, run.manifestsDir, app.release.variant);
  const client = await run.connect();
  return executeCommand({
    global,
    deps,
    client,
    appDir: run.appDir,
    manifestsDir: run.manifestsDir,
    app: run.app,
    rollback: true,
    waitForLock: options.waitForLock,
    createNamespace: true,
    mode: {
      kind: "fresh",
      namespace: app.namespace,
      async build(locked) {
        const snapshot = await takeSnapshot(locked, { namespace: app.namespace });
        const existingClaims = new Set(snapshot.claims.map((claim) => claim.name));
        const unknown = missing.filter((role) => !existingClaims.has(release.dataClaims[role]));
        if (unknown.length > 0) {
          throw new PreflightRefusal(
            "NO_OLD_VOLUMES",
            `reinstall needs the old data volumes, but none is known for ${unknown.join(" and ")}: no saved PV definition in .kfp-upgrade/volumes/ and no PV or disk given`,
            {
              hint: "Pass --mysql-pv/--minio-pv (or --mysql-pd/--minio-pd), or use `kfp-upgrade deploy` for a fresh install.",
            },
          );
        }
        const plan = buildDeployPlan({
          app,
          snapshot,
          release,
          savedVolumes: saved as Parameters<typeof buildDeployPlan>[0]["savedVolumes"],
          command: "reinstall",
          accept: {
            volumeMismatch: options.acceptVolumeMismatch,
            schemaMigration: options.acceptSchemaMigration,
          },
          now: deps.now(),
        });
        plan.warnings.push(...(release.warnings ?? []));
        return {
          plan,
          context: {
            release: {
              version: release.version,
              variant: release.variant,
              ...(run.manifestsDir ? { manifests: run.manifestsDir } : {}),
            },
            app: { ...app, ...(locked.context ? { context: locked.context } : {}), version: release.version },
          },
        };
      },
    },
  });
}

import { z } from "zod";
import { GCP_STORAGE_EDIT_WARNING, planGcpStorageEdit } from "../../app/edit-gcp-storage-config.js";
import type { KfpApp } from "../../app/kfp-app.js";
import { loadVolumeDefinitions } from "../../app/saved-volumes.js";
import { PreflightRefusal, UsageError } from "../../errors.js";
import { takeSnapshot } from "../../kube/take-snapshot.js";
import type { ClusterSnapshot } from "../../model/cluster-snapshot.js";
import { buildDeployPlan } from "../../plan/build-deploy-plan.js";
import { compareVersions } from "../../release/compare-versions.js";
import { findDiskVolumes } from "../../storage/find-disk-volumes.js";
import { applyStorageFlags } from "../apply-storage-flags.js";
import type { CommandDeps } from "../command-deps.js";
import type { CommandResult } from "../command-result.js";
import { decideAdminBinding } from "../decide-admin-binding.js";
import { type BackupMemo, decideBackup, gcpPlatformOf } from "../decide-backup.js";
import { executeCommand } from "../execute-plan.js";
import { type GlobalOptions, storageFlagsSchema } from "../global-options.js";
import { kfpApiOptionsSchema } from "../inventory-options.js";
import { baselineOf, loadInventory, multiUserOf } from "../kfp-inventory.js";
import { parseOptions } from "../parse-options.js";
import { prepareRun } from "../prepare-run.js";
import { readGcpDisks } from "../read-gcp-disks.js";
import { resolveReleaseForApp } from "../resolve-release-for-app.js";

export const reinstallOptionsSchema = storageFlagsSchema.extend({
  ...kfpApiOptionsSchema.shape,
  skipInventory: z.boolean().default(false),
  tag: z.string().min(1).optional(),
  waitForLock: z.boolean().default(false),
  acceptVolumeMismatch: z.boolean().default(false),
  acceptSchemaMigration: z.boolean().default(false),
  /** `--backup` true, `--no-backup` false, neither undefined (asked before one-way changes). */
  backup: z.boolean().optional(),
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
  const flagged = applyStorageFlags(run.app, options);
  const appTag = options.tag ?? flagged.version;
  if (!appTag) {
    throw new UsageError("VERSION_UNKNOWN", `the app in ${run.appDir} records no KFP version to reinstall`, {
      hint: "Pass --tag with the version that wrote the data (reinstalling a newer one would migrate the schema).",
    });
  }
  const saved = await loadVolumeDefinitions(run.appDir);
  const client = await run.connect();
  const gcp = await readGcpDisks({
    app: flagged,
    appDir: run.appDir,
    gcpDeployment: options.gcpDeployment,
    client,
    env: deps.env,
  });
  for (const note of gcp.notes) deps.output.info(`note: ${note}`);
  const app = gcp.app;
  const missing = (["mysql", "objectStore"] as const).filter(
    (role) => !saved[role] && !app.storage[role].pvName && !app.storage[role].gcpDisk,
  );
  let release = await resolveReleaseForApp(appTag, run.releases, app.release.variant);
  const memo: BackupMemo = {};
  return executeCommand({
    global,
    deps,
    client,
    appDir: run.appDir,
    releases: run.releases,
    app: run.app,
    rollback: true,
    waitForLock: options.waitForLock,
    createNamespace: true,
    kfpApi: options,
    mode: {
      kind: "fresh",
      namespace: app.namespace,
      async build(locked) {
        const snapshot = await takeSnapshot(locked, { namespace: app.namespace });
        // Without --tag, the release is the newest that may have written the data: a run that died after starting a
        // newer MySQL (a namespace deleted mid-upgrade) recorded it on the PVs, and an older MySQL cannot start there.
        const written = options.tag === undefined ? newestWriterOnVolumes(snapshot, app, saved) : null;
        if (written && compareVersions(written, release.version) > 0) {
          release = await resolveReleaseForApp(written, run.releases, app.release.variant);
          release.warnings = [
            ...(release.warnings ?? []),
            `reinstalling KFP ${written}, not the app's ${appTag}: the data volumes record that KFP ${written} may have written them (an older MySQL or API server cannot start on that data)`,
          ];
        }
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
        const recorded = options.skipInventory ? undefined : await loadInventory(run.appDir);
        const storageConfigEdit = await planGcpStorageEdit(run.appDir);
        const plan = buildDeployPlan({
          inventory: options.skipInventory
            ? { state: "skipped" }
            : recorded
              ? {
                  state: "recorded",
                  ...(options.kfpEndpoint ? { endpoint: options.kfpEndpoint } : {}),
                  ...(multiUserOf(options) ? { multiUser: multiUserOf(options) } : {}),
                  baseline: baselineOf(recorded.inventory),
                  recordedAt: recorded.recordedAt,
                }
              : {
                  state: "none",
                  ...(options.kfpEndpoint ? { endpoint: options.kfpEndpoint } : {}),
                  ...(multiUserOf(options) ? { multiUser: multiUserOf(options) } : {}),
                },
          app,
          snapshot,
          release,
          savedVolumes: saved as Parameters<typeof buildDeployPlan>[0]["savedVolumes"],
          command: "reinstall",
          accept: {
            volumeMismatch: options.acceptVolumeMismatch,
            schemaMigration: options.acceptSchemaMigration,
          },
          ...(gcp.findings ? { gcp: gcp.findings } : {}),
          ...(storageConfigEdit ? { appFileEdits: [storageConfigEdit] } : {}),
          now: deps.now(),
        });
        plan.warnings.push(
          ...(release.warnings ?? []),
          ...gcp.warnings,
          ...(storageConfigEdit ? [GCP_STORAGE_EDIT_WARNING] : []),
        );
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

/** The newest KFP version recorded on the PVs this reinstall would re-attach (by name, or by GCP disk), or null. */
function newestWriterOnVolumes(
  snapshot: ClusterSnapshot,
  app: KfpApp,
  saved: Awaited<ReturnType<typeof loadVolumeDefinitions>>,
): string | null {
  const platform = app.platform;
  const names = (["mysql", "objectStore"] as const).flatMap((role) => {
    const disk = app.storage[role].gcpDisk;
    if (disk && platform.type === "gcp") {
      return findDiskVolumes(snapshot.volumes, { name: disk, project: platform.project }).map((v) => v.name);
    }
    const name = app.storage[role].pvName ?? saved[role]?.metadata.name;
    return name ? [name] : [];
  });
  const versions = snapshot.volumes
    .filter((volume) => names.includes(volume.name))
    .flatMap((volume) => (volume.dataWrittenBy ? [volume.dataWrittenBy.kfpVersion] : []));
  return versions.sort(compareVersions).at(-1) ?? null;
}

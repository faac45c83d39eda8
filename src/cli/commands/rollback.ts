import { z } from "zod";
import { readHistory } from "../../app/history.js";
import { PreflightRefusal, UsageError } from "../../errors.js";
import { takeSnapshot } from "../../kube/take-snapshot.js";
import type { ClusterSnapshot } from "../../model/cluster-snapshot.js";
import { buildUpgradePlan } from "../../plan/build-upgrade-plan.js";
import { rollbackRefusals } from "../../plan/rollback-refusals.js";
import { compareVersions, isVersion } from "../../release/compare-versions.js";
import type { CommandDeps } from "../command-deps.js";
import type { CommandResult } from "../command-result.js";
import { executeCommand } from "../execute-plan.js";
import type { GlobalOptions } from "../global-options.js";
import { parseOptions } from "../parse-options.js";
import { prepareRun } from "../prepare-run.js";
import { resolveReleaseForApp } from "../resolve-release-for-app.js";

export const rollbackOptionsSchema = z.object({
  to: z.coerce.number().int().positive().optional(),
  strategy: z.enum(["auto", "manifests", "images"]).default("auto"),
  waitForLock: z.boolean().default(false),
});

/**
 * Return the stateless components to the release an earlier run installed (`--to N`, a history id), or to the
 * release before the last successful upgrade. Refused where the data moved with the upgrade.
 */
export async function rollback(
  raw: unknown,
  global: GlobalOptions,
  deps: CommandDeps,
): Promise<CommandResult> {
  const options = parseOptions(rollbackOptionsSchema, raw);
  const run = await prepareRun(global, deps);
  const entries = await readHistory(run.appDir);
  const chosen =
    options.to !== undefined
      ? entries.find((entry) => entry.id === options.to)
      : [...entries].reverse().find((entry) => entry.command === "upgrade" && entry.outcome === "succeeded");
  if (!chosen) {
    throw new UsageError(
      "ROLLBACK_TARGET_UNKNOWN",
      options.to !== undefined
        ? `history has no run ${options.to}`
        : "history has no successful upgrade to roll back",
      { hint: "`kfp-upgrade history` lists the runs; pass --to ID." },
    );
  }
  if (chosen.outcome !== "succeeded") {
    // A failed, refused or rolled-back run's target never ran on this data: going "back" to it is not a rollback.
    throw new PreflightRefusal(
      "ROLLBACK_TARGET_FAILED",
      `run ${chosen.id} (${chosen.command} to ${chosen.to}) did not succeed (${chosen.outcome}): its release never ran on this data`,
      { hint: "`kfp-upgrade history` lists the runs; pass --to with the id of a run that succeeded." },
    );
  }
  const targetVersion = options.to !== undefined ? chosen.to : chosen.from;
  if (!targetVersion)
    throw new UsageError("ROLLBACK_TARGET_UNKNOWN", `run ${chosen.id} records no earlier version`);
  const target = await resolveReleaseForApp(targetVersion, run.releases, run.app.release.variant);
  const client = await run.connect();
  return executeCommand({
    global,
    deps,
    client,
    appDir: run.appDir,
    releases: run.releases,
    app: run.app,
    rollback: true,
    waitForLock: options.waitForLock,
    createNamespace: false,
    mode: {
      kind: "fresh",
      namespace: run.app.namespace,
      async build(locked) {
        const snapshot = await takeSnapshot(locked, { namespace: run.app.namespace });
        if (!snapshot.installedVersion) {
          throw new PreflightRefusal(
            "NOT_INSTALLED",
            `no KFP install found in namespace "${run.app.namespace}"`,
          );
        }
        const installed = await resolveReleaseForApp(
          snapshot.installedVersion,
          run.releases,
          run.app.release.variant,
        );
        // The series on the data is what the running mysql image says, not what the catalogue guesses.
        const onData = { ...installed, mysqlSeries: snapshot.running.mysql?.series ?? installed.mysqlSeries };
        const refusals = rollbackRefusals(onData, target, newestOnData(snapshot, installed.dataClaims.mysql));
        if (refusals.length > 0) {
          throw new PreflightRefusal(
            "ROLLBACK_REFUSED",
            `cannot roll back KFP ${installed.version} to ${target.version}: ${refusals.join("; ")}`,
            { hint: "Restore the database and volumes from the backup taken before the upgrade instead." },
          );
        }
        const plan = buildUpgradePlan({
          app: run.app,
          snapshot,
          installed,
          hops: [
            {
              from: installed.version,
              to: target.version,
              reason: `roll back to ${target.version} (run ${chosen.id})`,
              release: target,
            },
          ],
          strategy: options.strategy,
          command: "rollback",
          now: deps.now(),
        });
        return {
          plan,
          context: {
            release: {
              version: target.version,
              variant: target.variant,
              ...(run.manifestsDir ? { manifests: run.manifestsDir } : {}),
            },
            app: { ...run.app, version: target.version },
          },
        };
      },
    },
  });
}

/**
 * The newest KFP known to have run on the data: the writer recorded on the MySQL PV (recorded before a one-way
 * migration's API server starts, so a run that failed forward still names it) or the running API server.
 */
function newestOnData(snapshot: ClusterSnapshot, mysqlClaim: string): string | null {
  const claim = snapshot.claims.find((c) => c.name === mysqlClaim && c.namespace === snapshot.namespace.name);
  const recorded = snapshot.volumes.find((v) => v.name === claim?.volumeName)?.dataWrittenBy?.kfpVersion;
  const candidates = [recorded, snapshot.running.apiServer?.version].filter(
    (v): v is string => typeof v === "string" && isVersion(v),
  );
  return candidates.sort(compareVersions).at(-1) ?? null;
}

import { z } from "zod";
import { EXIT_CODES, type ExitCode, PreflightRefusal } from "../../errors.js";
import { takeSnapshot } from "../../kube/take-snapshot.js";
import { DEFAULT_MIGRATION_TIMEOUT_SECONDS } from "../../plan/build-upgrade-plan.js";
import { buildCheckReport, type CheckDrain, type CheckReport } from "../../plan/check-report.js";
import type { Plan } from "../../plan/plan.js";
import { assessBackup, type BackupAssessment } from "../../plan/plan-backup.js";
import { renderCheckReport } from "../../plan/render-check-report.js";
import type { UpgradePath } from "../../release/path-for.js";
import { oneWayApiMigrationsCrossed } from "../../release/release-rules.js";
import type { CommandDeps } from "../command-deps.js";
import type { CommandResult } from "../command-result.js";
import { gcpPlatformOf } from "../decide-backup.js";
import type { GlobalOptions } from "../global-options.js";
import { kfpApiOptionsSchema } from "../inventory-options.js";
import { parseOptions } from "../parse-options.js";
import { planUpgrade } from "../plan-upgrade.js";
import { prepareRun } from "../prepare-run.js";
import { readSnapshotClasses } from "../read-snapshot-classes.js";
import { resolveReleaseForApp } from "../resolve-release-for-app.js";

/** The flags that shape `upgrade`'s plan, so the report is the one `upgrade --tag T` with the same flags would meet. */
export const checkOptionsSchema = kfpApiOptionsSchema
  .extend({
    to: z.string().min(1).optional(),
    /** `--tag`, as `upgrade` spells it. */
    tag: z.string().min(1).optional(),
    strategy: z.enum(["auto", "manifests", "images"]).default("auto"),
    objectStore: z.enum(["keep-minio", "seaweedfs"]).optional(),
    adopt: z.boolean().default(false),
    skipInventory: z.boolean().default(false),
    waitForWorkflows: z.boolean().default(false),
    ignoreRunningWorkflows: z.boolean().default(false),
  })
  .superRefine((options, ctx) => {
    if (options.waitForWorkflows && options.ignoreRunningWorkflows) {
      ctx.addIssue({
        code: "custom",
        path: ["waitForWorkflows"],
        message:
          "--wait-for-workflows and --ignore-running-workflows exclude each other: wait for the Workflows, or go ahead",
      });
    }
    if (options.to === undefined && options.tag === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["to"],
        message: "name the release to check the upgrade to, e.g. check --to 2.18.1",
      });
    } else if (options.to !== undefined && options.tag !== undefined && options.to !== options.tag) {
      ctx.addIssue({
        code: "custom",
        path: ["tag"],
        message: `names ${options.tag}, but --to names ${options.to}: give one`,
      });
    }
  })
  .transform(({ to, tag, ...rest }) => ({ ...rest, to: to ?? tag ?? "" }));

/** The refusals met before a plan exists: no install, a downgrade, no path. Everything else is an error. */
const EARLY_REFUSALS = new Set(["NOT_INSTALLED", "DOWNGRADE", "NO_UPGRADE_PATH"]);

/**
 * `kfp-upgrade check --to T`: the pre-upgrade report of the whole path, read-only (no lock, no write). It builds the
 * plan `upgrade` would, with every refusal of every hop collected, and sorts its findings. With `--exit-code`:
 * 0 clear, 2 refused, 3 warnings or one-way steps only; without it, 0 after a successful read.
 */
export async function check(raw: unknown, global: GlobalOptions, deps: CommandDeps): Promise<CommandResult> {
  const options = parseOptions(checkOptionsSchema, raw);
  const run = await prepareRun(global, deps);
  const { app } = run;
  const objectStore = options.objectStore ?? app.release.objectStore;
  const variant =
    objectStore === "keep-minio" ? "minio" : objectStore === "seaweedfs" ? "default" : app.release.variant;
  const target = await resolveReleaseForApp(options.to, run.releases, variant);
  const client = await run.connect();
  const snapshot = await takeSnapshot(client, { namespace: app.namespace });
  const base = {
    namespace: app.namespace,
    context: snapshot.context,
    from: snapshot.installedVersion,
    to: target.version,
    now: deps.now(),
  };
  let planned: { plan: Plan; path: UpgradePath };
  try {
    planned = await planUpgrade({
      client,
      snapshot,
      app,
      appDir: run.appDir,
      releases: run.releases,
      target,
      variant,
      options: { ...options, migrationTimeout: DEFAULT_MIGRATION_TIMEOUT_SECONDS },
      objectStore,
      collectRefusals: true,
      deps,
    });
  } catch (error) {
    if (!(error instanceof PreflightRefusal) || !EARLY_REFUSALS.has(error.code)) throw error;
    const refusal = {
      code: error.code,
      message: error.message,
      problems: error.details.length > 0 ? error.details : [error.message],
      hint: error.hint ?? "",
    };
    return result(buildCheckReport({ ...base, plan: null, refusal, backup: null }), global, deps);
  }
  const { plan, path } = planned;
  const backup: BackupAssessment | null =
    (plan.oneWay ?? []).length > 0
      ? assessBackup({
          plan,
          snapshot,
          ...(await readSnapshotClasses(client, snapshot)),
          gcp: gcpPlatformOf(app),
        })
      : null;
  const drainHops = path.hops.flatMap((hop, i) =>
    oneWayApiMigrationsCrossed(hop.from, hop.to)
      .filter((migration) => migration.drainWorkflows)
      .map((migration) => ({ hop: i + 1, to: hop.to, migration })),
  );
  // As the snapshot read them (null: no permission to list them); the plan refuses the hop while any runs.
  const running = snapshot.activeWorkflows?.map((w) => `${app.namespace}/${w.name}`) ?? null;
  const drain: CheckDrain[] = drainHops.map(({ hop, to, migration }) => ({
    hop,
    to,
    why: `KFP ${migration.since}'s upgrade guide asks that the install's Argo Workflows have finished before its API server starts (${migration.source})`,
    running,
  }));
  // What each one-way migration on the path asks to be backed up, each thing once, naming the migrations.
  const asked = new Map<string, string[]>();
  for (const hop of path.hops) {
    for (const migration of oneWayApiMigrationsCrossed(hop.from, hop.to)) {
      for (const what of migration.backup) asked.set(what, [...(asked.get(what) ?? []), migration.since]);
    }
  }
  const guideBackups = [...asked].map(
    ([what, since]) =>
      `${what} (before the one-way migration${since.length === 1 ? "" : "s"} of KFP ${since.join(" and ")})`,
  );
  const report = buildCheckReport({ ...base, plan, backup, drain, guideBackups });
  return result(report, global, deps);
}

function result(report: CheckReport, global: GlobalOptions, deps: CommandDeps): CommandResult {
  return {
    data: report,
    text: renderCheckReport(report, { color: deps.output.color }),
    exitCode: checkExitCode(report.verdict, global.exitCode),
  };
}

/** `--exit-code`: 0 clear, 2 refused, 3 warnings or one-way steps only; without it, 0 after a successful read. */
export function checkExitCode(verdict: CheckReport["verdict"], exitCodeFlag: boolean): ExitCode {
  if (!exitCodeFlag) return EXIT_CODES.ok;
  if (verdict === "refused") return EXIT_CODES.checkRefused;
  return verdict === "warnings" ? EXIT_CODES.checkWarnings : EXIT_CODES.ok;
}

import type { KfpApp } from "../app/kfp-app.js";
import { UsageError } from "../errors.js";
import type { KubeClient } from "../kube/kube-client.js";
import type { ClusterSnapshot } from "../model/cluster-snapshot.js";
import type { Plan } from "../plan/plan.js";
import {
  assessBackup,
  type BackupAssessment,
  type GcpPlatform,
  withBackupStep,
} from "../plan/plan-backup.js";
import type { CommandDeps } from "./command-deps.js";
import type { GlobalOptions } from "./global-options.js";
import { readSnapshotClasses } from "./read-snapshot-classes.js";

/** `--backup` (true), `--no-backup` (false) or neither (undefined). */
export type BackupFlag = boolean | undefined;

/** The prompt's answer, kept across the builds of one command (a plan may be built read-only first). */
export interface BackupMemo {
  answer?: boolean;
}

/**
 * Adds the backup to a plan, or says why there is none:
 * - `--no-backup`: none (a note says so when the plan has one-way changes);
 * - `--backup`: a `backupVolumes` step when every data volume can be snapshotted; otherwise the plan is refused
 *   with the exact commands that back the data up by hand (a partial backup is no backup);
 * - neither, and the plan makes one-way changes: on a terminal the user is asked; with --yes the plan is refused,
 *   because a script that never chose must not cross a one-way step without a backup; --dry-run only notes it.
 */
export async function decideBackup(input: {
  client: KubeClient;
  plan: Plan;
  snapshot: ClusterSnapshot;
  flag: BackupFlag;
  global: GlobalOptions;
  deps: CommandDeps;
  memo: BackupMemo;
  /** The app's project and zone when its platform is gcp: its GCP disks are snapshotted with gcloud. */
  gcp?: GcpPlatform | undefined;
}): Promise<Plan> {
  const { plan, flag, global, deps } = input;
  if (plan.refusal || plan.steps.length === 0) return plan;
  const oneWay = plan.oneWay ?? [];
  if (flag === false) {
    return oneWay.length > 0
      ? withNote(plan, "no backup is taken before the one-way changes (--no-backup)")
      : plan;
  }
  if (flag === undefined && oneWay.length === 0) return plan;
  const assessment = assessBackup({
    plan,
    snapshot: input.snapshot,
    ...(await readSnapshotClasses(input.client, input.snapshot)),
    gcp: input.gcp,
  });
  const complete = assessment.manual.length === 0;
  const snapshotted = `${snapshotKind(assessment)} of ${assessment.targets.map((t) => t.claim).join(" and ")}`;
  if (flag === true) {
    if (assessment.targets.length === 0 && complete) {
      return withNote(plan, "--backup: no data volume holds data yet (new volumes only); nothing to back up");
    }
    if (complete) return withBackupStep(plan, input.snapshot, assessment.targets, "--backup");
    return refused(plan, assessment, "BACKUP_UNAVAILABLE", "--backup cannot snapshot every data volume");
  }
  const reason = `one-way: ${oneWay.join("; ")}`;
  if (global.dryRun) {
    return withNote(
      plan,
      `this plan makes one-way changes: the run asks whether to back up first; ${complete && assessment.targets.length > 0 ? `--backup takes ${snapshotted}` : "no VolumeSnapshot can be taken here, so back up by hand (see the README's Backups section)"}, --no-backup takes none`,
    );
  }
  if (global.yes) {
    return refused(
      plan,
      assessment,
      "BACKUP_CHOICE_REQUIRED",
      "this plan makes one-way changes, and --yes answers no question: say whether to back up first",
    );
  }
  if (complete && assessment.targets.length > 0) {
    input.memo.answer ??= await deps.confirm(
      `This plan makes one-way changes (${oneWay.join("; ")}). Take ${snapshotted} before the first change?`,
    );
    return input.memo.answer
      ? withBackupStep(plan, input.snapshot, assessment.targets, reason)
      : withNote(plan, "no backup is taken before the one-way changes (declined at the prompt)");
  }
  if (input.memo.answer === undefined) {
    deps.output.info(
      [
        `This plan makes one-way changes (${oneWay.join("; ")}), and kfp-upgrade cannot snapshot the data here:`,
        ...assessment.manual.map((m) => `  - ${m.claim}: ${m.why}`),
        "Back it up by hand first, while KFP still runs the old release:",
        ...assessment.instructions.map((line) => `  ${line}`),
      ].join("\n"),
    );
    input.memo.answer = await deps.confirm("Continue without a backup taken by kfp-upgrade?");
  }
  if (!input.memo.answer) {
    throw new UsageError(
      "NOT_CONFIRMED",
      "the plan was not applied: no backup, and continuing was not confirmed",
      {
        hint: "Back up as shown above, then run the command again and answer y (or pass --no-backup).",
      },
    );
  }
  return withNote(
    plan,
    "no backup is taken by kfp-upgrade before the one-way changes (confirmed at the prompt)",
  );
}

/** The app's project and zone when it runs on GCP (its disks are snapshotted with gcloud). */
export function gcpPlatformOf(app: KfpApp): GcpPlatform | undefined {
  const { platform } = app;
  return platform.type === "gcp" ? { project: platform.project, zone: platform.zone } : undefined;
}

/** "VolumeSnapshots", "GCP disk snapshots", or both when the data volumes differ. */
function snapshotKind(assessment: BackupAssessment): string {
  const methods = new Set(assessment.targets.map((t) => t.method));
  if (methods.size > 1) return "VolumeSnapshots and GCP disk snapshots";
  return methods.has("gcp-snapshot") ? "GCP disk snapshots" : "VolumeSnapshots";
}

function withNote(plan: Plan, note: string): Plan {
  return { ...plan, notes: [...plan.notes, note] };
}

function refused(plan: Plan, assessment: BackupAssessment, code: string, message: string): Plan {
  const snapshotted = assessment.targets.map((t) => t.claim);
  const canSnapshot = assessment.manual.length === 0 && snapshotted.length > 0;
  const problems = [
    ...(assessment.oneWay.length > 0 ? assessment.oneWay.map((change) => `one-way: ${change}`) : []),
    ...assessment.manual.map((m) => `no snapshot of ${m.claim}: ${m.why}`),
    ...(canSnapshot
      ? []
      : [
          "back up by hand, while KFP still runs the old release:",
          ...assessment.instructions.map((l) => `  ${l}`),
        ]),
  ];
  const hint = canSnapshot
    ? `Pass --backup to take ${snapshotKind(assessment)} of ${snapshotted.join(" and ")} before the first change, or --no-backup if you backed the data up yourself.`
    : "Back the data up with the commands above (or your storage's own snapshots), then run the command again with --no-backup.";
  return { ...plan, refusal: { code, message, problems, hint } };
}

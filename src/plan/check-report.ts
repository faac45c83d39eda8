import { z } from "zod";
import { backupTargetSchema } from "../model/backup.js";
import { PLAN_API_VERSION, type Plan, planSchema } from "./plan.js";
import type { BackupAssessment } from "./plan-backup.js";

const refusalSchema = planSchema.shape.refusal.unwrap();

/** What `kfp-upgrade check --to T -o json` prints: every finding of the whole path, read-only. */
export const checkReportSchema = z.object({
  apiVersion: z.literal(PLAN_API_VERSION),
  kind: z.literal("CheckReport"),
  namespace: z.string(),
  context: z.string().nullable(),
  /** The installed version (null: no KFP install found). */
  from: z.string().nullable(),
  to: z.string(),
  /** refused: `upgrade` would refuse; warnings: it would run, with warnings or one-way steps; clear: neither. */
  verdict: z.enum(["clear", "warnings", "refused"]),
  hops: planSchema.shape.hops,
  /** Every problem an `upgrade --tag T` with the same flags would refuse on, of every hop, at once. */
  refusal: refusalSchema.nullable(),
  warnings: z.array(z.string()),
  /** What no automatic rollback undoes: a MySQL series change, the 2.15 schema migration, an object-store switch. */
  oneWay: z.array(z.string()),
  backup: z.object({
    /** The path makes one-way changes: back up first. */
    needed: z.boolean(),
    /** `--backup` can snapshot every data volume here (VolumeSnapshots or GCP disk snapshots). */
    byKfpUpgrade: z.boolean(),
    targets: z.array(backupTargetSchema),
    /** Data volumes no snapshot can be taken of here, and why. */
    manual: z.array(z.object({ claim: z.string(), volume: z.string(), why: z.string() })),
    /** What to do, in words and commands. */
    advice: z.array(z.string()),
  }),
  /** Hops whose target asks that the install's Argo Workflows have finished first. */
  drain: z.array(
    z.object({
      hop: z.number().int().positive(),
      to: z.string(),
      why: z.string(),
      /** The install's Workflows running now (namespace/name); null when they were not read. */
      running: z.array(z.string()).nullable(),
    }),
  ),
  notes: z.array(z.string()),
  createdAt: z.string(),
});
export type CheckReport = z.infer<typeof checkReportSchema>;
export type CheckDrain = CheckReport["drain"][number];

export interface CheckReportInput {
  namespace: string;
  context: string | null;
  from: string | null;
  to: string;
  /** The plan `upgrade` would build, with every refusal collected (null: refused before a plan could be built). */
  plan: Plan | null;
  /** A refusal met before planning: no install, a downgrade, no path. */
  refusal?: NonNullable<Plan["refusal"]>;
  /** How the one-way changes can be backed up (null: no one-way change, or no plan). */
  backup: BackupAssessment | null;
  drain?: CheckDrain[];
  /** Extra warnings the command found around the plan (GCP disks, the target's schema migration). */
  warnings?: string[];
  /** What the one-way migrations on the path ask to be backed up first, in words (ONE_WAY_API_MIGRATIONS). */
  guideBackups?: string[];
  now: Date;
}

/**
 * The pre-upgrade report: the plan's findings sorted into refusals, warnings, one-way steps, backup advice and drain
 * needs. Pure: the command reads the cluster, builds the plan with every refusal collected, and passes both here.
 */
export function buildCheckReport(input: CheckReportInput): CheckReport {
  const { plan } = input;
  const refusal = input.refusal ?? plan?.refusal ?? null;
  const warnings = [...new Set([...(plan?.warnings ?? []), ...(input.warnings ?? [])])];
  const oneWay = plan?.oneWay ?? [];
  const drain = input.drain ?? [];
  const verdict =
    refusal !== null
      ? "refused"
      : warnings.length > 0 ||
          oneWay.length > 0 ||
          drain.some((d) => d.running === null || d.running.length > 0)
        ? "warnings"
        : "clear";
  return {
    apiVersion: PLAN_API_VERSION,
    kind: "CheckReport",
    namespace: input.namespace,
    context: input.context,
    from: input.from,
    to: input.to,
    verdict,
    hops: plan?.hops ?? [],
    refusal,
    warnings,
    oneWay,
    backup: backupAdvice(input.to, oneWay, input.backup, input.guideBackups ?? []),
    drain,
    notes: plan?.notes ?? [],
    createdAt: input.now.toISOString(),
  };
}

function backupAdvice(
  to: string,
  oneWay: readonly string[],
  assessment: BackupAssessment | null,
  guideBackups: readonly string[],
): CheckReport["backup"] {
  if (oneWay.length === 0) {
    return { needed: false, byKfpUpgrade: false, targets: [], manual: [], advice: [] };
  }
  const targets = assessment?.targets ?? [];
  const manual = (assessment?.manual ?? []).map(({ claim, volume, why }) => ({ claim, volume, why }));
  const byKfpUpgrade = assessment !== null && manual.length === 0 && targets.length > 0;
  const advice = [
    "Back up the data before the first one-way step: no automatic rollback undoes it (kubeflow/pipelines#3636: no down-migration).",
  ];
  if (byKfpUpgrade) {
    const kinds = new Set(targets.map((t) => (t.method === "csi" ? "VolumeSnapshot" : "GCP disk snapshot")));
    advice.push(
      `\`kfp-upgrade upgrade --tag ${to} --backup\` takes a ${[...kinds].join(" or ")} of ${targets.map((t) => t.claim).join(" and ")} before the first change.`,
    );
  } else {
    advice.push(
      "kfp-upgrade cannot snapshot every data volume here; back it up by hand while KFP still runs the old release, then run `kfp-upgrade upgrade` with --no-backup:",
      ...manual.map((m) => `  ${m.claim}: ${m.why}`),
      ...(assessment?.instructions ?? []).map((line) => `  ${line}`),
    );
  }
  if (guideBackups.length > 0) {
    advice.push(
      "What the one-way migrations ask to be backed up first (--backup snapshots the data volumes only; back up a Secret with `kubectl get secret NAME -o yaml`):",
      ...guideBackups.map((what) => `  ${what}`),
    );
  }
  return { needed: true, byKfpUpgrade, targets, manual, advice };
}

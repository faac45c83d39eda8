import { describe, expect, it } from "vitest";
import { buildCheckReport, checkReportSchema } from "../../../src/plan/check-report.js";
import type { Plan } from "../../../src/plan/plan.js";
import type { BackupAssessment } from "../../../src/plan/plan-backup.js";
import { renderCheckReport } from "../../../src/plan/render-check-report.js";

const NOW = new Date("2026-12-03T10:00:00Z");

function aPlan(overrides: Partial<Plan> = {}): Plan {
  return {
    apiVersion: "kfp-upgrade/v1",
    kind: "Plan",
    command: "upgrade",
    namespace: "kubeflow",
    context: "kind",
    from: "2.14.4",
    to: "2.18.1",
    strategy: "manifests",
    hops: [{ from: "2.14.4", to: "2.18.1", strategy: "manifests", reason: "the target release" }],
    storage: [],
    steps: [],
    warnings: [],
    notes: [],
    createdAt: NOW.toISOString(),
    ...overrides,
  };
}

const base = { namespace: "kubeflow", context: "kind", from: "2.14.4", to: "2.18.1", now: NOW };
const ONE_WAY = [
  "hop 1 (2.14.4 → 2.18.1): KFP 2.18.1's API server runs the one-way 2.15 database schema migration",
];
const BY_HAND: BackupAssessment = {
  oneWay: ONE_WAY,
  targets: [],
  manual: [{ role: "mysql", claim: "mysql-pv-claim", volume: "pv-1", why: "PV pv-1 is a hostPath volume" }],
  instructions: ["MySQL (claim mysql-pv-claim): kubectl -n kubeflow exec deploy/mysql -- mysqldump …"],
};

describe("buildCheckReport", () => {
  it.each([
    { name: "nothing to note: clear", plan: aPlan({ hops: [] }), verdict: "clear" },
    { name: "a warning: warnings", plan: aPlan({ warnings: ["w"] }), verdict: "warnings" },
    { name: "a one-way step alone: warnings", plan: aPlan({ oneWay: ONE_WAY }), verdict: "warnings" },
    {
      name: "a refusal wins over warnings",
      plan: aPlan({
        warnings: ["w"],
        refusal: { code: "PREFLIGHT", message: "m", problems: ["p"], hint: "h" },
      }),
      verdict: "refused",
    },
  ])("$name", ({ plan, verdict }) => {
    const report = buildCheckReport({ ...base, plan, backup: null });
    expect(report.verdict).toBe(verdict);
    expect(checkReportSchema.parse(report)).toEqual(report);
  });

  it("a drain need counts when Workflows run (or could not be read), not when none runs", () => {
    const drain = (running: string[] | null) => [{ hop: 1, to: "2.18.1", why: "w", running }];
    const verdict = (running: string[] | null) =>
      buildCheckReport({ ...base, plan: aPlan(), backup: null, drain: drain(running) }).verdict;
    expect(verdict([])).toBe("clear");
    expect(verdict(["kubeflow/train-1"])).toBe("warnings");
    expect(verdict(null)).toBe("warnings");
  });

  it("a refusal before planning (a downgrade) is the report's refusal, with no hops", () => {
    const refusal = { code: "DOWNGRADE", message: "m", problems: ["Refusing to downgrade"], hint: "h" };
    expect(buildCheckReport({ ...base, plan: null, refusal, backup: null })).toMatchObject({
      verdict: "refused",
      hops: [],
      refusal,
      backup: { needed: false },
    });
  });

  it("backup advice: by hand when a volume cannot be snapshotted, with the migrations' own asks", () => {
    const report = buildCheckReport({
      ...base,
      plan: aPlan({ oneWay: ONE_WAY }),
      backup: BY_HAND,
      guideBackups: [
        "the UI signing-key Secret ml-pipeline-ui-tensorboard-proxy (before the one-way migration of KFP 2.18.0)",
      ],
    });
    expect(report.backup).toEqual({
      needed: true,
      byKfpUpgrade: false,
      targets: [],
      manual: [{ claim: "mysql-pv-claim", volume: "pv-1", why: "PV pv-1 is a hostPath volume" }],
      advice: [
        "Back up the data before the first one-way step: no automatic rollback undoes it (kubeflow/pipelines#3636: no down-migration).",
        "kfp-upgrade cannot snapshot every data volume here; back it up by hand while KFP still runs the old release, then run `kfp-upgrade upgrade` with --no-backup:",
        "  mysql-pv-claim: PV pv-1 is a hostPath volume",
        "  MySQL (claim mysql-pv-claim): kubectl -n kubeflow exec deploy/mysql -- mysqldump …",
        "What the one-way migrations ask to be backed up first (--backup snapshots the data volumes only; back up a Secret with `kubectl get secret NAME -o yaml`):",
        "  the UI signing-key Secret ml-pipeline-ui-tensorboard-proxy (before the one-way migration of KFP 2.18.0)",
      ],
    });
  });

  it("backup advice: --backup when every data volume can be snapshotted", () => {
    const report = buildCheckReport({
      ...base,
      plan: aPlan({ oneWay: ONE_WAY }),
      backup: {
        ...BY_HAND,
        manual: [],
        targets: [
          {
            method: "csi",
            role: "mysql",
            claim: "mysql-pv-claim",
            volume: "pv-1",
            driver: "hostpath.csi.k8s.io",
            snapshotClass: "csi-hostpath",
            name: "kubeflow-mysql-2.14.4-to-2.18.1-20261203t100000",
          },
        ],
      },
    });
    expect(report.backup.byKfpUpgrade).toBe(true);
    expect(report.backup.advice[1]).toBe(
      "`kfp-upgrade upgrade --tag 2.18.1 --backup` takes a VolumeSnapshot of mysql-pv-claim before the first change.",
    );
  });
});

describe("renderCheckReport", () => {
  it("renders every section from the same report -o json prints, and ends with the verdict", () => {
    const report = buildCheckReport({
      ...base,
      plan: aPlan({
        warnings: ["Object store moves to SeaweedFS at 2.18.1"],
        oneWay: ONE_WAY,
        refusal: {
          code: "PREFLIGHT",
          message: "m",
          problems: ["KFP 2.18.1 replaces MinIO with SeaweedFS"],
          hint: "Nothing was changed.",
        },
      }),
      backup: BY_HAND,
      drain: [
        { hop: 1, to: "2.18.1", why: "KFP 2.18.0's upgrade guide asks for a drain", running: ["kubeflow/t"] },
      ],
    });
    expect(renderCheckReport(report, { color: false }).split("\n")).toEqual([
      "Check: upgrade KFP 2.14.4 -> 2.18.1 in namespace kubeflow (context kind)",
      "",
      "Path (1 hop):",
      "  1. 2.14.4 -> 2.18.1 [manifests]: the target release",
      "",
      "Refusals (1):",
      "  ✗ KFP 2.18.1 replaces MinIO with SeaweedFS",
      "  hint: Nothing was changed.",
      "",
      "Warnings (1):",
      "  ! Object store moves to SeaweedFS at 2.18.1",
      "",
      "One-way steps (1):",
      `  → ${ONE_WAY[0]}`,
      "",
      "Backup:",
      ...report.backup.advice.map((line) => `  ${line}`),
      "",
      "Drain:",
      "  hop 1 (-> 2.18.1): KFP 2.18.0's upgrade guide asks for a drain; running now: kubeflow/t",
      "",
      "Refused: `kfp-upgrade upgrade --tag 2.18.1` would refuse (1 refusal, 1 warning, 1 one-way step).",
      "Nothing was changed.",
    ]);
  });

  it("a clear report at the target says so", () => {
    const report = buildCheckReport({
      ...base,
      to: "2.14.4",
      plan: aPlan({ to: "2.14.4", hops: [] }),
      backup: null,
    });
    expect(renderCheckReport(report, { color: false }).split("\n").slice(2)).toEqual([
      "KFP 2.14.4 is installed already: no hops.",
      "",
      "Clear: `kfp-upgrade upgrade --tag 2.14.4` would run (0 refusals, 0 warnings, 0 one-way steps).",
      "Nothing was changed.",
    ]);
  });
});

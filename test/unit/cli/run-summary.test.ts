import { describe, expect, it } from "vitest";
import {
  describeRunSummary,
  emptyRunSummary,
  formatDuration,
  recordForSummary,
} from "../../../src/cli/run-summary.js";
import type { Plan } from "../../../src/plan/plan.js";

const plan = {
  apiVersion: "kfp-upgrade/v1",
  kind: "Plan",
  command: "upgrade",
  namespace: "kubeflow",
  context: null,
  from: "2.5.0",
  to: "2.14.4",
  strategy: "manifests",
  hops: [],
  storage: [],
  steps: [
    { id: "01-backupVolumes", kind: "backupVolumes", namespace: "kubeflow", backups: [] },
    { id: "02-recordInventory", kind: "recordInventory", namespace: "kubeflow" },
  ],
  warnings: [],
  notes: [],
  createdAt: "2026-01-02T03:04:05.000Z",
} as unknown as Plan;

const result = {
  type: "result" as const,
  ok: true,
  outcome: "succeeded" as const,
  message: "upgrade of KFP 2.14.4 succeeded in namespace kubeflow",
  bindings: [
    { claim: "mysql-pv-claim", volumeName: "pv-mysql", volumeUid: "uid-1" },
    { claim: "minio-pvc", volumeName: null, volumeUid: null },
  ],
};

describe("describeRunSummary", () => {
  it("lists from -> to, the duration, each claim's PV, the backups and the inventory the run's steps reported", () => {
    const summary = emptyRunSummary();
    recordForSummary(summary, { type: "plan", plan }, 1_000);
    recordForSummary(
      summary,
      { type: "step-start", stepId: "01-backupVolumes", kind: "backupVolumes", description: "" },
      1_000,
    );
    recordForSummary(
      summary,
      { type: "step-end", stepId: "01-backupVolumes", ok: true, message: "2 snapshots READY", durationMs: 1 },
      2_000,
    );
    recordForSummary(
      summary,
      { type: "step-start", stepId: "02-recordInventory", kind: "recordInventory", description: "" },
      2_000,
    );
    recordForSummary(
      summary,
      {
        type: "step-end",
        stepId: "02-recordInventory",
        ok: true,
        message: "3 runs, 2 pipelines",
        durationMs: 1,
      },
      3_000,
    );
    expect(describeRunSummary(summary, result, 126_000)).toEqual([
      "upgrade of KFP 2.14.4 succeeded in namespace kubeflow",
      "  KFP 2.5.0 → 2.14.4 in namespace kubeflow, 2m05s",
      "  data: claim mysql-pv-claim on PV pv-mysql (uid uid-1)",
      "  data: claim minio-pvc on PV (none)",
      "  backup: 2 snapshots READY",
      "  inventory: 3 runs, 2 pipelines",
    ]);
  });

  it("says when a plan's backups did not finish, and is the result alone without a plan", () => {
    const summary = emptyRunSummary();
    recordForSummary(summary, { type: "plan", plan }, 0);
    expect(describeRunSummary(summary, { ...result, bindings: [] }, 500)).toContain(
      "  backups: none finished",
    );
    expect(describeRunSummary(emptyRunSummary(), result, 0)).toEqual([result.message]);
  });
});

describe("formatDuration", () => {
  it.each([
    { ms: 400, text: "0.4s" },
    { ms: 12_340, text: "12s" },
    { ms: 59_400, text: "59s" },
    { ms: 125_000, text: "2m05s" },
    { ms: -5, text: "0.0s" },
  ])("$ms ms is $text", ({ ms, text }) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

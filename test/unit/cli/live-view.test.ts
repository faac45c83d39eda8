import { Chalk } from "chalk";
import { describe, expect, it } from "vitest";
import { LiveView, type LiveWriter } from "../../../src/cli/live-view.js";
import type { Plan } from "../../../src/plan/plan.js";

function plan(): Plan {
  return {
    apiVersion: "kfp-upgrade/v1",
    kind: "Plan",
    command: "upgrade",
    namespace: "kubeflow",
    context: null,
    from: "2.3.0",
    to: "2.5.0",
    strategy: "manifests",
    hops: [],
    storage: [],
    steps: [
      { id: "01-backupVolumes", kind: "backupVolumes", namespace: "kubeflow", backups: [] },
      {
        id: "02-waitRollout",
        kind: "waitRollout",
        namespace: "kubeflow",
        deployments: ["ml-pipeline", "ui"],
      },
    ],
    warnings: [],
    notes: [],
    createdAt: "2026-01-02T03:04:05.000Z",
  } as Plan;
}

/** Keeps what the terminal would show: the scrollback (persisted) and the block drawn last. */
function screen(): LiveWriter & { persisted: string[]; block: string; finished: boolean } {
  const state = {
    persisted: [] as string[],
    block: "",
    finished: false,
    update(text: string) {
      state.block = text;
    },
    persist(text: string) {
      state.persisted.push(text);
    },
    done() {
      state.finished = true;
    },
  };
  return state;
}

describe("LiveView", () => {
  it("draws the running step with a spinner and elapsed time, each Deployment's replicas and cause; finished steps stay as lines; ends with the summary", () => {
    let now = 0;
    const terminal = screen();
    const view = new LiveView(terminal, new Chalk({ level: 0 }), () => now, null);
    view.event({ type: "plan", plan: plan() });
    view.event({
      type: "step-start",
      stepId: "01-backupVolumes",
      kind: "backupVolumes",
      description: "backup",
    });
    now = 1_500;
    view.event({
      type: "step-end",
      stepId: "01-backupVolumes",
      ok: true,
      message: "2 VolumeSnapshots ready",
      durationMs: 1_500,
    });
    expect(terminal.persisted).toEqual(["✔ [1/2] backup 1.5s"]);
    view.event({
      type: "step-start",
      stepId: "02-waitRollout",
      kind: "waitRollout",
      description: "… wait rollout",
    });
    view.event({ type: "step-progress", stepId: "02-waitRollout", message: "0/2 Deployments available" });
    now = 13_000;
    view.tick();
    expect(terminal.block).toBe("⠙ [2/2] … wait rollout 12s\n    0/2 Deployments available");
    view.event({
      type: "step-progress",
      stepId: "02-waitRollout",
      message: "1/2 …",
      deployments: [
        { name: "ml-pipeline", ready: 1, desired: 1 },
        {
          name: "ui",
          ready: 0,
          desired: 1,
          cause: {
            pod: "ui-1",
            container: "ui",
            reason: "ImagePullBackOff",
            message: 'Back-off pulling image "x"',
          },
        },
      ],
    });
    expect(terminal.block).toBe(
      [
        "⠙ [2/2] … wait rollout 12s",
        "    ml-pipeline  1/1",
        '    ui           0/1  ImagePullBackOff: Back-off pulling image "x" (pod ui-1)',
      ].join("\n"),
    );
    now = 75_000;
    view.event({
      type: "step-end",
      stepId: "02-waitRollout",
      ok: false,
      message: "timed out",
      durationMs: 62_000,
    });
    expect(terminal.persisted.at(-1)).toBe(
      [
        "✖ [2/2] … wait rollout 1m02s",
        '    ui  0/1  ImagePullBackOff: Back-off pulling image "x" (pod ui-1)',
        "    failed: timed out",
      ].join("\n"),
    );
    view.event({ type: "rollback", message: "restored deployment/ui -n kubeflow" });
    view.event({
      type: "result",
      ok: false,
      outcome: "rolled-back",
      message: "upgrade failed",
      bindings: [{ claim: "mysql-pv-claim", volumeName: "pv-1", volumeUid: "uid-1" }],
    });
    expect(terminal.block).toBe(
      [
        "upgrade failed",
        "  KFP 2.3.0 → 2.5.0 in namespace kubeflow, 1m15s",
        "  data: claim mysql-pv-claim on PV pv-1 (uid uid-1)",
        "  backup: 2 VolumeSnapshots ready",
      ].join("\n"),
    );
    expect(terminal.finished).toBe(true);
  });
});

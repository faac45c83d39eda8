import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PreflightRefusal } from "../../../src/errors.js";
import type { ClusterSnapshot } from "../../../src/model/cluster-snapshot.js";
import { buildUpgradePlan, type UpgradePlanInput } from "../../../src/plan/build-upgrade-plan.js";
import type { Plan } from "../../../src/plan/plan.js";
import { renderPlanText } from "../../../src/plan/render-plan-text.js";
import { rollbackRefusals } from "../../../src/plan/rollback-refusals.js";
import type { Release } from "../../../src/release/release.js";
import { resolveRelease } from "../../../src/release/resolve-release.js";
import { derivedManifests } from "../../support/derived-manifests.js";
import { kfp218Bundle, SIGNING_KEY_JOB, SIGNING_KEY_SECRET } from "../../support/kfp-218-bundle.js";
import { sharedRelease } from "../../support/manifests.js";
import { installedSnapshot, NOW, PV_APP, plannedObjects, stepsOf } from "./plan-inputs.js";

// 2.17.0 (the real shared bundle) -> a 2.18-shaped bundle derived from it (test/support/kfp-218-bundle.ts).
const cleanups: (() => void | Promise<void>)[] = [];
let installed: Release;
let target: Release;
beforeAll(async () => {
  const dir = derivedManifests({ "2.18.1": kfp218Bundle("2.18.1") }, (cleanup) => cleanups.push(cleanup));
  installed = await sharedRelease("2.17.0");
  target = await resolveRelease({ tag: "2.18.1", manifestsDir: dir });
});
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function plan(
  snapshot: ClusterSnapshot = installedSnapshot(installed).build(),
  extra: Partial<UpgradePlanInput> = {},
  from: Release = installed,
): Plan {
  return buildUpgradePlan({
    app: PV_APP,
    snapshot,
    installed: from,
    hops: [{ from: from.version, to: target.version, reason: "newest 2.18", release: target }],
    strategy: "auto",
    now: NOW,
    ...extra,
  });
}

const withWorkflows = (workflows: ClusterSnapshot["activeWorkflows"]): ClusterSnapshot => ({
  ...installedSnapshot(installed).build(),
  activeWorkflows: workflows,
});

const kinds = (p: Plan) => p.steps.map((step) => step.kind);
const appliesDeployment = (p: Plan, name: string) =>
  p.steps.findIndex(
    (step) =>
      step.kind === "applyObjects" &&
      step.objects.some(({ object }) => object.kind === "Deployment" && object.metadata.name === name),
  );

describe("upgrade 2.17.0 -> 2.18.1: the recurring-run adoption as its own phase", () => {
  it("stops the API server and ScheduledWorkflow controller, once, before the new ones are applied", () => {
    const p = plan();
    const stops = stepsOf(p, "scaleDeployments").filter((s) => s.deployments.every((d) => d.to === 0));
    expect(stops).toEqual([
      expect.objectContaining({
        deployments: [
          { name: "ml-pipeline", from: 1, to: 0 },
          { name: "ml-pipeline-scheduledworkflow", from: 1, to: 0 },
        ],
      }),
    ]);
    const stop = kinds(p).indexOf("scaleDeployments");
    expect(kinds(p)[stop + 1]).toBe("waitPodsGone");
    expect(appliesDeployment(p, "ml-pipeline")).toBeGreaterThan(stop + 1);
    expect(appliesDeployment(p, "ml-pipeline-scheduledworkflow")).toBeGreaterThan(stop + 1);
  });

  it("marks the point of no return, records 2.18.1 on the MySQL PV before the new API server starts, waits with --migration-timeout", () => {
    const p = plan(undefined, { migrationTimeoutSeconds: 3600 });
    const marker = kinds(p).indexOf("pointOfNoReturn");
    expect(stepsOf(p, "pointOfNoReturn")[0]?.reason).toContain("runs the recurring-run adoption");
    const record = p.steps.findIndex((s) => s.kind === "recordDataWriter");
    expect(stepsOf(p, "recordDataWriter")[0]).toMatchObject({
      claims: [{ role: "mysql", claim: "mysql-pv-claim" }],
      writer: { kfpVersion: "2.18.1", mysqlSeries: "8.4" },
    });
    expect(record).toBeLessThan(appliesDeployment(p, "ml-pipeline"));
    expect(marker).toBeLessThan(appliesDeployment(p, "ml-pipeline"));
    const wait = stepsOf(p, "waitRollout").find((s) => s.timeoutSeconds !== undefined);
    expect(wait).toMatchObject({ deployments: ["ml-pipeline"], timeoutSeconds: 3600 });
    const log = new RegExp(wait?.progressLog ?? "^$");
    expect(log.test("recurring_run_adoption id=legacy-2.18 ready=true adopted_count=2")).toBe(true);
    expect(log.test("recurring_run_migration action=recreate id=1")).toBe(true);
    expect(log.test("Starting the API server")).toBe(false);
    expect(renderPlanText(p, { color: false })).toContain("(up to 3600s, --migration-timeout)");
  });

  it("names the one-way step and the back-up advice, the signing-key Secret included", () => {
    const p = plan();
    expect(p.oneWay).toEqual([
      expect.stringContaining("KFP 2.18.1's API server runs the recurring-run adoption"),
    ]);
    expect(p.warnings).toContainEqual(
      expect.stringMatching(
        /^Back up before hop 1 \(2\.17\.0 → 2\.18\.1\) .*the MySQL database, the UI signing-key Secret ml-pipeline-ui-tensorboard-proxy/,
      ),
    );
  });

  it("creates the signing-key Secret only when absent, never applies it, and applies its Job", () => {
    const p = plan();
    const secret = plannedObjects(p).filter((o) => o.name === SIGNING_KEY_SECRET);
    expect(secret).toEqual([
      { step: "createIfAbsent", kind: "Secret", name: SIGNING_KEY_SECRET, namespace: "kubeflow" },
    ]);
    expect(plannedObjects(p)).toContainEqual(expect.objectContaining({ kind: "Job", name: SIGNING_KEY_JOB }));
    expect(p.notes).toContainEqual(
      expect.stringContaining(
        `Secrets the release ships without data (an initializer fills them) are created only when absent, never applied over, pruned or re-created: ${SIGNING_KEY_SECRET}`,
      ),
    );
  });

  it("a second run over 2.18.1 keeps the Secret: not created, not applied, not pruned, whatever its labels", () => {
    const snapshot = installedSnapshot(target).withSecret(SIGNING_KEY_SECRET).build();
    const labelled = {
      ...snapshot,
      objects: snapshot.objects.map((o) =>
        o.kind === "Secret" && o.name === SIGNING_KEY_SECRET
          ? { ...o, labels: { ...o.labels, "application-crd-id": "kubeflow-pipelines" } }
          : o,
      ),
    };
    const again = plan(labelled, {}, target);
    expect(plannedObjects(again).filter((o) => o.name === SIGNING_KEY_SECRET)).toEqual([]);
    expect(stepsOf(again, "prune").flatMap((s) => s.objects.map((o) => o.name))).not.toContain(
      SIGNING_KEY_SECRET,
    );
    expect(again.notes).toContainEqual(
      expect.stringContaining(`Secrets kept as they are (never overwritten)`),
    );
    expect(stepsOf(again, "scaleDeployments")).toEqual([]);
    // ml-pipeline-ui runs Recreate already: applied, not recreated again.
    expect(stepsOf(again, "recreateDeployment")).toEqual([]);
  });

  it("recreates ml-pipeline-ui, whose strategy becomes Recreate (an apply over the defaulted RollingUpdate is invalid)", () => {
    expect(stepsOf(plan(), "recreateDeployment")).toEqual([
      expect.objectContaining({
        name: "ml-pipeline-ui",
        reason: "its strategy becomes Recreate (an apply over the defaulted RollingUpdate is invalid)",
      }),
    ]);
  });
});

describe("upgrade 2.17.0 -> 2.18.1 while Argo Workflows run", () => {
  const running = [
    { name: "train-7x2k", phase: "Running" },
    { name: "fresh-q9", phase: null },
  ];

  it("is refused, naming them and both ways on", () => {
    expect(() => plan(withWorkflows(running))).toThrow(PreflightRefusal);
    expect(() => plan(withWorkflows(running))).toThrow(
      "2 Argo Workflows of namespace kubeflow are not finished: train-7x2k (Running), fresh-q9 (no phase yet); KFP 2.18.1's API server must not start while workflows from before the upgrade still run (KFP's upgrade-2.18 guide). Let them finish, or pass --wait-for-workflows (waits for them, up to --timeout) or --ignore-running-workflows",
    );
  });

  it("--wait-for-workflows waits for them in a step before the old writers stop", () => {
    const p = plan(withWorkflows(running), { runningWorkflows: "wait" });
    const wait = kinds(p).indexOf("waitWorkflowsDone");
    expect(stepsOf(p, "waitWorkflowsDone")[0]).toMatchObject({
      namespace: "kubeflow",
      workflows: ["train-7x2k", "fresh-q9"],
    });
    expect(wait).toBeGreaterThanOrEqual(0);
    expect(wait).toBeLessThan(kinds(p).indexOf("scaleDeployments"));
    expect(renderPlanText(p, { color: false })).toContain(
      "wait until no Argo Workflow of namespace kubeflow is Pending or Running (now: train-7x2k, fresh-q9; up to --timeout)",
    );
  });

  it("--ignore-running-workflows goes ahead with a warning naming them", () => {
    const p = plan(withWorkflows(running), { runningWorkflows: "ignore" });
    expect(stepsOf(p, "waitWorkflowsDone")).toEqual([]);
    expect(p.warnings).toContainEqual(
      expect.stringContaining("train-7x2k (Running), fresh-q9 (no phase yet)"),
    );
  });

  it("finished ones do not count (the snapshot keeps unfinished ones only); unreadable ones are a warning", () => {
    expect(stepsOf(plan(withWorkflows([]), { runningWorkflows: "wait" }), "waitWorkflowsDone")).toEqual([]);
    expect(plan(withWorkflows(null)).warnings).toContainEqual(
      expect.stringContaining("could not be read (no permission to list workflows.argoproj.io)"),
    );
  });

  it("a hop that crosses no drain (2.18.0 -> 2.18.1) is not refused", () => {
    const from = { ...target, version: "2.18.0" };
    const snapshot = {
      ...installedSnapshot(target).build(),
      activeWorkflows: running,
      installedVersion: "2.18.0",
    };
    expect(() => plan(snapshot, {}, from)).not.toThrow();
  });
});

describe("rollback past the adoption", () => {
  it("2.18.1 -> 2.17.0 is refused naming KFP's guide; so is a 2.17.0 install whose data a 2.18.1 API server moved", async () => {
    const current = await sharedRelease("2.17.0");
    const newer = { ...current, version: "2.18.1" };
    const older = await sharedRelease("2.16.1");
    expect(rollbackRefusals(newer, current)).toEqual([
      expect.stringMatching(
        /^KFP 2\.18\.1 ran the recurring-run adoption .*a point of no return: KFP's upgrade guide forbids going back to an API server from before 2\.18\.0 \(kubeflow\/pipelines docs\/operator-guides\/upgrade-2\.18\.md/,
      ),
    ]);
    expect(rollbackRefusals(current, older)).toEqual([]);
    expect(rollbackRefusals(current, older, "2.18.1")).toEqual([
      expect.stringContaining("KFP 2.18.1 ran the recurring-run adoption"),
    ]);
  });
});

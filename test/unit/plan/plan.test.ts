import { describe, expect, it } from "vitest";
import { buildDeployPlan } from "../../../src/plan/build-deploy-plan.js";
import { buildUpgradePlan } from "../../../src/plan/build-upgrade-plan.js";
import { planSchema } from "../../../src/plan/plan.js";
import { stepSchema } from "../../../src/plan/step.js";
import { REDACTED, redactSecrets } from "../../../src/redact.js";
import { sharedHops, sharedRelease } from "../../support/manifests.js";
import { aSnapshot } from "../../support/snapshot-builder.js";
import { installedSnapshot, NOW, PV_APP, stepsOf } from "./plan-inputs.js";

async function deployPlan() {
  return buildDeployPlan({
    app: PV_APP,
    snapshot: aSnapshot().withVolume("kfp-mysql").withVolume("kfp-minio").build(),
    release: await sharedRelease("1.4.1"),
    command: "deploy",
    now: NOW,
  });
}

async function multiHopPlan() {
  const installed = await sharedRelease("1.8.5");
  return buildUpgradePlan({
    app: PV_APP,
    snapshot: installedSnapshot(installed).build(),
    installed,
    hops: await sharedHops("1.8.5", "2.14.4"),
    strategy: "auto",
    now: NOW,
  });
}

describe("the plan as JSON (what -o json prints)", () => {
  const plans = [
    { name: "a deploy", build: deployPlan },
    { name: "a multi-hop upgrade", build: multiHopPlan },
  ];
  it.each(plans)("$name survives a JSON round trip and validates against planSchema", async ({ build }) => {
    const plan = await build();
    const parsed = planSchema.parse(JSON.parse(JSON.stringify(plan)));
    expect(parsed).toEqual(plan);
    for (const step of plan.steps) expect(stepSchema.safeParse(step).success).toBe(true);
  });

  it("rejects a step of a kind the union does not know", () => {
    const result = stepSchema.safeParse({ id: "01-deleteEverything", kind: "deleteEverything" });
    expect(result.success).toBe(false);
  });

  it("rejects a plan of another apiVersion", async () => {
    const plan = await deployPlan();
    expect(planSchema.safeParse({ ...plan, apiVersion: "kfp-upgrade/v2" }).success).toBe(false);
  });

  it("redactSecrets removes every Secret value from the plan JSON", async () => {
    const plan = await deployPlan();
    // 1.4.1 ships its Secrets as base64 `data`; the plan carries them so that a missing Secret can be created.
    const secrets = stepsOf(plan, "createIfAbsent").flatMap((step) => step.objects);
    expect(secrets.map((s) => s.metadata.name)).toEqual([
      "mlpipeline-minio-artifact",
      "mysql-secret-db2h2gbg52",
    ]);
    expect(JSON.stringify(plan)).toContain('"accesskey":"bWluaW8="');
    const redacted = redactSecrets(plan);
    const json = JSON.stringify(redacted);
    expect(json).not.toContain("bWluaW8=");
    expect(json).not.toContain("bWluaW8xMjM=");
    expect(stepsOf(redacted, "createIfAbsent").flatMap((step) => step.objects.map((s) => s.data))).toEqual([
      { accesskey: REDACTED, secretkey: REDACTED },
      { password: REDACTED, username: REDACTED },
    ]);
    // Nothing but Secret values changes, and the result is still a plan.
    expect(planSchema.parse(redacted).steps.map((step) => step.id)).toEqual(
      plan.steps.map((step) => step.id),
    );
    expect(JSON.stringify(redacted.steps.filter((step) => step.kind !== "createIfAbsent"))).toBe(
      JSON.stringify(plan.steps.filter((step) => step.kind !== "createIfAbsent")),
    );
  });

  it("redactSecrets removes stringData too (KFP ≥1.8.5 Secrets)", async () => {
    const plan = buildDeployPlan({
      app: PV_APP,
      snapshot: aSnapshot().withVolume("kfp-mysql").withVolume("kfp-minio").build(),
      release: await sharedRelease("2.5.0"),
      command: "deploy",
      now: NOW,
    });
    expect(JSON.stringify(plan)).toContain("minio123");
    const redacted = redactSecrets(plan);
    expect(JSON.stringify(redacted)).not.toContain("minio123");
    expect(
      stepsOf(redacted, "createIfAbsent").flatMap((step) => step.objects.map((s) => s.stringData)),
    ).toEqual([
      { accesskey: REDACTED, secretkey: REDACTED },
      { password: REDACTED, username: REDACTED },
    ]);
  });
});

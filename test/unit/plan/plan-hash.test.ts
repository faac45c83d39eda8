import { describe, expect, it } from "vitest";
import { buildDeployPlan } from "../../../src/plan/build-deploy-plan.js";
import { planHash } from "../../../src/plan/plan-hash.js";
import { sharedRelease } from "../../support/manifests.js";
import { aSnapshot } from "../../support/snapshot-builder.js";
import { NOW, PV_APP } from "./plan-inputs.js";

async function plan(now = NOW) {
  return buildDeployPlan({
    app: PV_APP,
    snapshot: aSnapshot().withVolume("kfp-mysql").withVolume("kfp-minio").build(),
    release: await sharedRelease("2.5.0"),
    command: "deploy",
    now,
  });
}

describe("planHash", () => {
  it("is 16 hex digits and the same for the same plan built twice", async () => {
    const hash = planHash(await plan());
    expect(hash).toMatch(/^[0-9a-f]{16}$/);
    expect(planHash(await plan())).toBe(hash);
  });

  it("ignores when the plan was made", async () => {
    expect(planHash(await plan(new Date("2030-01-01T00:00:00Z")))).toBe(planHash(await plan()));
  });

  it("changes with the steps", async () => {
    const original = await plan();
    expect(planHash({ ...original, steps: original.steps.slice(1) })).not.toBe(planHash(original));
  });

  it("does not depend on Secret values, which it never sees", async () => {
    const original = await plan();
    const other = structuredClone(original);
    for (const step of other.steps) {
      if (step.kind !== "createIfAbsent") continue;
      for (const secret of step.objects) {
        const values = secret.stringData as Record<string, string>;
        for (const key of Object.keys(values)) values[key] = "s3cret";
      }
    }
    expect(planHash(other)).toBe(planHash(original));
  });

  it("is the same for the plan read back from the journal, whatever its key order", async () => {
    const original = await plan();
    const reordered = JSON.parse(JSON.stringify(original), (_key, value) =>
      value && typeof value === "object" && !Array.isArray(value)
        ? Object.fromEntries(Object.entries(value).reverse())
        : value,
    );
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(original));
    expect(planHash(reordered)).toBe(planHash(original));
  });
});

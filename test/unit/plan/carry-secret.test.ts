import { describe, expect, it } from "vitest";
import { buildUpgradePlan } from "../../../src/plan/build-upgrade-plan.js";
import { formerSecretName } from "../../../src/plan/release-object-steps.js";
import { sharedHops, sharedRelease } from "../../support/manifests.js";
import { indexOf, installedSnapshot, NOW, PV_APP, stepsOf } from "./plan-inputs.js";

describe("formerSecretName", () => {
  it.each([
    {
      name: "kustomize hash suffix",
      existing: ["mysql-secret-db2h2gbg52", "other"],
      expected: "mysql-secret-db2h2gbg52",
    },
    { name: "former name up to 0.4.0", existing: ["mysql-credential"], expected: "mysql-credential" },
    {
      name: "no match for a different prefix",
      existing: ["mysql-secretive-abcdefghij"],
      expected: undefined,
    },
    { name: "no match for a short suffix", existing: ["mysql-secret-abc"], expected: undefined },
    { name: "nothing there", existing: [], expected: undefined },
  ])("$name", ({ existing, expected }) => {
    expect(formerSecretName("mysql-secret", existing)).toBe(expected);
  });
});

describe("an upgrade across the end of hashed Secret names (1.4.1 -> 1.8.5)", () => {
  it("carries the MySQL credentials in use into the new fixed-name Secret before the defaults could be created", async () => {
    const installed = await sharedRelease("1.4.1");
    const plan = buildUpgradePlan({
      app: PV_APP,
      snapshot: installedSnapshot(installed).build(),
      installed,
      hops: await sharedHops("1.4.1", "1.8.5"),
      strategy: "auto",
      now: NOW,
    });
    const [carry] = stepsOf(plan, "carrySecret");
    expect(carry).toMatchObject({
      from: "mysql-secret-db2h2gbg52",
      to: "mysql-secret",
      namespace: "kubeflow",
    });
    const carryIndex = indexOf(plan, (step) => step.kind === "carrySecret");
    const createIndex = indexOf(
      plan,
      (step) =>
        step.kind === "createIfAbsent" && step.objects.some((o) => o.metadata.name === "mysql-secret"),
    );
    expect(carryIndex).toBeGreaterThanOrEqual(0);
    expect(carryIndex).toBeLessThan(createIndex);
    const pruned = stepsOf(plan, "prune").flatMap((step) => step.objects.map((o) => `${o.kind}/${o.name}`));
    expect(pruned).not.toContain("Secret/mysql-secret-db2h2gbg52");
  });
});

import { describe, expect, it } from "vitest";
import { planInventoryBefore } from "../../../src/cli/plan-inventory-before.js";
import { FakeKubeClient } from "../../support/fake-kube-client.js";
import { type KfpApiFixture, kfpBehindServiceProxy, loadKfpApiFixture } from "../kfp/kfp-api-fixture.js";

const OPTIONS = { skipInventory: false };

/** The two-pages fixture with the first experiment renamed to `name`. */
function withFirstExperimentNamed(name: string): KfpApiFixture {
  const fixture = loadKfpApiFixture("handmade/v2beta1-two-pages.json");
  const page = fixture.exchanges.find((exchange) => exchange.path === "/apis/v2beta1/experiments");
  if (!page) throw new Error("the fixture has no experiments page");
  const first = (page.body as { experiments: { display_name: string }[] }).experiments[0];
  if (!first) throw new Error("the fixture lists no experiment");
  first.display_name = name;
  return fixture;
}

describe("planInventoryBefore", () => {
  it("read: the baseline and nothing too long for 2.15", async () => {
    const { fake } = kfpBehindServiceProxy(loadKfpApiFixture("handmade/v2beta1-two-pages.json"));
    const inventory = await planInventoryBefore(fake, "kubeflow", "2.0.5", OPTIONS);
    expect(inventory).toMatchObject({ state: "read", legacySchema: { since: "2.15.0", problems: [] } });
    expect(inventory).not.toHaveProperty("endpoint");
    if (inventory.state !== "read") throw new Error("not read");
    expect(Object.values(inventory.baseline).map((objects) => objects.length)).toEqual([3, 2, 3, 1, 1]);
  });

  it("an experiment name of 200 characters: named with its length, the limit and the fix", async () => {
    const long = "x".repeat(200);
    const { fake } = kfpBehindServiceProxy(withFirstExperimentNamed(long));
    const inventory = await planInventoryBefore(fake, "kubeflow", "2.0.5", OPTIONS);
    if (inventory.state !== "read") throw new Error("not read");
    expect(inventory.legacySchema.problems).toEqual([
      {
        description: `experiment "${"x".repeat(60)}…" (id 0b3b7e1c-5a7e-4c3e-9d57-0f1d1e6c2a01): name is 200 characters, KFP 2.15.0 allows 128 (experiments.Name)`,
        fix: expect.stringContaining(
          "UPDATE experiments SET Name = '<new value>' WHERE UUID = '0b3b7e1c-5a7e-4c3e-9d57-0f1d1e6c2a01';",
        ),
      },
    ]);
  });

  it("no KFP API (no ml-pipeline Service): unreachable, with the reason", async () => {
    const inventory = await planInventoryBefore(new FakeKubeClient(), "kubeflow", "2.0.5", OPTIONS);
    expect(inventory).toEqual({
      state: "unreachable",
      reason: expect.stringMatching(/^KFP_API_UNREACHABLE: /),
      legacySchemaSince: "2.15.0",
    });
  });

  it("--skip-inventory: skipped, and KFP is not asked", async () => {
    const { fake } = kfpBehindServiceProxy(loadKfpApiFixture("handmade/v2beta1-two-pages.json"));
    await expect(planInventoryBefore(fake, "kubeflow", "2.0.5", { skipInventory: true })).resolves.toEqual({
      state: "skipped",
    });
    expect(fake.callsOf("serviceProxyGet")).toEqual([]);
  });

  it("a multi-user install read with --kfp-user and --kfp-namespaces: the plan keeps both", async () => {
    const { fake } = kfpBehindServiceProxy(loadKfpApiFixture("handmade/v2beta1-multi-user.json"));
    const inventory = await planInventoryBefore(fake, "kubeflow", "2.0.5", {
      skipInventory: false,
      kfpUser: "user@example.com",
      kfpNamespaces: ["kubeflow-user-example-com"],
    });
    expect(inventory).toMatchObject({
      state: "read",
      multiUser: { namespaces: ["kubeflow-user-example-com"], user: "user@example.com" },
    });
  });
});

import { describe, expect, it } from "vitest";
import { checkAccess } from "../../../src/cli/check-access.js";
import { buildDeployPlan } from "../../../src/plan/build-deploy-plan.js";
import { FakeKubeClient } from "../../support/fake-kube-client.js";
import { sharedRelease } from "../../support/manifests.js";
import { aSnapshot } from "../../support/snapshot-builder.js";
import { NOW, PV_APP } from "../plan/plan-inputs.js";

async function deployPlan() {
  const snapshot = aSnapshot().withVolume("kfp-mysql").withVolume("kfp-minio").build();
  return buildDeployPlan({
    app: PV_APP,
    snapshot,
    release: await sharedRelease("2.5.0"),
    command: "deploy",
    now: NOW,
  });
}

describe("checkAccess", () => {
  it("passes when every review allows", async () => {
    await expect(checkAccess(new FakeKubeClient(), await deployPlan())).resolves.toBeUndefined();
  });

  it("names the one missing right, in the singular", async () => {
    const client = new FakeKubeClient().deny({ verb: "patch", group: "apps", resource: "deployments" });
    await expect(checkAccess(client, await deployPlan())).rejects.toMatchObject({
      code: "RBAC_FORBIDDEN",
      exitCode: 4,
      message: "the current user (fake-user) lacks 1 permission this deploy needs",
      details: ["cannot patch deployments.apps in namespace kubeflow"],
    });
  });

  it("lists every missing right at once", async () => {
    const client = new FakeKubeClient()
      .deny({ verb: "patch", group: "apps", resource: "deployments" })
      .deny({ verb: "create", group: "coordination.k8s.io", resource: "leases" });
    await expect(checkAccess(client, await deployPlan())).rejects.toMatchObject({
      message: "the current user (fake-user) lacks 2 permissions this deploy needs",
      details: [
        "cannot create leases.coordination.k8s.io in namespace kubeflow",
        "cannot patch deployments.apps in namespace kubeflow",
      ],
    });
  });

  it("names a missing subresource right: reading KFP's inventory through the service proxy", async () => {
    const plan = await deployPlan();
    plan.steps.push({
      id: "99-verifyInventory",
      kind: "verifyInventory",
      namespace: "kubeflow",
      source: "as recorded in the KFAPP at 2026-01-01T00:00:00.000Z",
      baseline: { experiments: [], pipelines: [], pipelineVersions: [], runs: [], recurringRuns: [] },
    });
    const client = new FakeKubeClient().deny({ verb: "get", resource: "services", subresource: "proxy" });
    await expect(checkAccess(client, plan)).rejects.toMatchObject({
      details: ["cannot get services/proxy in namespace kubeflow"],
    });
  });
});

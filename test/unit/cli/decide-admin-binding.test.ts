import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { decideAdminBinding } from "../../../src/cli/decide-admin-binding.js";
import { buildUpgradePlan } from "../../../src/plan/build-upgrade-plan.js";
import type { Plan } from "../../../src/plan/plan.js";
import { FakeKubeClient } from "../../support/fake-kube-client.js";
import { type GcloudStandIn, startGcloudStandIn } from "../../support/gcloud-stand-in.js";
import { sharedHops, sharedRelease } from "../../support/manifests.js";
import { anApp, installedSnapshot, NOW, PV_APP } from "../plan/plan-inputs.js";

// The RBAC preflight decides; gcloud (the REAL one, against the local stand-in, whose config names the account) is
// asked for the account only when a right is missing and admin-binding is absent.

const GCP_APP = anApp({
  mysql: { pvName: "kfp-mysql" },
  objectStore: { pvName: "kfp-minio" },
  platform: { type: "gcp", project: "kf-proj", zone: "us-central1-a" },
});
let standIn: GcloudStandIn;
let withAccount: string;
let withoutAccount: string;

beforeAll(async () => {
  standIn = await startGcloudStandIn({ project: "kf-proj" });
  withAccount = await standIn.configDir({ account: "owner@example.com" });
  withoutAccount = await standIn.configDir();
}, 240_000);
afterAll(() => standIn.close());
beforeEach(() => {
  standIn.requests.length = 0;
});

async function upgradePlan(app = GCP_APP): Promise<Plan> {
  const installed = await sharedRelease("2.4.0");
  return buildUpgradePlan({
    app,
    snapshot: installedSnapshot(installed).build(),
    installed,
    hops: await sharedHops("2.4.0", "2.5.0"),
    strategy: "auto",
    now: NOW,
  });
}
const env = (dir: string) => ({ PATH: process.env.PATH, CLOUDSDK_CONFIG: dir });
const denyCrds = () =>
  new FakeKubeClient().deny({
    verb: "create",
    group: "apiextensions.k8s.io",
    resource: "customresourcedefinitions",
  });

describe("decideAdminBinding", { timeout: 120_000 }, () => {
  it("adds the binding for the gcloud account when a right is missing and the binding is absent", async () => {
    const plan = await upgradePlan();
    const decided = await decideAdminBinding({
      client: denyCrds(),
      plan,
      app: GCP_APP,
      env: env(withAccount),
    });
    expect(decided.steps[0]).toMatchObject({
      kind: "ensureAdminBinding",
      name: "admin-binding",
      user: "owner@example.com",
      missing: ["create customresourcedefinitions.apiextensions.k8s.io (cluster-wide)"],
    });
  });

  it("asks nothing of gcloud and adds nothing when every right is there", async () => {
    const plan = await upgradePlan();
    const client = new FakeKubeClient();
    const decided = await decideAdminBinding({ client, plan, app: GCP_APP, env: { PATH: "/nonexistent" } });
    expect(decided).toBe(plan);
  });

  it("never adds one for an app that is not on GCP", async () => {
    const plan = await upgradePlan(PV_APP);
    const decided = await decideAdminBinding({
      client: denyCrds(),
      plan,
      app: PV_APP,
      env: { PATH: "/nonexistent" },
    });
    expect(decided).toBe(plan);
  });

  it("leaves an existing admin-binding alone and says so", async () => {
    const plan = await upgradePlan();
    const client = denyCrds();
    await client.create({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: "admin-binding" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
      subjects: [{ kind: "User", name: "someone-else@example.com" }],
    });
    const decided = await decideAdminBinding({ client, plan, app: GCP_APP, env: { PATH: "/nonexistent" } });
    expect(decided.steps).toEqual(plan.steps);
    expect(decided.notes.at(-1)).toContain(
      "clusterrolebinding/admin-binding exists but the current user still lacks 1 right",
    );
  });

  it("refuses the plan when gcloud names no account", async () => {
    const plan = await upgradePlan();
    const decided = await decideAdminBinding({
      client: denyCrds(),
      plan,
      app: GCP_APP,
      env: env(withoutAccount),
    });
    expect(decided.refusal?.code).toBe("ADMIN_BINDING_ACCOUNT_MISSING");
  });

  it("a missing gcloud is a typed error naming the command", async () => {
    const plan = await upgradePlan();
    await expect(
      decideAdminBinding({ client: denyCrds(), plan, app: GCP_APP, env: { PATH: "/nonexistent" } }),
    ).rejects.toMatchObject({ code: "GCLOUD_MISSING", exitCode: expect.any(Number) });
  });
});

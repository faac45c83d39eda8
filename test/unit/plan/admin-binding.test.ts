import { describe, expect, it } from "vitest";
import { ADMIN_BINDING, withAdminBinding } from "../../../src/plan/admin-binding.js";
import { buildUpgradePlan } from "../../../src/plan/build-upgrade-plan.js";
import type { Plan } from "../../../src/plan/plan.js";
import { renderPlanText } from "../../../src/plan/render-plan-text.js";
import { preflightAccess, requiredAccess } from "../../../src/plan/required-access.js";
import { sharedHops, sharedRelease } from "../../support/manifests.js";
import { anApp, installedSnapshot, NOW } from "./plan-inputs.js";

const GCP_APP = anApp({
  mysql: { pvName: "kfp-mysql" },
  objectStore: { pvName: "kfp-minio" },
  platform: { type: "gcp", project: "my-project", zone: "us-central1-a" },
});
const MISSING = [
  "create customresourcedefinitions.apiextensions.k8s.io (cluster-wide)",
  "patch clusterroles.rbac.authorization.k8s.io (cluster-wide)",
];

async function upgradePlan(): Promise<Plan> {
  const installed = await sharedRelease("2.4.0");
  return buildUpgradePlan({
    app: GCP_APP,
    snapshot: installedSnapshot(installed).build(),
    installed,
    hops: await sharedHops("2.4.0", "2.5.0"),
    strategy: "auto",
    now: NOW,
  });
}

describe("withAdminBinding", () => {
  it("adds nothing when the preflight finds every right", async () => {
    const plan = await upgradePlan();
    expect(withAdminBinding(plan, { missing: [], bindingExists: false, account: "me@example.com" })).toBe(
      plan,
    );
  });

  it("puts the binding first for the gcloud account, renumbers, and moves the dry run's step ids along", async () => {
    const plan = await upgradePlan();
    const bound = withAdminBinding(plan, {
      missing: MISSING,
      bindingExists: false,
      account: "me@example.com",
    });
    expect(bound.steps).toHaveLength(plan.steps.length + 1);
    expect(bound.steps[0]).toEqual({
      id: expect.stringMatching(/01-ensureAdminBinding$/),
      ...(plan.steps[0]?.hop === undefined ? {} : { hop: plan.steps[0]?.hop }),
      kind: "ensureAdminBinding",
      name: ADMIN_BINDING,
      clusterRole: "cluster-admin",
      user: "me@example.com",
      missing: MISSING,
    });
    // Every other step keeps its kind and order, under its new number.
    expect(bound.steps.slice(1).map((s) => s.kind)).toEqual(plan.steps.map((s) => s.kind));
    const ids = new Set(bound.steps.map((s) => s.id));
    const dryRuns = bound.steps.filter((s) => s.kind === "serverDryRun");
    expect(dryRuns.length).toBeGreaterThan(0);
    expect(ids.size).toBe(bound.steps.length);
    for (const step of bound.steps) {
      if (step.kind === "serverDryRun") for (const id of step.steps) expect(ids.has(id)).toBe(true);
    }
    expect(bound.notes.at(-1)).toContain(
      "kubectl create clusterrolebinding admin-binding --clusterrole=cluster-admin --user=$(gcloud config get-value account)",
    );
    expect(bound.notes.at(-1)).toContain("project owner (or roles/container.admin)");
  });

  it("shows the binding in the plan text, counted as a create", async () => {
    const plan = await upgradePlan();
    const text = renderPlanText(
      withAdminBinding(plan, { missing: MISSING, bindingExists: false, account: "me@example.com" }),
      { color: false },
    );
    expect(text).toContain(
      "+ clusterrolebinding/admin-binding: cluster-admin for user me@example.com (only if absent; the account lacks 2 rights this plan needs, e.g. create customresourcedefinitions.apiextensions.k8s.io (cluster-wide))",
    );
    const before = renderPlanText(plan, { color: false });
    const creates = (t: string) => Number(/Plan: (\d+) to create/.exec(t)?.[1]);
    expect(creates(text)).toBe(creates(before) + 1);
  });

  it("never plans a binding that exists: a note says why the rights are still missing", async () => {
    const plan = await upgradePlan();
    const kept = withAdminBinding(plan, { missing: MISSING, bindingExists: true, account: "me@example.com" });
    expect(kept.steps).toEqual(plan.steps);
    expect(kept.notes.at(-1)).toMatch(
      /^clusterrolebinding\/admin-binding exists but the current user still lacks 2 rights/,
    );
  });

  it("refuses when gcloud names no account to bind", async () => {
    const plan = await upgradePlan();
    const refused = withAdminBinding(plan, { missing: MISSING, bindingExists: false, account: null });
    expect(refused.refusal).toEqual({
      code: "ADMIN_BINDING_ACCOUNT_MISSING",
      message:
        "the current user lacks 2 rights this upgrade needs, and gcloud names no account to bind admin-binding to",
      problems: MISSING,
      hint: expect.stringContaining("gcloud auth login"),
    });
    expect(refused.steps).toEqual(plan.steps);
  });

  it("leaves a refused or empty plan alone", async () => {
    const plan = await upgradePlan();
    const refusedPlan: Plan = { ...plan, refusal: { code: "X", message: "m", problems: [], hint: "h" } };
    const facts = { missing: MISSING, bindingExists: false, account: "me@example.com" };
    expect(withAdminBinding(refusedPlan, facts)).toBe(refusedPlan);
    const empty: Plan = { ...plan, steps: [] };
    expect(withAdminBinding(empty, facts)).toBe(empty);
  });
});

describe("preflightAccess with an admin binding", () => {
  it("checks only what creating the binding takes (and the lock); the binding grants the rest", async () => {
    const plan = await upgradePlan();
    const bound = withAdminBinding(plan, {
      missing: MISSING,
      bindingExists: false,
      account: "me@example.com",
    });
    const checks = preflightAccess(bound);
    expect(checks).toContainEqual({
      verb: "create",
      group: "rbac.authorization.k8s.io",
      resource: "clusterrolebindings",
    });
    expect(checks).toContainEqual({
      verb: "bind",
      group: "rbac.authorization.k8s.io",
      resource: "clusterroles",
      name: "cluster-admin",
    });
    expect(checks).toContainEqual(
      expect.objectContaining({ verb: "create", resource: "leases", namespace: "kubeflow" }),
    );
    expect(checks.some((c) => c.resource === "customresourcedefinitions")).toBe(false);
    // Without the binding, the full list.
    expect(preflightAccess(plan)).toEqual(requiredAccess(plan));
  });
});

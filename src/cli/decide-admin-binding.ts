import type { KfpApp } from "../app/kfp-app.js";
import { KubeApiError } from "../errors.js";
import { ensureGcloudReady } from "../gcp/ensure-gcloud-ready.js";
import { createGcloud, type Gcloud } from "../gcp/gcloud.js";
import { gcloudAccount } from "../gcp/gcloud-account.js";
import type { KubeClient } from "../kube/kube-client.js";
import { ADMIN_BINDING, withAdminBinding } from "../plan/admin-binding.js";
import type { Plan } from "../plan/plan.js";
import { describeAccess, requiredAccess } from "../plan/required-access.js";

/**
 * The admin binding of a GCP app's upgrade or reinstall: the RBAC preflight (rules reviews, each right they do not grant confirmed by a SelfSubjectAccessReview
 * the plan needs) runs first; only when it finds a right missing is `admin-binding` looked up and, when absent,
 * gcloud asked for its account (`gcloud config get-value account`). Nothing is changed here; the binding is a step.
 */
export async function decideAdminBinding(input: {
  client: KubeClient;
  plan: Plan;
  app: KfpApp;
  env: NodeJS.ProcessEnv;
  gcloud?: Gcloud;
}): Promise<Plan> {
  const { client, plan, app } = input;
  if (app.platform.type !== "gcp" || plan.refusal || plan.steps.length === 0) return plan;
  const results = await client.canI(requiredAccess(plan));
  const missing = results.filter((result) => !result.allowed).map((result) => describeAccess(result.check));
  if (missing.length === 0) return plan;
  const bindingExists = await exists(client);
  if (bindingExists) return withAdminBinding(plan, { missing, bindingExists, account: null });
  const gcloud = input.gcloud ?? createGcloud({ project: app.platform.project, env: input.env });
  await ensureGcloudReady(gcloud);
  return withAdminBinding(plan, { missing, bindingExists, account: await gcloudAccount(gcloud) });
}

/** A user who may not read ClusterRoleBindings cannot tell: the step creates it only if absent anyway. */
async function exists(client: KubeClient): Promise<boolean> {
  try {
    const ref = {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      name: ADMIN_BINDING,
    };
    return (await client.get(ref)) !== null;
  } catch (error) {
    if (error instanceof KubeApiError && error.statusCode === 403) return false;
    throw error;
  }
}

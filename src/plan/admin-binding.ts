import { insertStep } from "./insert-step.js";
import type { Plan } from "./plan.js";

/** The name the old web-UI procedure gave the binding (`kubectl create clusterrolebinding admin-binding …`). */
export const ADMIN_BINDING = "admin-binding";

/** The old procedure's command, for notes and hints. */
export const ADMIN_BINDING_COMMAND = `kubectl create clusterrolebinding ${ADMIN_BINDING} --clusterrole=cluster-admin --user=$(gcloud config get-value account)`;

export interface AdminBindingFacts {
  /** What the RBAC preflight (SelfSubjectAccessReviews of the plan's required access) found missing, in words. */
  missing: string[];
  /** Whether ClusterRoleBinding `admin-binding` exists already. */
  bindingExists: boolean;
  /** `gcloud config get-value account`; null when gcloud names none (or was not asked). */
  account: string | null;
}

/**
 * A GCP app's plan, with the old web-UI procedure's admin binding as its first step when it is needed: only when the
 * RBAC preflight says the caller lacks rights the plan needs and `admin-binding` does not exist. Then the step makes
 * the gcloud account cluster-admin (on GKE, the account is the Kubernetes user name), and the rest of the plan runs
 * with those rights. An existing binding is never touched: the preflight's refusal then names what is still missing.
 */
export function withAdminBinding(plan: Plan, facts: AdminBindingFacts): Plan {
  if (plan.refusal || plan.steps.length === 0 || facts.missing.length === 0) return plan;
  if (facts.bindingExists) {
    return {
      ...plan,
      notes: [
        ...plan.notes,
        `clusterrolebinding/${ADMIN_BINDING} exists but the current user still lacks ${facts.missing.length} right${facts.missing.length === 1 ? "" : "s"} this plan needs: it binds another user (check it with \`kubectl get clusterrolebinding ${ADMIN_BINDING} -o yaml\`), or the kubeconfig's user is not the gcloud account; it is left as it is`,
      ],
    };
  }
  if (facts.account === null) {
    return {
      ...plan,
      refusal: {
        code: "ADMIN_BINDING_ACCOUNT_MISSING",
        message: `the current user lacks ${facts.missing.length} right${facts.missing.length === 1 ? "" : "s"} this ${plan.command} needs, and gcloud names no account to bind ${ADMIN_BINDING} to`,
        problems: facts.missing,
        hint: "Log in with `gcloud auth login` (check with `gcloud config get-value account`) and run the command again, or ask a cluster admin for the rights listed.",
      },
    };
  }
  const bound = insertStep(plan, 0, {
    kind: "ensureAdminBinding",
    name: ADMIN_BINDING,
    clusterRole: "cluster-admin",
    user: facts.account,
    missing: facts.missing,
  });
  return {
    ...bound,
    notes: [
      ...bound.notes,
      `the plan first creates clusterrolebinding/${ADMIN_BINDING} (cluster-admin for ${facts.account}), as the old procedure's \`${ADMIN_BINDING_COMMAND}\` did: it needs create on clusterrolebindings and bind on clusterrole cluster-admin, which on GKE a project owner (or roles/container.admin) has through IAM; it stays after the run`,
    ],
  };
}

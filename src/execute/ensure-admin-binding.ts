import { KubeApiError, PreflightRefusal } from "../errors.js";
import type { StepOf } from "../plan/step.js";
import type { ExecutionContext } from "./execution-context.js";

/** A SelfSubjectAccessReview every cluster-admin passes (its rule is verbs, groups and resources `*`). */
const EVERYTHING = { verb: "*", group: "*", resource: "*" };
const POLL_MS = 500;

/**
 * Creates the ClusterRoleBinding (never updates one: a binding of that name, whoever made it, is kept), then waits
 * until the API server's authorizer answers that the current user may do everything: RBAC sees a new binding after
 * its informer caught up, and the next step must not meet a 403. A user the binding does not cover (the kubeconfig's
 * user is not the gcloud account) stops the run here, before any other change.
 */
export async function ensureAdminBinding(
  step: StepOf<"ensureAdminBinding">,
  ctx: ExecutionContext,
): Promise<string> {
  const binding = {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name: step.name, labels: { "app.kubernetes.io/managed-by": "kfp-upgrade" } },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: step.clusterRole },
    subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: step.user }],
  };
  let outcome = `clusterrolebinding/${step.name} created: ${step.clusterRole} for user ${step.user}`;
  try {
    await ctx.client.create(binding);
  } catch (error) {
    if (!(error instanceof KubeApiError && error.statusCode === 409)) throw error;
    outcome = `clusterrolebinding/${step.name} exists; kept as it is`;
  }
  const deadline = Date.now() + Math.min(ctx.timeoutSeconds, 60) * 1000;
  for (;;) {
    ctx.signal.throwIfAborted();
    const [answer] = await ctx.client.canI([EVERYTHING]);
    if (answer?.allowed) return outcome;
    if (Date.now() >= deadline) break;
    ctx.progress(
      `waiting until the API server grants ${step.clusterRole} to ${ctx.client.user ?? "the current user"}`,
    );
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new PreflightRefusal(
    "ADMIN_BINDING_NOT_EFFECTIVE",
    `clusterrolebinding/${step.name} binds ${step.clusterRole} to ${step.user}, but the current user (${ctx.client.user ?? "unknown"}) still lacks it: the kubeconfig's user is not the gcloud account; nothing else was changed`,
    {
      hint: `Check \`gcloud config get-value account\` against the user of \`kubectl config current-context\` (on GKE, \`gcloud container clusters get-credentials\` makes them the same), then \`kfp-upgrade resume\`.`,
    },
  );
}

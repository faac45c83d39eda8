import { PreflightRefusal } from "../errors.js";
import type { KubeClient } from "../kube/kube-client.js";
import type { Plan } from "../plan/plan.js";
import { describeAccess, preflightAccess } from "../plan/required-access.js";

/** Every right the plan needs, from one rules review per namespace (refusals confirmed by access reviews); every missing right is listed at once. */
export async function checkAccess(client: KubeClient, plan: Plan): Promise<void> {
  const results = await client.canI(preflightAccess(plan));
  const missing = results.filter((result) => !result.allowed);
  if (missing.length === 0) return;
  throw new PreflightRefusal(
    "RBAC_FORBIDDEN",
    `the current user (${client.user ?? "unknown"}) lacks ${missing.length} permission${missing.length === 1 ? "" : "s"} this ${plan.command} needs`,
    {
      details: missing.map(({ check }) => `cannot ${describeAccess(check)}`),
      hint: "Ask a cluster admin for these rights (or run with an admin context); nothing was changed.",
    },
  );
}

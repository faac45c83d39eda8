import type { Plan } from "./plan.js";

/**
 * The refusal of a plan that still protects the data first: a data claim is being deleted, so its PV is switched to
 * Retain (the plan's only steps) and nothing else happens. Every problem is listed, not only the first.
 */
export function protectiveRefusal(
  what: string,
  problems: string[],
  namespace: string,
): NonNullable<Plan["refusal"]> {
  const [first] = problems;
  return {
    code: "DATA_CLAIM_TERMINATING",
    message: problems.length === 1 && first ? `${what}: ${first}` : `${what}: ${problems.length} problems`,
    problems,
    hint: `Only the reclaim policies shown were changed (to Retain), so the data outlives the claims. Wait until the claims are gone (\`kubectl get pvc -n ${namespace}\`), then run \`kfp-upgrade reinstall\`.`,
  };
}

import { z } from "zod";
import type { AccessCheck } from "./kube-client.js";

/**
 * One entry of a SelfSubjectRulesReview's `status.resourceRules`
 * (https://kubernetes.io/docs/reference/kubernetes-api/authorization-resources/self-subject-rules-review-v1/).
 */
export const resourceRuleSchema = z.object({
  verbs: z.array(z.string()),
  apiGroups: z.array(z.string()).optional(),
  resources: z.array(z.string()).optional(),
  resourceNames: z.array(z.string()).optional(),
});
export type ResourceRule = z.infer<typeof resourceRuleSchema>;

/** The status of a SelfSubjectRulesReview, as the API server answers it. */
export const rulesReviewStatusSchema = z.object({
  resourceRules: z.array(resourceRuleSchema).default([]),
  incomplete: z.boolean().default(false),
  evaluationError: z.string().optional(),
});
export type RulesReviewStatus = z.infer<typeof rulesReviewStatusSchema>;

const ALL = "*";

/**
 * Whether one rule grants `check`, as the RBAC authorizer decides it (k8s.io/kubernetes
 * pkg/apis/rbac/v1/evaluation_helpers.go: VerbMatches, APIGroupMatches, ResourceMatches, ResourceNameMatches):
 * `*` matches every verb, group and resource; a subresource is asked as `deployments/scale` and matched by that
 * or by `*\/scale`; a rule with resourceNames grants only requests that name one of them.
 */
export function ruleGrants(rule: ResourceRule, check: AccessCheck): boolean {
  if (!rule.verbs.some((verb) => verb === ALL || verb === check.verb)) return false;
  if (!(rule.apiGroups ?? []).some((group) => group === ALL || group === check.group)) return false;
  const combined = check.subresource ? `${check.resource}/${check.subresource}` : check.resource;
  const resourceMatches = (rule.resources ?? []).some(
    (resource) =>
      resource === ALL ||
      resource === combined ||
      (check.subresource !== undefined && check.subresource !== "" && resource === `*/${check.subresource}`),
  );
  if (!resourceMatches) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || (check.name !== undefined && names.includes(check.name));
}

/** true when some rule grants `check`; false means "not shown here", never "denied" (the list may be incomplete). */
export function rulesGrant(rules: readonly ResourceRule[], check: AccessCheck): boolean {
  return rules.some((rule) => ruleGrants(rule, check));
}

import type { KubeObject, ObjectRef } from "../model/kube-object.js";
import { describeRef } from "../model/kube-object.js";
import type { ExecutionContext } from "./execution-context.js";
import { goneReadiness } from "./readiness/gone.js";
import { podsGoneReadiness } from "./readiness/v1-pods-gone.js";
import { waitAll } from "./wait-all.js";
import { waitPods } from "./wait-pods.js";

export function matchLabelsOf(object: KubeObject | null): Record<string, string> | undefined {
  return (object?.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined)?.selector
    ?.matchLabels;
}

/**
 * Whether the live Deployment already is the recreated one (a resumed run): it has the wanted selector, and the
 * wanted Recreate strategy when that is why it is recreated (an apply cannot turn RollingUpdate into Recreate).
 */
export function alreadyRecreated(current: KubeObject | null, wanted: KubeObject): boolean {
  if (!current) return false;
  const sameSelector =
    JSON.stringify(matchLabelsOf(current) ?? null) === JSON.stringify(matchLabelsOf(wanted) ?? null);
  return sameSelector && (strategyType(wanted) !== "Recreate" || strategyType(current) === "Recreate");
}

function strategyType(object: KubeObject): unknown {
  return (object.spec as { strategy?: { type?: unknown } } | undefined)?.strategy?.type;
}

/**
 * Deletes a Deployment so that nothing of it runs any more: Foreground propagation (its ReplicaSets and pods go
 * before it does), then waits until the Deployment is gone AND no pod of its selector exists. Only then may another
 * Deployment start a pod on the same data volume (one writer per volume; a terminating mysqld still holds its
 * InnoDB lock). `fallbackSelector` is used when the Deployment is already gone (a resumed run).
 */
export async function deleteDeploymentAndPods(
  ctx: ExecutionContext,
  ref: ObjectRef,
  fallbackSelector?: Record<string, string>,
): Promise<boolean> {
  const current = await ctx.client.get(ref);
  const selector = matchLabelsOf(current) ?? fallbackSelector;
  const deleted = current ? await ctx.client.delete(ref, { propagationPolicy: "Foreground" }) : false;
  await waitAll(ctx, [ref], goneReadiness, "deleted");
  if (selector && Object.keys(selector).length > 0) {
    await waitPods(ctx, ref.namespace ?? "", selector, podsGoneReadiness, `pods of ${describeRef(ref)}`);
  }
  return deleted;
}

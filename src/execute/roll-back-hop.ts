import type { KubeObject } from "../model/kube-object.js";
import { describeRef } from "../model/kube-object.js";
import { refFromKey } from "./capture-before.js";
import { deleteDeploymentAndPods, matchLabelsOf } from "./delete-deployment.js";
import type { ExecutionContext } from "./execution-context.js";
import { deploymentReadiness } from "./readiness/apps-v1-deployment.js";
import { waitAll } from "./wait-all.js";

export interface RollBackOptions {
  /**
   * Set once the hop passed its point of no return: only Deployments go back, except these (mysql, the object store,
   * the API server), which stay at the new release; every other object the hop created or changed stays too, since
   * the kept servers need it.
   */
  afterPointOfNoReturn?: { keep: readonly string[] };
}

export interface RollBackResult {
  /** One line per object, in the order it was handled: `restored …`, `deleted …`, `kept …`. */
  actions: string[];
  restored: number;
  kept: number;
}

/**
 * Puts a hop's stateless objects back as they were before it: objects that existed are applied again in their
 * old form (a Deployment whose selector moved is recreated), objects the hop created are deleted. Data objects
 * (PVCs, PVs, Secrets) were never captured, so they are never touched here. A Deployment is deleted with Foreground
 * propagation and only replaced once no pod of its old selector is left: never two servers on one volume.
 */
export async function rollBackHop(
  ctx: ExecutionContext,
  before: [string, KubeObject | null][],
  options: RollBackOptions = {},
): Promise<RollBackResult> {
  const actions: string[] = [];
  let restored = 0;
  let kept = 0;
  const forward = options.afterPointOfNoReturn;
  const keep = new Set(forward?.keep ?? []);
  const keptConfig: string[] = [];
  const restoredDeployments: KubeObject[] = [];
  for (const [key, previous] of [...before].reverse()) {
    const ref = refFromKey(key);
    // CRDs are shared with every install and never go back (they are not captured either; this guards old journals).
    if (ref.kind === "CustomResourceDefinition") continue;
    if (forward && ref.kind !== "Deployment") {
      keptConfig.push(describeRef(ref));
      kept += 1;
      continue;
    }
    if (forward && keep.has(ref.name)) {
      actions.push(
        `kept ${describeRef(ref)} at the new release (the data moved forward; it is never restored to an older one)`,
      );
      kept += 1;
      continue;
    }
    const current = await ctx.client.get(ref);
    if (previous === null) {
      if (current) {
        if (ref.kind === "Deployment") await deleteDeploymentAndPods(ctx, ref);
        else await ctx.client.delete(ref, { propagationPolicy: "Background" });
        actions.push(`deleted ${describeRef(ref)} (created by the failed hop)`);
        restored += 1;
      }
      continue;
    }
    if (
      ref.kind === "Deployment" &&
      current &&
      JSON.stringify(matchLabelsOf(current) ?? null) !== JSON.stringify(matchLabelsOf(previous) ?? null)
    ) {
      await deleteDeploymentAndPods(ctx, ref);
    }
    await ctx.client.apply(previous, { force: true });
    actions.push(`restored ${describeRef(ref)}`);
    restored += 1;
    if (ref.kind === "Deployment") restoredDeployments.push(previous);
  }
  if (keptConfig.length > 0) {
    actions.push(
      `kept ${keptConfig.length} configuration objects of the new release that the kept servers need: ${keptConfig.join(", ")}`,
    );
  }
  const restoredImages = restoredDeployments.map((d) => {
    const containers = ((d.spec as { template?: { spec?: { containers?: { image: string }[] } } }).template
      ?.spec?.containers ?? []) as { image: string }[];
    return `${d.metadata.name}=${containers.map((c) => c.image).join(",")}`;
  });
  if (restoredImages.length > 0) ctx.progress(`restored images: ${restoredImages.join(" ")}`);
  try {
    await waitAll(
      { ...ctx, timeoutSeconds: Math.min(ctx.timeoutSeconds, 120) },
      restoredDeployments.map((d) => ({
        apiVersion: "apps/v1",
        kind: "Deployment",
        name: d.metadata.name,
        namespace: d.metadata.namespace,
      })),
      deploymentReadiness,
      "restored Deployments available",
    );
  } catch (error) {
    ctx.warn(`after rollback, not every restored Deployment became available: ${(error as Error).message}`);
  }
  return { actions, restored, kept };
}

import type { KubeObject } from "../model/kube-object.js";
import { describeRef } from "../model/kube-object.js";
import { refFromKey } from "./capture-before.js";
import type { ExecutionContext } from "./execution-context.js";
import { deploymentReadiness } from "./readiness/apps-v1-deployment.js";
import { goneReadiness } from "./readiness/gone.js";
import { waitAll } from "./wait-all.js";

/**
 * Puts a hop's stateless objects back as they were before it: objects that existed are applied again in their
 * old form (a Deployment whose selector moved is recreated), objects the hop created are deleted. Data objects
 * (PVCs, PVs, Secrets) were never captured, so they are never touched here.
 */
export async function rollBackHop(
  ctx: ExecutionContext,
  before: [string, KubeObject | null][],
): Promise<string[]> {
  const actions: string[] = [];
  const restoredDeployments: KubeObject[] = [];
  for (const [key, previous] of [...before].reverse()) {
    const ref = refFromKey(key);
    // CRDs are shared with every install and never go back (they are not captured either; this guards old journals).
    if (ref.kind === "CustomResourceDefinition") continue;
    const current = await ctx.client.get(ref);
    if (previous === null) {
      if (current && (await ctx.client.delete(ref, { propagationPolicy: "Background" }))) {
        actions.push(`deleted ${describeRef(ref)} (created by the failed hop)`);
      }
      continue;
    }
    if (ref.kind === "Deployment" && current && selectorOf(current) !== selectorOf(previous)) {
      await ctx.client.delete(ref, { propagationPolicy: "Background" });
      await waitAll(ctx, [ref], goneReadiness, "deleted");
    }
    await ctx.client.apply(previous, { force: true });
    actions.push(`restored ${describeRef(ref)}`);
    if (ref.kind === "Deployment") restoredDeployments.push(previous);
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
  return actions;
}

function selectorOf(object: KubeObject): string {
  return JSON.stringify((object.spec as { selector?: unknown } | undefined)?.selector ?? null);
}

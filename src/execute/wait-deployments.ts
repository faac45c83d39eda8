import { setTimeout as sleep } from "node:timers/promises";
import { KfpError, VerificationFailed } from "../errors.js";
import type { ExecutionContext } from "./execution-context.js";
import { readDeploymentProgress } from "./read-deployment-progress.js";
import { appliedDeploymentReadiness } from "./readiness/apps-v1-deployment.js";
import type { DeploymentProgress } from "./readiness/apps-v1-deployment-progress.js";
import { describePodCause } from "./readiness/v1-pod-cause.js";
import { waitAll } from "./wait-all.js";

/** How often the pods of the waited Deployments are read for their ready counts and causes. */
export const DEPLOYMENT_PROGRESS_POLL_MS = 2_000;

/**
 * Waits for Deployments `names` to roll out (each through a watch, as `waitAll`), and meanwhile reads their pods
 * every DEPLOYMENT_PROGRESS_POLL_MS to report each one's ready/desired replicas and the first pod-level cause of an
 * unready one (ImagePullBackOff, an unschedulable pod, a failing probe) whenever that changes. A failed or timed-out
 * wait names those causes too. Reading the pods is best effort: a refused read leaves the causes out, never fails
 * the wait.
 */
export async function waitDeployments(
  ctx: ExecutionContext,
  namespace: string,
  names: readonly string[],
  pollMs = DEPLOYMENT_PROGRESS_POLL_MS,
): Promise<void> {
  const stop = new AbortController();
  let shown = "";
  const read = () => readDeploymentProgress(ctx.client, namespace, names).catch(() => null);
  const poll = async () => {
    while (!stop.signal.aborted && !ctx.signal.aborted) {
      const progress = await read();
      if (progress && !stop.signal.aborted) {
        const key = JSON.stringify(progress);
        if (key !== shown) {
          shown = key;
          ctx.progress(summarize(progress), progress);
        }
      }
      await sleep(pollMs, undefined, { signal: stop.signal }).catch(() => {});
    }
  };
  const polling = poll();
  const refs = names.map((name) => ({ apiVersion: "apps/v1", kind: "Deployment", name, namespace }));
  try {
    await waitAll(ctx, refs, appliedDeploymentReadiness, "Deployments available");
  } catch (error) {
    if (!(error instanceof KfpError) || !error.code.startsWith("WAIT_")) throw error;
    const causes = ((await read()) ?? []).filter((d) => d.cause !== undefined);
    if (causes.length === 0) throw error;
    throw new VerificationFailed(
      error.code,
      `${error.message}; pods not ready: ${causes.map((d) => `deployment/${d.name} ${describeProgress(d)}`).join("; ")}`,
      { ...(error.hint ? { hint: error.hint } : {}), cause: error },
    );
  } finally {
    stop.abort();
    await polling;
  }
}

/** `ml-pipeline-ui 0/1 (pod … container …: ImagePullBackOff: …)`: one Deployment in one line. */
export function describeProgress(progress: DeploymentProgress): string {
  return `${progress.ready}/${progress.desired} ready${progress.cause ? ` (${describePodCause(progress.cause)})` : ""}`;
}

function summarize(progress: readonly DeploymentProgress[]): string {
  const unready = progress.filter((d) => d.ready < d.desired);
  const head = `${progress.length - unready.length}/${progress.length} Deployments with every new replica ready`;
  return unready.length === 0
    ? head
    : `${head}; ${unready.map((d) => `${d.name} ${describeProgress(d)}`).join("; ")}`;
}

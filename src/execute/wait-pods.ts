import { setTimeout as sleep } from "node:timers/promises";
import { VerificationFailed } from "../errors.js";
import type { KubeObject } from "../model/kube-object.js";
import type { ExecutionContext } from "./execution-context.js";
import type { Readiness } from "./readiness/readiness.js";

const POLL_MS = 500;

/** `app=mysql,application-crd-id=kubeflow-pipelines`: matchLabels as a label selector string. */
export function labelSelector(labels: Record<string, string>): string {
  return Object.entries(labels)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join(",");
}

/**
 * Lists the pods of a label selector until `check` says done (a pure rule over the list), the timeout passes or the
 * run's signal aborts. Pods are listed, not watched: a selector matches pods of several ReplicaSets, old and new.
 */
export async function waitPods(
  ctx: ExecutionContext,
  namespace: string,
  selector: Record<string, string>,
  check: (pods: readonly KubeObject[]) => Readiness,
  what: string,
): Promise<Readiness> {
  if (Object.keys(selector).length === 0) {
    throw new VerificationFailed("WAIT_FAILED", `${what}: an empty selector would match every pod`);
  }
  const deadline = Date.now() + ctx.timeoutSeconds * 1000;
  let last = "";
  for (;;) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const pods = await ctx.client.list("v1", "Pod", { namespace, labelSelector: labelSelector(selector) });
    const verdict = check(pods);
    if (verdict.message !== last) {
      last = verdict.message;
      ctx.progress(`${what}: ${verdict.message}`);
    }
    if (verdict.done) {
      if (!verdict.ok) throw new VerificationFailed("WAIT_FAILED", `${what}: ${verdict.message}`);
      return verdict;
    }
    if (Date.now() >= deadline) {
      throw new VerificationFailed(
        "WAIT_TIMEOUT",
        `${what}: timed out after ${ctx.timeoutSeconds}s (${verdict.message})`,
        {
          hint: "Inspect the pods with `kubectl get pods -l <selector>` / `kubectl describe pod`; raise --timeout if the cluster is just slow.",
        },
      );
    }
    await sleep(POLL_MS, undefined, { signal: ctx.signal }).catch(() => {});
  }
}

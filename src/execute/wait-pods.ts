import { VerificationFailed } from "../errors.js";
import type { KubeObject } from "../model/kube-object.js";
import type { ExecutionContext } from "./execution-context.js";
import type { Readiness } from "./readiness/readiness.js";
import { watchUntil } from "./watch-until.js";

/** `app=mysql,application-crd-id=kubeflow-pipelines`: matchLabels as a label selector string. */
export function labelSelector(labels: Record<string, string>): string {
  return Object.entries(labels)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join(",");
}

/**
 * Watches the pods of a label selector (one list, then one watch of the selector) until `check` says done (a pure
 * rule over the pods), the timeout passes or the run's signal aborts. The selector's pods are watched as a
 * collection, not one by one: it matches pods of several ReplicaSets, old and new, and pods that come and go.
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
  let last: string | undefined;
  return watchUntil<Readiness>(
    ctx,
    (settle, signal) => [
      ctx.client.watchList(
        "v1",
        "Pod",
        { namespace, labelSelector: labelSelector(selector) },
        (pods) => {
          const verdict = check(pods);
          if (verdict.message !== last) {
            last = verdict.message;
            ctx.progress(`${what}: ${verdict.message}`);
          }
          if (!verdict.done) return;
          if (verdict.ok) settle.resolve(verdict);
          else settle.reject(new VerificationFailed("WAIT_FAILED", `${what}: ${verdict.message}`));
        },
        signal,
      ),
    ],
    () =>
      new VerificationFailed(
        "WAIT_TIMEOUT",
        `${what}: timed out after ${ctx.timeoutSeconds}s (${last ?? "never checked"})`,
        {
          hint: "Inspect the pods with `kubectl get pods -l <selector>` / `kubectl describe pod`; raise --timeout if the cluster is just slow.",
        },
      ),
  );
}

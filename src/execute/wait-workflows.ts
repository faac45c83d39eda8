import { setTimeout as sleep } from "node:timers/promises";
import { VerificationFailed } from "../errors.js";
import type { ExecutionContext } from "./execution-context.js";
import { workflowsDoneReadiness } from "./readiness/argoproj-v1alpha1-workflows-done.js";

const POLL_MS = 2000;

/**
 * Lists the Argo Workflows of `namespace` until none is unfinished, bounded by the run's --timeout, with the waiting
 * ones as progress. Workflows started meanwhile count too: the drain is over when the namespace has none running.
 */
export async function waitWorkflowsDone(ctx: ExecutionContext, namespace: string): Promise<string> {
  const deadline = Date.now() + ctx.timeoutSeconds * 1000;
  let last = "";
  for (;;) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const workflows = await ctx.client.list("argoproj.io/v1alpha1", "Workflow", { namespace });
    const verdict = workflowsDoneReadiness(workflows);
    if (verdict.message !== last) {
      last = verdict.message;
      ctx.progress(`Argo Workflows of ${namespace}: ${verdict.message}`);
    }
    if (verdict.done) return verdict.message;
    if (Date.now() >= deadline) {
      throw new VerificationFailed(
        "WORKFLOWS_STILL_RUNNING",
        `Argo Workflows of namespace ${namespace} did not finish within ${ctx.timeoutSeconds}s: ${verdict.message}`,
        {
          hint: "No workload of the hop was touched yet. Let them finish (or stop them with `argo stop`) and run the command again; --timeout bounds the wait, --ignore-running-workflows skips it.",
        },
      );
    }
    await sleep(POLL_MS, undefined, { signal: ctx.signal }).catch(() => {});
  }
}

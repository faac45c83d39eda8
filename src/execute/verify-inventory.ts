import { setTimeout as sleep } from "node:timers/promises";
import { InternalError, InventoryMissing, VerificationFailed } from "../errors.js";
import { compareInventories, countMissing, describeMissing } from "../kfp/compare-inventories.js";
import { describeInventoryCounts, inventoryCounts, type KfpInventory } from "../kfp/inventory.js";
import { KfpApiError } from "../kfp/kfp-api-error.js";
import type { StepOf } from "../plan/step.js";
import type { ExecutionContext } from "./execution-context.js";

const POLL_MS = 2000;

/**
 * Lists KFP's inventory through its API once the rollout is done, and stops the run (before any prune of the hop)
 * when anything of the baseline is missing. A server that is still starting (no ready endpoint, no answer, a 5xx) is
 * asked again until the rollout timeout; one that never answers fails the hop.
 */
export async function verifyInventory(
  step: StepOf<"verifyInventory">,
  ctx: ExecutionContext,
): Promise<string> {
  const reader = ctx.inventory;
  if (!reader) throw new InternalError("this run has no way to read KFP's inventory (verifyInventory step)");
  const deadline = Date.now() + ctx.timeoutSeconds * 1000;
  let after: KfpInventory;
  for (;;) {
    try {
      after = await reader.read(step);
      break;
    } catch (error) {
      if (!(error instanceof KfpApiError) || !retryable(error)) throw error;
      if (Date.now() >= deadline || ctx.signal.aborted) {
        throw new VerificationFailed(
          "KFP_API_SILENT",
          `KFP's API answered before the run but not within ${ctx.timeoutSeconds}s after the rollout: ${error.message}`,
          {
            hint: "Check the ml-pipeline pod's logs (`kubectl logs deploy/ml-pipeline -n <namespace>`); once it serves, `kfp-upgrade resume` checks again. --skip-inventory skips the check in a new run.",
            cause: error,
          },
        );
      }
      ctx.progress(`KFP's API does not answer yet (${error.message}); asking again`);
      await sleep(POLL_MS, undefined, { signal: ctx.signal }).catch(() => {});
    }
  }
  const before: KfpInventory = {
    api: after.api,
    serverTag: null,
    multiUser: after.multiUser,
    namespaces: after.namespaces,
    experiments: step.baseline.experiments,
    pipelines: step.baseline.pipelines,
    pipelineVersions: step.baseline.pipelineVersions.map((version) => ({ ...version, pipelineId: "" })),
    runs: step.baseline.runs,
    recurringRuns: step.baseline.recurringRuns,
  };
  const missing = compareInventories(before, after);
  const count = countMissing(missing);
  if (count > 0) {
    throw new InventoryMissing(
      `KFP's API no longer lists ${count} object${count === 1 ? "" : "s"} it listed ${step.source}: ${describeMissing(missing).join("; ")}`,
      {
        details: describeMissing(missing),
        hint: "The run stopped before pruning anything of this hop; the data volumes are untouched. Find out where the objects went (the API server's logs, the database on the MySQL volume) before going on: `kfp-upgrade resume` checks again, and --skip-inventory in a new run skips the check.",
      },
    );
  }
  await reader.record(after);
  return `KFP lists ${describeInventoryCounts(inventoryCounts(after))}; nothing missing`;
}

/** A server still starting: no ready endpoint, no answer, or a 5xx. */
function retryable(error: KfpApiError): boolean {
  return (
    error.failure === "no-endpoints" ||
    error.failure === "unreachable" ||
    (error.failure === "answered" && (error.statusCode ?? 0) >= 500)
  );
}

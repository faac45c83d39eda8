import { InternalError } from "../errors.js";
import { describeInventoryCounts, inventoryCounts } from "../kfp/inventory.js";
import { KfpApiError } from "../kfp/kfp-api-error.js";
import type { StepOf } from "../plan/step.js";
import type { ExecutionContext } from "./execution-context.js";

/**
 * Reads what KFP lists once the install is up and records it (the KFAPP's inventory.json, the run's history), so a
 * later reinstall or upgrade has something to compare with. Nothing is compared here: KFP's API not answering is a
 * warning, never a failed run, since the data itself was checked by the steps before.
 */
export async function recordInventory(
  step: StepOf<"recordInventory">,
  ctx: ExecutionContext,
): Promise<string> {
  const reader = ctx.inventory;
  if (!reader) throw new InternalError("this run has no way to read KFP's inventory (recordInventory step)");
  try {
    const read = await reader.read(step);
    await reader.record(read);
    return `recorded: KFP lists ${describeInventoryCounts(inventoryCounts(read))}`;
  } catch (error) {
    if (!(error instanceof KfpApiError)) throw error;
    ctx.warn(
      `KFP's inventory was not recorded: ${error.message}. \`kfp-upgrade status\` records it once KFP's API answers.`,
    );
    return "not recorded: KFP's API did not answer";
  }
}

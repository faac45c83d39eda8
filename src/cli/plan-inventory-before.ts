import {
  describeLegacySchemaViolation,
  findLegacySchemaViolations,
  LEGACY_SCHEMA_MIGRATION_VERSION,
} from "../kfp/legacy-schema-limits.js";
import type { KubeClient } from "../kube/kube-client.js";
import type { PlanInventory } from "../plan/inventory-plan.js";
import type { KfpApiOptions } from "./inventory-options.js";
import {
  BEFORE_READ_TIMEOUT_SECONDS,
  baselineOf,
  inventoryFailureReason,
  kfpTransport,
  multiUserOf,
  readKfpInventoryWithin,
} from "./kfp-inventory.js";

/**
 * KFP's inventory before an upgrade, as the plan builder takes it: read (with the 2.15 pre-check's findings),
 * unreachable (why), or skipped (`--skip-inventory`). Read with a short timeout, under the lock.
 */
export async function planInventoryBefore(
  client: KubeClient,
  namespace: string,
  installedVersion: string | null,
  options: KfpApiOptions & { skipInventory: boolean },
): Promise<PlanInventory> {
  if (options.skipInventory) return { state: "skipped" };
  const transport = kfpTransport(client, namespace, options.kfpEndpoint, BEFORE_READ_TIMEOUT_SECONDS);
  try {
    const inventory = await readKfpInventoryWithin(
      transport,
      options,
      installedVersion,
      BEFORE_READ_TIMEOUT_SECONDS,
    );
    return {
      state: "read",
      ...(options.kfpEndpoint ? { endpoint: options.kfpEndpoint } : {}),
      ...(multiUserOf(options) ? { multiUser: multiUserOf(options) } : {}),
      baseline: baselineOf(inventory),
      legacySchema: {
        since: LEGACY_SCHEMA_MIGRATION_VERSION,
        problems: findLegacySchemaViolations(inventory).map((violation) => ({
          description: describeLegacySchemaViolation(violation),
          fix: violation.hint,
        })),
      },
    };
  } catch (error) {
    return {
      state: "unreachable",
      reason: inventoryFailureReason(error),
      legacySchemaSince: LEGACY_SCHEMA_MIGRATION_VERSION,
    };
  }
}

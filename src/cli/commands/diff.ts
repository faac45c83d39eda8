import type { CommandDeps } from "../command-deps.js";
import type { CommandResult } from "../command-result.js";
import type { GlobalOptions } from "../global-options.js";
import { upgrade } from "./upgrade.js";

/**
 * `kfp-upgrade diff [--tag T]`: the upgrade to T planned read-only (the lock is not taken), each object of its first
 * hop sent as a server-side dry run, and the field-level difference to the live object printed as a unified diff.
 */
export function diff(raw: unknown, global: GlobalOptions, deps: CommandDeps): Promise<CommandResult> {
  return upgrade(raw, { ...global, dryRun: true, serverDryRun: true }, deps, { diff: true });
}

import type { CommandDeps } from "../command-deps.js";
import type { CommandResult } from "../command-result.js";
import { executeCommand } from "../execute-plan.js";
import { fileRunStore } from "../file-run-store.js";
import type { GlobalOptions } from "../global-options.js";
import { prepareRun } from "../prepare-run.js";

/**
 * Continue the run a crash, Ctrl-C or lost connection stopped, from its first unfinished step: its journaled plan
 * (hash checked), shown with the steps already done, confirmed unless --yes, under the lock.
 */
export async function resume(
  global: GlobalOptions,
  deps: CommandDeps,
  options: { waitForLock?: boolean } = {},
): Promise<CommandResult> {
  const run = await prepareRun(global, deps);
  const pending = await fileRunStore(run.appDir, run.releases, run.app).unfinished();
  if (!pending) {
    return { data: { resumed: false }, text: `Nothing to resume: no unfinished run in ${run.appDir}.` };
  }
  const client = await run.connect();
  return executeCommand({
    global,
    deps,
    client,
    appDir: run.appDir,
    releases: run.releases,
    app: run.app,
    rollback: true,
    waitForLock: options.waitForLock ?? false,
    // A deploy or reinstall may have stopped before it created the namespace; an upgrade needs its install.
    createNamespace: pending.record.command === "deploy" || pending.record.command === "reinstall",
    mode: { kind: "resume" },
  });
}

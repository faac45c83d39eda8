import type { KfpApp } from "../../app/kfp-app.js";
import { saveApp } from "../../app/save-app.js";
import type { Plan } from "../../plan/plan.js";
import type { CommandDeps } from "../command-deps.js";
import type { CommandResult } from "../command-result.js";
import { executePlan } from "../execute-plan.js";
import type { GlobalOptions } from "../global-options.js";
import { loadPendingRun } from "../load-pending-run.js";
import { prepareRun } from "../prepare-run.js";

/** Continue the run a crash, Ctrl-C or lost connection stopped, from its first unfinished step. */
export async function resume(
  global: GlobalOptions,
  deps: CommandDeps,
  options: { waitForLock?: boolean } = {},
): Promise<CommandResult> {
  const run = await prepareRun(global, deps);
  const pending = await loadPendingRun(run.appDir, run.manifestsDir);
  if (!pending) {
    return { data: { resumed: false }, text: `Nothing to resume: no unfinished run in ${run.appDir}.` };
  }
  for (const warning of pending.warnings) deps.output.info(`warning: ${warning}`);
  deps.output.info(
    `Resuming ${pending.journal.command} to KFP ${pending.plan.to} (run ${pending.journal.runId}): ${pending.completed.size} of ${pending.plan.steps.length} steps are done.`,
  );
  const client = await run.connect();
  return executePlan({
    plan: pending.plan,
    global,
    deps,
    client,
    appDir: run.appDir,
    manifestsDir: run.manifestsDir,
    release: pending.journal.release,
    rollback: true,
    waitForLock: options.waitForLock ?? false,
    resume: {
      completed: pending.completed,
      runId: pending.journal.runId,
      startedAt: pending.journal.startedAt,
    },
    onSuccess: async () => {
      await saveApp(run.appDir, appAfter(run.app, pending.plan));
    },
  });
}

function appAfter(app: KfpApp, plan: Plan): KfpApp {
  const storage = { ...app.storage };
  for (const entry of plan.storage) {
    if (
      entry.mode === "pvName" &&
      entry.volumeName &&
      (entry.role === "mysql" || entry.role === "objectStore")
    ) {
      storage[entry.role] = { pvName: entry.volumeName };
    }
  }
  return { ...app, version: plan.to, storage };
}

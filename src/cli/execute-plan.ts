import { EXIT_CODES } from "../errors.js";
import type { InventoryAccess } from "../execute/execution-context.js";
import { type RunCommandResult, type RunMode, runCommand } from "../execute/run-command.js";
import type { KubeClient } from "../kube/kube-client.js";
import { RECORD_INVENTORY_SECONDS } from "../plan/inventory-plan.js";
import type { Plan } from "../plan/plan.js";
import { renderPlanText } from "../plan/render-plan-text.js";
import { checkAccess } from "./check-access.js";
import type { CommandDeps } from "./command-deps.js";
import type { CommandResult } from "./command-result.js";
import { fileRunStore, type RunContext } from "./file-run-store.js";
import type { GlobalOptions } from "./global-options.js";
import type { KfpApiOptions } from "./inventory-options.js";
import { kfpTransport, readKfpInventory, saveInventory } from "./kfp-inventory.js";
import type { ReleaseLookup } from "./resolve-release-for-app.js";

export interface ExecuteCommandOptions {
  global: GlobalOptions;
  deps: CommandDeps;
  client: KubeClient;
  appDir: string;
  releases: ReleaseLookup;
  /** The app as loaded (for journals written before they carried the app to save). */
  app: RunContext["app"];
  mode: RunMode<RunContext>;
  rollback: boolean;
  waitForLock: boolean;
  /** deploy and reinstall create the namespace (for the lock first); upgrade and rollback need an install. */
  createNamespace: boolean;
  /** `--kfp-user`, `--kfp-namespaces` for verifyInventory steps that do not carry them. */
  kfpApi?: KfpApiOptions;
}

/**
 * The CLI side of a run: the KFAPP directory as the run's store, the terminal as its prompter, and the result as
 * a CommandResult. The order of the run itself (lock first) is `runCommand`'s, in src/execute.
 */
export async function executeCommand(options: ExecuteCommandOptions): Promise<CommandResult> {
  const { global, deps } = options;
  const color = deps.output.color;
  const text = (plan: Plan, done?: ReadonlySet<string>) =>
    renderPlanText(plan, { color, ...(done ? { done } : {}) });
  // The last inventory a verify/recordInventory step read goes to the KFAPP (reinstall compares with it).
  const inventory: InventoryAccess = {
    read: (step) =>
      readKfpInventory(
        kfpTransport(
          options.client,
          step.namespace,
          step.endpoint,
          step.kind === "recordInventory" ? RECORD_INVENTORY_SECONDS : Math.min(global.timeout, 60),
        ),
        step.kfpUser && step.kfpNamespaces
          ? { kfpUser: step.kfpUser, kfpNamespaces: step.kfpNamespaces }
          : (options.kfpApi ?? {}),
        null,
      ),
    record: (read) => saveInventory(options.appDir, read, deps.now()),
  };
  const result: RunCommandResult = await runCommand({
    client: options.client,
    inventory,
    store: fileRunStore(options.appDir, options.releases, options.app),
    prompter: {
      showPlan(plan, done) {
        if (global.output === "text") deps.output.result({ data: plan, text: text(plan, done) });
      },
      showRefusal(plan) {
        if (global.output === "text") {
          deps.output.result({ data: plan, text: [text(plan), "", ...refusalLines(plan)].join("\n") });
        }
      },
      info: (message) => deps.output.info(message),
      event: (event) => deps.output.event(event),
      confirm: (question) => deps.confirm(question),
    },
    mode: options.mode,
    checkAccess,
    dryRun: global.dryRun,
    yes: global.yes,
    waitForLock: options.waitForLock,
    rollback: options.rollback,
    createNamespace: options.createNamespace,
    timeoutSeconds: global.timeout,
    signal: deps.signal,
    now: deps.now,
  });
  switch (result.kind) {
    case "nothing-to-resume":
      return { data: { resumed: false }, text: `Nothing to resume: no unfinished run in ${options.appDir}.` };
    case "dry-run": {
      const done = options.mode.kind === "resume" ? result.done : undefined;
      const lines = [text(result.plan, done)];
      if (result.refusal) {
        lines.push("", ...refusalLines(result.plan));
        deps.output.error(result.refusal, { document: false });
      }
      lines.push("", "Dry run: nothing was changed.");
      // --exit-code, as `terraform plan -detailed-exitcode`: 0 nothing to do, 2 the plan would change something.
      const detailed = global.exitCode
        ? { exitCode: result.plan.steps.length === 0 ? EXIT_CODES.ok : EXIT_CODES.wouldChange }
        : {};
      return {
        data: result.plan,
        text: lines.join("\n"),
        ...(result.refusal ? { exitCode: result.refusal.exitCode } : detailed),
      };
    }
    case "no-changes":
      return { data: result.plan, text: text(result.plan) };
    case "done":
      return { data: undefined, text: "" };
    default:
      return result satisfies never;
  }
}

function refusalLines(plan: Plan): string[] {
  const refusal = plan.refusal;
  if (!refusal) return [];
  const protective = plan.steps.filter(
    (step) => step.kind === "setReclaimPolicy" || step.kind === "retainClaimVolumes",
  ).length;
  return [
    `Refused: ${refusal.message}`,
    ...refusal.problems.map((problem) => `  - ${problem}`),
    `hint: ${refusal.hint}`,
    protective > 0
      ? `Only the ${protective} protective step${protective === 1 ? "" : "s"} (reclaim policy Retain) run; nothing else changes.`
      : "Nothing changes.",
  ];
}

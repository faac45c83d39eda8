import { EXIT_CODES } from "../errors.js";
import type { ClassifiedObjects } from "../execute/classified-objects.js";
import { classifyChanges, type ObjectDiff } from "../execute/classify-changes.js";
import type { InventoryAccess } from "../execute/execution-context.js";
import { type RunCommandResult, type RunMode, runCommand } from "../execute/run-command.js";
import type { KubeClient } from "../kube/kube-client.js";
import { RECORD_INVENTORY_SECONDS } from "../plan/inventory-plan.js";
import type { Plan } from "../plan/plan.js";
import { planWouldChange } from "../plan/plan-counts.js";
import { renderPlanText } from "../plan/render-plan-text.js";
import { checkAccess } from "./check-access.js";
import type { CommandDeps } from "./command-deps.js";
import type { CommandResult } from "./command-result.js";
import { fileRunStore, type RunContext } from "./file-run-store.js";
import type { GlobalOptions } from "./global-options.js";
import type { KfpApiOptions } from "./inventory-options.js";
import type { DiffOutput } from "./json-output/diff-output.js";
import { kfpTransport, readKfpInventory, saveInventory } from "./kfp-inventory.js";
import { diffName, renderObjectDiffs } from "./render-object-diffs.js";
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
  /** `kfp-upgrade diff`: a dry run that prints each object's unified diff instead of the plan. */
  diff?: boolean;
}

/**
 * The CLI side of a run: the KFAPP directory as the run's store, the terminal as its prompter, and the result as
 * a CommandResult. The order of the run itself (lock first) is `runCommand`'s, in src/execute.
 */
export async function executeCommand(options: ExecuteCommandOptions): Promise<CommandResult> {
  const { global, deps } = options;
  const color = deps.output.color;
  const text = (plan: Plan, done?: ReadonlySet<string>) =>
    renderPlanText(plan, { color, verbose: global.verbose, ...(done ? { done } : {}) });
  // Plain --dry-run shows the plan as built from what the cluster holds; every other run classifies its objects
  // by a server-side dry run before the plan is shown (and keeps the diffs for `diff`).
  let diffs: ObjectDiff[] = [];
  let seen: ClassifiedObjects | undefined;
  const classify =
    global.dryRun && !global.serverDryRun
      ? undefined
      : async (client: KubeClient, plan: Plan) => {
          const classified = await classifyChanges(plan, client);
          diffs = classified.diffs;
          seen = classified.seen;
          return classified.plan;
        };
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
    classify,
    classified: () => seen,
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
      if (options.diff && !result.refusal) return diffResult(result.plan, diffs, global.exitCode, color);
      const done = options.mode.kind === "resume" ? result.done : undefined;
      const lines = [text(result.plan, done)];
      if (result.refusal) {
        lines.push("", ...refusalLines(result.plan));
        deps.output.error(result.refusal, { document: false });
      }
      lines.push("", "Dry run: nothing was changed.");
      // --exit-code, as `terraform plan -detailed-exitcode`: 0 nothing to do, 2 the plan would change something.
      const detailed = global.exitCode
        ? { exitCode: planWouldChange(result.plan) ? EXIT_CODES.wouldChange : EXIT_CODES.ok }
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

/** `kfp-upgrade diff`: the objects' unified diffs (text) or their classification with each diff (JSON, YAML). */
function diffResult(plan: Plan, diffs: ObjectDiff[], exitCode: boolean, color: boolean): CommandResult {
  const changed = planWouldChange(plan);
  const body = renderObjectDiffs(diffs, color);
  const title = plan.from ? `KFP ${plan.from} -> ${plan.to}` : `KFP ${plan.to}`;
  const unchanged = diffs.filter((diff) => diff.change.change === "unchanged").length;
  const text = [
    ...(body ? [body, ""] : []),
    changed
      ? `Diff of ${title} in namespace ${plan.namespace}: ${diffs.length - unchanged} objects change, ${unchanged} unchanged.`
      : `No changes: the objects of ${title} match the cluster.`,
  ].join("\n");
  const data: DiffOutput = {
    apiVersion: plan.apiVersion,
    kind: "Diff",
    namespace: plan.namespace,
    from: plan.from,
    to: plan.to,
    objects: diffs.map((diff) => ({
      ...diff.change,
      diff: renderObjectDiffs([diff], false) || null,
      file: diffName(diff),
    })),
  };
  return {
    data,
    text,
    ...(exitCode ? { exitCode: changed ? EXIT_CODES.wouldChange : EXIT_CODES.ok } : {}),
  };
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

import { Chalk } from "chalk";
import type { Plan } from "./plan.js";
import type { ChangeSymbol } from "./step-table.js";
import { countSteps, stepLines } from "./step-table.js";

export interface RenderOptions {
  color: boolean;
  /** Step ids an earlier run finished (resume): their lines are marked done. */
  done?: ReadonlySet<string>;
}

/**
 * The human plan, rendered from the same Plan that `-o json` prints. Grouped by hop, one line per change with
 * terraform-like symbols, and a closing count line.
 */
export function renderPlanText(plan: Plan, options: RenderOptions): string {
  const c = new Chalk({ level: options.color ? 1 : 0 });
  const paint: Record<ChangeSymbol, (text: string) => string> = {
    "+": c.green,
    "~": c.yellow,
    "-": c.red,
    "±": c.magenta,
    "…": c.cyan,
    "✓": c.dim,
    "!": c.red.bold,
  };
  const out: string[] = [];
  const title =
    plan.command === "uninstall"
      ? `uninstall KFP ${plan.to} from namespace ${plan.namespace}, keeping its data`
      : plan.from
        ? `${plan.command} KFP ${plan.from} -> ${plan.to} in namespace ${plan.namespace}`
        : `${plan.command} KFP ${plan.to} into namespace ${plan.namespace}`;
  out.push(c.bold(`Plan: ${title}${plan.context ? ` (context ${plan.context})` : ""}`));
  if (plan.hops.length > 1) {
    out.push("", c.bold(`Path (${plan.hops.length} hops):`));
    plan.hops.forEach((hop, i) => {
      out.push(`  ${i + 1}. ${hop.from ?? "(none)"} -> ${hop.to} [${hop.strategy}]: ${hop.reason}`);
    });
  } else if (plan.hops[0]) {
    out.push(`Strategy: ${plan.hops[0].strategy}`);
  }
  if (plan.storage.length > 0) {
    out.push("", c.bold("Storage:"));
    for (const entry of plan.storage) out.push(`  ${entry.role} (${entry.claim}): ${entry.detail}`);
  }
  if (plan.refusal) {
    // Refused by a data rule: only the protective steps below run, then the command exits 4.
    out.push("", c.red.bold(`Refused: ${plan.refusal.message}`));
    for (const problem of plan.refusal.problems) out.push(c.red(`  x ${problem}`));
    out.push(`  ${plan.refusal.hint}`);
    if (plan.steps.length > 0) out.push("", c.bold("Runs only these protective steps:"));
  }
  if (plan.steps.length === 0) {
    if (!plan.refusal) out.push("", "No changes. The install is already at the requested release.");
    return out.join("\n");
  }
  let hop: number | undefined;
  out.push("");
  for (const step of plan.steps) {
    if (step.hop !== undefined && step.hop !== hop) {
      hop = step.hop;
      const info = plan.hops[hop - 1];
      out.push(c.bold(`Hop ${hop}: ${info?.from ?? ""} -> ${info?.to ?? ""}`));
    }
    const done = options.done?.has(step.id) === true;
    for (const line of stepLines(step)) {
      out.push(
        done
          ? c.dim(`  ✓ done: ${line.symbol} ${line.text}`)
          : `  ${paint[line.symbol](line.symbol)} ${line.text}`,
      );
    }
  }
  if (plan.warnings.length > 0) {
    out.push("", c.yellow.bold("Warnings:"));
    for (const warning of plan.warnings) out.push(c.yellow(`  ! ${warning}`));
  }
  if (plan.notes.length > 0) {
    out.push("", c.bold("Notes:"));
    for (const note of plan.notes) out.push(`  - ${note}`);
  }
  const counts = countSteps(plan.steps);
  out.push(
    "",
    c.bold(
      `Plan: ${counts.create} to create, ${counts.update} to update, ${counts.recreate} to recreate, ${counts.delete} to delete; ${counts.wait} waits.`,
    ),
  );
  if (options.done) {
    const finished = plan.steps.filter((step) => options.done?.has(step.id)).length;
    out.push(
      `Resume: ${finished} of ${plan.steps.length} steps done (✓), ${plan.steps.length - finished} to run.`,
    );
  }
  return out.join("\n");
}

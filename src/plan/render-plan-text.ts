import { Chalk } from "chalk";
import type { ObjectChange } from "./object-change.js";
import type { Plan } from "./plan.js";
import { CLASSIFIED_KINDS, planCounts } from "./plan-counts.js";
import type { Step } from "./step.js";
import type { ChangeSymbol } from "./step-table.js";
import { stepLines } from "./step-table.js";

export interface RenderOptions {
  color: boolean;
  /** Step ids an earlier run finished (resume): their lines are marked done. */
  done?: ReadonlySet<string>;
  /** `-v`: list the objects an apply leaves unchanged too (otherwise only counted). */
  verbose?: boolean;
}

const SYMBOL_OF: Record<ObjectChange["change"], ChangeSymbol> = {
  create: "+",
  update: "~",
  recreate: "-/+",
  delete: "-",
  unchanged: "=",
};
const FIELDS_SHOWN = 4;

function changeText(change: ObjectChange): string {
  const name = `${change.kind.toLowerCase()}/${change.name}${change.namespace ? ` -n ${change.namespace}` : ""}`;
  const shown = change.fields.slice(0, FIELDS_SHOWN).join(", ");
  const more = change.fields.length > FIELDS_SHOWN ? ` and ${change.fields.length - FIELDS_SHOWN} more` : "";
  const fields = change.fields.length > 0 && change.change !== "unchanged" ? `: ${shown}${more}` : "";
  const note = change.note ? ` (${change.note})` : "";
  return `${name}${fields}${note}`;
}

/** A classified step's lines: one per changed object; unchanged ones listed with -v, else counted on one line. */
function classifiedLines(
  step: Step,
  changes: ObjectChange[],
  verbose: boolean,
): { symbol: ChangeSymbol; text: string }[] {
  const mine = changes.filter((change) => change.step === step.id);
  const unchanged = mine.filter((change) => change.change === "unchanged");
  const lines = mine
    .filter((change) => verbose || change.change !== "unchanged")
    .map((change) => ({ symbol: SYMBOL_OF[change.change], text: changeText(change) }));
  if (!verbose && unchanged.length > 0) {
    lines.push({
      symbol: "=",
      text: `${unchanged.length} unchanged object${unchanged.length === 1 ? "" : "s"} (-v lists them)`,
    });
  }
  return lines;
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
    "-/+": c.magenta,
    "=": c.dim,
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
    const lines =
      plan.changes && CLASSIFIED_KINDS.has(step.kind)
        ? classifiedLines(step, plan.changes.objects, options.verbose === true)
        : stepLines(step);
    for (const line of lines) {
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
  if (plan.changes && plan.changes.basis.length > 0) {
    out.push("", c.bold("Compared:"));
    for (const basis of plan.changes.basis) out.push(`  - ${basis}`);
  }
  const counts = planCounts(plan);
  const unchanged = counts.unchanged === null ? "" : `, ${counts.unchanged} unchanged`;
  out.push(
    "",
    c.bold(
      `Plan: ${counts.create} to create, ${counts.update} to update, ${counts.recreate} to recreate, ${counts.delete} to delete${unchanged}; ${counts.wait} waits.`,
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

import type { z } from "zod";
import { executionEventSchema } from "../../execute/execution-event-schema.js";
import { type Plan, planSchema } from "../../plan/plan.js";
import { renderPlanText } from "../../plan/render-plan-text.js";
import { errorOutputSchema } from "../json-output/error-output.js";

type Event = z.infer<typeof executionEventSchema>;
type ErrorDocument = z.infer<typeof errorOutputSchema>;

export interface JobSummaryInput {
  /** What `kfp-upgrade … -o json` printed: event lines, or one document (a dry run's plan, status, …). */
  stdout: string;
  exitCode: number;
  /** The arguments kfp-upgrade ran with, shown as the command line. */
  args: readonly string[];
}

/**
 * The GitHub job summary (Markdown) of one kfp-upgrade run, from its `-o json` output only: the outcome, the plan
 * (as the terminal shows it), each step's result and time, the data claims and their PVs, warnings and the error.
 */
export function jobSummary(input: JobSummaryInput): string {
  const documents = readDocuments(input.stdout);
  const events = documents.flatMap((d) => parsed(executionEventSchema, d));
  const plans = [
    ...documents.flatMap((d) => parsed(planSchema, d)),
    ...events.flatMap((e) => (e.type === "plan" ? [e.plan] : [])),
  ];
  const plan = plans.at(-1);
  const result = events.findLast((e) => e.type === "result");
  const error = documents.flatMap((d) => parsed(errorOutputSchema, d)).at(-1);
  const command = input.args[0] ?? "kfp-upgrade";
  const dryRun = input.args.includes("--dry-run");
  const ok = input.exitCode === 0 || (dryRun && input.exitCode === 2 && !error);
  const outcome =
    result?.outcome ??
    (!ok ? (input.exitCode === 130 ? "interrupted" : "failed") : dryRun && plan ? "planned" : "done");
  const lines = [
    `## ${ok ? "✅" : "❌"} kfp-upgrade ${command}: ${outcome}${input.exitCode === 0 ? "" : ` (exit ${input.exitCode})`}`,
    "",
    `\`kfp-upgrade ${input.args.join(" ")}\``,
    "",
  ];
  if (plan) lines.push(...planFacts(plan), "");
  if (result) lines.push(`**${result.ok ? "Result" : "Failed"}:** ${escapeMarkdown(result.message)}`, "");
  if (error) lines.push(...errorLines(error), "");
  if (dryRun && input.exitCode === 2 && !error)
    lines.push("The plan would change something (`--exit-code`).", "");
  const steps = stepRows(events);
  if (steps.length > 0) {
    lines.push("### Steps", "", "| # | Step | Result | Time |", "|---:|---|---|---:|", ...steps, "");
  }
  if (result && result.bindings.length > 0) {
    lines.push("### Data claims", "", "| Claim | PV | PV uid |", "|---|---|---|");
    for (const b of result.bindings)
      lines.push(`| ${cell(b.claim)} | ${cell(b.volumeName ?? "-")} | ${cell(b.volumeUid ?? "-")} |`);
    lines.push("");
  }
  const warnings = [
    ...(plan?.warnings ?? []),
    ...events.flatMap((e) => (e.type === "warning" ? [e.message] : [])),
  ];
  if (warnings.length > 0)
    lines.push("### Warnings", "", ...[...new Set(warnings)].map((w) => `- ${escapeMarkdown(w)}`), "");
  if (plan) {
    lines.push(
      `<details${dryRun ? " open" : ""}><summary>Plan (${plan.steps.length} step${plan.steps.length === 1 ? "" : "s"})</summary>`,
      "",
      "```text",
      renderPlanText(plan, { color: false }).replaceAll("```", "'''"),
      "```",
      "",
      "</details>",
      "",
    );
  }
  const others = documents.filter((d) =>
    [executionEventSchema, planSchema, errorOutputSchema].every((s) => !s.safeParse(d).success),
  );
  for (const other of others) {
    lines.push(
      "<details><summary>Output</summary>",
      "",
      "```json",
      JSON.stringify(other, null, 2).replaceAll("```", "'''"),
      "```",
      "",
      "</details>",
      "",
    );
  }
  return `${lines.join("\n").trimEnd()}\n`;
}

/** One JSON document (a dry run's plan, pretty-printed), else one JSON value per line (events); other text skipped. */
export function readDocuments(stdout: string): unknown[] {
  try {
    return [JSON.parse(stdout)];
  } catch {
    return stdout.split("\n").flatMap((line) => {
      try {
        return line.trim() === "" ? [] : [JSON.parse(line) as unknown];
      } catch {
        return [];
      }
    });
  }
}

function planFacts(plan: Plan): string[] {
  const release = plan.from && plan.from !== plan.to ? `${plan.from} → ${plan.to}` : plan.to;
  return [
    "| | |",
    "|---|---|",
    `| Release | ${cell(release)} |`,
    `| Namespace | ${cell(plan.namespace)} |`,
    ...(plan.context ? [`| Context | ${cell(plan.context)} |`] : []),
    `| Strategy | ${cell(plan.strategy)} |`,
    ...plan.storage.map((s) => `| ${cell(s.claim)} | ${cell(s.detail)} |`),
  ];
}

function errorLines(error: ErrorDocument): string[] {
  return [
    `**Error ${error.code}** (exit ${error.exitCode}): ${escapeMarkdown(error.message)}`,
    ...error.details.map((d) => `- ${escapeMarkdown(d)}`),
    ...(error.hint ? ["", `Hint: ${escapeMarkdown(error.hint)}`] : []),
  ];
}

function stepRows(events: readonly Event[]): string[] {
  const rows: string[] = [];
  let n = 0;
  for (const event of events) {
    if (event.type === "step-start") {
      n += 1;
      const end = events.find((e) => e.type === "step-end" && e.stepId === event.stepId);
      const ended = end?.type === "step-end" ? end : undefined;
      const status = ended ? `${ended.ok ? "✅" : "❌"} ${ended.message}` : "⏹ not finished";
      const time = ended ? `${(ended.durationMs / 1000).toFixed(1)}s` : "";
      rows.push(`| ${n} | ${cell(event.description)} | ${cell(status)} | ${time} |`);
    }
  }
  return rows;
}

function parsed<T>(schema: z.ZodType<T>, value: unknown): T[] {
  const result = schema.safeParse(value);
  return result.success ? [result.data] : [];
}

function escapeMarkdown(text: string): string {
  return text.replace(/[<>]/g, (c) => (c === "<" ? "&lt;" : "&gt;"));
}

function cell(text: string): string {
  return escapeMarkdown(text).replaceAll("|", "\\|").replaceAll("\n", " ");
}

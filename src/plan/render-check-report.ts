import { Chalk } from "chalk";
import type { CheckReport } from "./check-report.js";

/** The human report, rendered from the same CheckReport that `-o json` prints; it ends with the verdict line. */
export function renderCheckReport(report: CheckReport, options: { color: boolean }): string {
  const c = new Chalk({ level: options.color ? 1 : 0 });
  const out: string[] = [];
  out.push(
    c.bold(
      `Check: upgrade KFP ${report.from ?? "(not installed)"} -> ${report.to} in namespace ${report.namespace}${report.context ? ` (context ${report.context})` : ""}`,
    ),
  );
  if (report.hops.length === 0) {
    out.push("", report.from === report.to ? `KFP ${report.to} is installed already: no hops.` : "No path.");
  } else {
    out.push("", c.bold(`Path (${report.hops.length} hop${report.hops.length === 1 ? "" : "s"}):`));
    report.hops.forEach((hop, i) => {
      out.push(`  ${i + 1}. ${hop.from ?? "(none)"} -> ${hop.to} [${hop.strategy}]: ${hop.reason}`);
    });
  }
  const problems = report.refusal?.problems ?? [];
  if (report.refusal) {
    out.push("", c.red.bold(`Refusals (${problems.length}):`));
    out.push(...problems.map((problem) => c.red(`  ✗ ${problem}`)));
    if (report.refusal.hint) out.push(c.dim(`  hint: ${report.refusal.hint}`));
  }
  section(out, c.yellow.bold(`Warnings (${report.warnings.length}):`), report.warnings, "!");
  section(out, c.magenta.bold(`One-way steps (${report.oneWay.length}):`), report.oneWay, "→");
  if (report.backup.needed)
    out.push("", c.bold("Backup:"), ...report.backup.advice.map((line) => `  ${line}`));
  if (report.drain.length > 0) {
    out.push("", c.bold("Drain:"));
    for (const drain of report.drain) {
      const running =
        drain.running === null
          ? "the install's Workflows could not be read"
          : drain.running.length === 0
            ? "none runs now"
            : `running now: ${drain.running.join(", ")}`;
      out.push(`  hop ${drain.hop} (-> ${drain.to}): ${drain.why}; ${running}`);
    }
  }
  section(out, c.dim(`Notes (${report.notes.length}):`), report.notes, "·");
  const counts = [
    `${problems.length} refusal${problems.length === 1 ? "" : "s"}`,
    `${report.warnings.length} warning${report.warnings.length === 1 ? "" : "s"}`,
    `${report.oneWay.length} one-way step${report.oneWay.length === 1 ? "" : "s"}`,
  ].join(", ");
  const verdict =
    report.verdict === "refused"
      ? c.red(`Refused: \`kfp-upgrade upgrade --tag ${report.to}\` would refuse (${counts}).`)
      : report.verdict === "warnings"
        ? c.yellow(`Warnings: \`kfp-upgrade upgrade --tag ${report.to}\` would run (${counts}).`)
        : c.green(`Clear: \`kfp-upgrade upgrade --tag ${report.to}\` would run (${counts}).`);
  out.push("", verdict, "Nothing was changed.");
  return out.join("\n");
}

function section(out: string[], title: string, lines: readonly string[], symbol: string): void {
  if (lines.length === 0) return;
  out.push("", title, ...lines.map((line) => `  ${symbol} ${line}`));
}

import { readHistory } from "../../app/history.js";
import type { CommandResult } from "../command-result.js";
import type { GlobalOptions } from "../global-options.js";

/** Every run recorded in the KFAPP: who, when, from, to, plan hash, outcome. */
export async function history(global: GlobalOptions): Promise<CommandResult> {
  const entries = await readHistory(global.appDir);
  if (entries.length === 0) return { data: [], text: "No runs recorded yet." };
  const rows = entries.map((e) => [
    String(e.id),
    e.command,
    e.from ?? "-",
    e.to,
    e.outcome,
    e.startedAt.replace(/\.\d+Z$/, "Z"),
    e.user,
    e.planHash,
  ]);
  const header = ["ID", "COMMAND", "FROM", "TO", "OUTCOME", "STARTED", "USER", "PLAN"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return { data: entries, text: [line(header), ...rows.map(line)].join("\n") };
}

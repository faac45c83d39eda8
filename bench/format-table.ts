// Plain-text tables for `npm run bench`: a header row, a rule, and columns padded to their widest cell (numbers
// right-aligned), so the output pastes into the README as it is.

export type Cell = string | number | null;

export function formatCell(cell: Cell, digits = 2): string {
  if (cell === null) return "-";
  if (typeof cell === "number") return Number.isInteger(cell) ? String(cell) : cell.toFixed(digits);
  return cell;
}

export function formatTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const text = rows.map((row) => headers.map((_, i) => formatCell(row[i] ?? null)));
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((row) => typeof row[i] !== "string"));
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...text.map((row) => row[i]?.length ?? 0)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...text.map(line)].join("\n");
}

/** `subject / baseline` as `1.23x`, or `-` when either is missing. */
export function ratio(subject: number | null | undefined, baseline: number | null | undefined): string {
  if (subject == null || baseline == null || baseline <= 0) return "-";
  return `${(subject / baseline).toFixed(2)}x`;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

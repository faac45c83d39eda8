const CONTEXT = 3;

/**
 * A unified diff (`diff -u` style, 3 lines of context) between two texts whose edit replaces lines one for one, as
 * a value edit does; texts with a different number of lines are shown as one hunk replacing everything that differs.
 */
export function unifiedDiff(file: string, before: string, after: string): string {
  const a = before.split("\n");
  const b = after.split("\n");
  if (before === after) return "";
  let first = 0;
  while (first < a.length && first < b.length && a[first] === b[first]) first += 1;
  let lastA = a.length - 1;
  let lastB = b.length - 1;
  while (lastA >= first && lastB >= first && a[lastA] === b[lastB]) {
    lastA -= 1;
    lastB -= 1;
  }
  const out = [`--- a/${file}`, `+++ b/${file}`];
  if (a.length === b.length) {
    // Line-for-line changes: one hunk per run of changed lines, merged when their contexts touch.
    const changed = a.map((line, i) => line !== b[i]);
    let i = 0;
    while (i < a.length) {
      if (!changed[i]) {
        i += 1;
        continue;
      }
      const start = Math.max(0, i - CONTEXT);
      let end = i;
      while (end < a.length && (changed[end] || nextChangeWithin(changed, end, 2 * CONTEXT))) end += 1;
      const stop = Math.min(a.length, end + CONTEXT);
      out.push(`@@ -${range(start, stop - start)} +${range(start, stop - start)} @@`);
      for (let line = start; line < stop; line += 1) {
        if (changed[line]) out.push(`-${a[line]}`, `+${b[line]}`);
        else out.push(` ${a[line]}`);
      }
      i = stop;
    }
    return out.join("\n");
  }
  const start = Math.max(0, first - CONTEXT);
  const stopA = Math.min(a.length, lastA + 1 + CONTEXT);
  const stopB = Math.min(b.length, lastB + 1 + CONTEXT);
  out.push(`@@ -${range(start, stopA - start)} +${range(start, stopB - start)} @@`);
  for (let line = start; line < first; line += 1) out.push(` ${a[line]}`);
  for (let line = first; line <= lastA; line += 1) out.push(`-${a[line]}`);
  for (let line = first; line <= lastB; line += 1) out.push(`+${b[line]}`);
  for (let line = lastA + 1; line < stopA; line += 1) out.push(` ${a[line]}`);
  return out.join("\n");
}

/** Whether a changed line follows `index` within `distance` lines (so the two share one hunk). */
function nextChangeWithin(changed: boolean[], index: number, distance: number): boolean {
  for (let i = index + 1; i <= index + distance && i < changed.length; i += 1) if (changed[i]) return true;
  return false;
}

function range(start: number, length: number): string {
  return length === 1 ? `${start + 1}` : `${length === 0 ? start : start + 1},${length}`;
}

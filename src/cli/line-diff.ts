const CONTEXT = 3;

type Edit = { op: " " | "-" | "+"; line: string };

/** The shortest edit script between two line lists (longest common subsequence; objects are a few hundred lines). */
function edits(a: string[], b: string[]): Edit[] {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const lcs = new Uint32Array(rows * cols);
  for (let i = a.length - 1; i >= 0; i -= 1) {
    for (let j = b.length - 1; j >= 0; j -= 1) {
      lcs[i * cols + j] =
        a[i] === b[j]
          ? (lcs[(i + 1) * cols + j + 1] ?? 0) + 1
          : Math.max(lcs[(i + 1) * cols + j] ?? 0, lcs[i * cols + j + 1] ?? 0);
    }
  }
  const out: Edit[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push({ op: " ", line: a[i] ?? "" });
      i += 1;
      j += 1;
    } else if ((lcs[(i + 1) * cols + j] ?? 0) >= (lcs[i * cols + j + 1] ?? 0)) {
      out.push({ op: "-", line: a[i] ?? "" });
      i += 1;
    } else {
      out.push({ op: "+", line: b[j] ?? "" });
      j += 1;
    }
  }
  for (; i < a.length; i += 1) out.push({ op: "-", line: a[i] ?? "" });
  for (; j < b.length; j += 1) out.push({ op: "+", line: b[j] ?? "" });
  return out;
}

/**
 * The hunks of a unified diff (`diff -u`: `@@ -l,n +l,n @@`, 3 lines of context) between two texts, without the
 * file header; empty when they are equal. An empty text is no lines (a created or deleted object).
 */
export function unifiedHunks(before: string, after: string): string[] {
  const a = before === "" ? [] : before.replace(/\n$/, "").split("\n");
  const b = after === "" ? [] : after.replace(/\n$/, "").split("\n");
  const script = edits(a, b);
  const changed = script.map((edit) => edit.op !== " ");
  const out: string[] = [];
  let index = 0;
  while (index < script.length) {
    if (!changed[index]) {
      index += 1;
      continue;
    }
    const start = Math.max(0, index - CONTEXT);
    let end = index;
    // A hunk runs on while the next change is close enough for the two contexts to touch.
    for (;;) {
      while (end < script.length && changed[end]) end += 1;
      let next = end;
      while (next < script.length && !changed[next]) next += 1;
      if (next < script.length && next - end <= 2 * CONTEXT) end = next;
      else break;
    }
    const stop = Math.min(script.length, end + CONTEXT);
    const lineA = 1 + script.slice(0, start).filter((edit) => edit.op !== "+").length;
    const lineB = 1 + script.slice(0, start).filter((edit) => edit.op !== "-").length;
    const hunk = script.slice(start, stop);
    const countA = hunk.filter((edit) => edit.op !== "+").length;
    const countB = hunk.filter((edit) => edit.op !== "-").length;
    out.push(`@@ -${range(lineA, countA)} +${range(lineB, countB)} @@`);
    for (const edit of hunk) out.push(`${edit.op}${edit.line}`);
    index = stop;
  }
  return out;
}

function range(line: number, count: number): string {
  if (count === 0) return `${line - 1},0`;
  return count === 1 ? `${line}` : `${line},${count}`;
}

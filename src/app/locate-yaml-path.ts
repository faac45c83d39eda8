export type YamlPath = readonly PropertyKey[];

interface Frame {
  indent: number;
  path: string[];
  kind: "key" | "item";
  nextIndex: number;
}

const KEY =
  /^(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^\s#"'[\]{},&*!|>%@`-][^#]*?|-[^\s#][^#]*?))\s*:(?:\s|$)/;
const BLOCK_SCALAR = /^(?:[&!][^\s]*\s+)*[|>][-+0-9]*\s*$/;

/**
 * Maps every key and sequence item of a block-style YAML document to its 1-based line. js-yaml keeps no positions,
 * and error messages must name the line of the field they are about. Flow collections (`{a: 1}`) are not entered:
 * their fields resolve to the line of the flow collection itself.
 */
export function indexYamlLines(source: string): Map<string, number> {
  const lines = new Map<string, number>();
  const stack: Frame[] = [{ indent: -1, path: [], kind: "key", nextIndex: 0 }];
  let blockScalarIndent: number | undefined;

  source.split(/\r?\n/).forEach((raw, index) => {
    const lineNumber = index + 1;
    const indent = raw.length - raw.trimStart().length;
    const text = stripComment(raw).trimEnd();
    if (blockScalarIndent !== undefined) {
      if (text.trim() === "" || indent > blockScalarIndent) return;
      blockScalarIndent = undefined;
    }
    if (text.trim() === "" || /^(---|\.\.\.)(\s|$)/.test(text)) return;

    let column = indent;
    let rest = text.slice(indent);
    while (rest === "-" || rest.startsWith("- ")) {
      popWhile(stack, (top) => top.indent > column || (top.indent === column && top.kind === "item"));
      const parent = top(stack);
      const itemPath = [...parent.path, String(parent.nextIndex++)];
      lines.set(itemPath.join("."), lineNumber);
      stack.push({ indent: column, path: itemPath, kind: "item", nextIndex: 0 });
      const after = rest.slice(1);
      const gap = after.length - after.trimStart().length;
      column += 1 + gap;
      rest = after.trimStart();
    }

    const match = KEY.exec(rest);
    if (!match) return;
    const key = match[1] ?? match[2]?.replaceAll("''", "'") ?? match[3]?.trim() ?? "";
    popWhile(stack, (frame) => frame.indent >= column);
    const keyPath = [...top(stack).path, key];
    lines.set(keyPath.join("."), lineNumber);
    stack.push({ indent: column, path: keyPath, kind: "key", nextIndex: 0 });
    if (BLOCK_SCALAR.test(rest.slice(match[0].length))) blockScalarIndent = column;
  });
  return lines;
}

/** The line of `path`, or of its nearest ancestor that is in the file (a missing field points at its parent). */
export function locateYamlPath(source: string | Map<string, number>, path: YamlPath): number | undefined {
  const lines = typeof source === "string" ? indexYamlLines(source) : source;
  for (let length = path.length; length > 0; length--) {
    const line = lines.get(path.slice(0, length).map(String).join("."));
    if (line !== undefined) return line;
  }
  return undefined;
}

function top(stack: Frame[]): Frame {
  const frame = stack[stack.length - 1];
  if (!frame) throw new Error("locate-yaml-path: the root frame is never popped");
  return frame;
}

function popWhile(stack: Frame[], predicate: (frame: Frame) => boolean): void {
  while (stack.length > 1 && predicate(top(stack))) stack.pop();
}

function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quote) {
      if (char === "\\" && quote === '"') i++;
      else if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") {
      const previous = line[i - 1];
      if (previous === undefined || /[\s:[{,-]/.test(previous)) quote = char;
    } else if (char === "#" && (i === 0 || /\s/.test(line[i - 1] ?? ""))) {
      return line.slice(0, i);
    }
  }
  return line;
}

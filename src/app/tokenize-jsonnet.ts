import { ConfigError } from "../errors.js";

export interface JsonnetToken {
  kind: "string" | "number" | "ident" | "punct";
  /** The string's value, the number's digits, the identifier or the punctuation character. */
  text: string;
  line: number;
  start: number;
  end: number;
}

const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", b: "\b", f: "\f", "/": "/", "\\": "\\" };

/**
 * Splits the jsonnet that ksonnet wrote (params.libsonnet files) into tokens: strings in all four quote styles and
 * text blocks, numbers, identifiers and single punctuation characters. Comments (`//`, `#`, `/* *\/`) are dropped.
 */
export function tokenizeJsonnet(source: string, fileName: string): JsonnetToken[] {
  const tokens: JsonnetToken[] = [];
  let i = 0;
  let line = 1;
  const fail = (message: string, at: number): never => {
    throw new ConfigError("LEGACY_INVALID", `${fileName} line ${at}: ${message}`, {
      hint: "Fix the file, or write kfp-app.yaml by hand (see `kfp-upgrade params --help`)",
    });
  };

  while (i < source.length) {
    const char = source[i] ?? "";
    const next = source[i + 1];
    if (char === "\n") {
      line++;
      i++;
    } else if (/\s/.test(char)) {
      i++;
    } else if (char === "#" || (char === "/" && next === "/")) {
      while (i < source.length && source[i] !== "\n") i++;
    } else if (char === "/" && next === "*") {
      const end = source.indexOf("*/", i + 2);
      if (end < 0) fail("unterminated /* comment", line);
      line += countLines(source.slice(i, end));
      i = end + 2;
    } else if (source.startsWith("|||", i)) {
      const startLine = line;
      const body = /^\|\|\|[ \t]*\n((?:[^\n]*\n)*?)[ \t]*\|\|\|/.exec(source.slice(i));
      if (!body?.[1]) return fail("unterminated ||| text block", startLine);
      const indent = /^[ \t]*/.exec(body[1])?.[0] ?? "";
      const text = body[1]
        .split("\n")
        .map((part) => (part.startsWith(indent) ? part.slice(indent.length) : part))
        .join("\n");
      tokens.push({ kind: "string", text, line: startLine, start: i, end: i + body[0].length });
      line += countLines(body[0]);
      i += body[0].length;
    } else if (char === '"' || char === "'" || (char === "@" && (next === '"' || next === "'"))) {
      const verbatim = char === "@";
      const quote = verbatim ? (next ?? "") : char;
      const startLine = line;
      const start = i;
      let text = "";
      i += verbatim ? 2 : 1;
      for (;;) {
        if (i >= source.length) fail("unterminated string", startLine);
        const c = source[i] ?? "";
        if (c === "\n") line++;
        if (verbatim && c === quote && source[i + 1] === quote) {
          text += quote;
          i += 2;
        } else if (c === quote) {
          i++;
          break;
        } else if (!verbatim && c === "\\") {
          const escaped = source[i + 1] ?? "";
          if (escaped === "u") {
            text += String.fromCharCode(Number.parseInt(source.slice(i + 2, i + 6), 16));
            i += 6;
          } else {
            text += ESCAPES[escaped] ?? escaped;
            i += 2;
          }
        } else {
          text += c;
          i++;
        }
      }
      tokens.push({ kind: "string", text, line: startLine, start, end: i });
    } else if (/[0-9]/.test(char)) {
      const number = /^\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(source.slice(i))?.[0] ?? char;
      tokens.push({ kind: "number", text: number, line, start: i, end: i + number.length });
      i += number.length;
    } else if (/[A-Za-z_$]/.test(char)) {
      const ident = /^[A-Za-z_$][A-Za-z0-9_]*/.exec(source.slice(i))?.[0] ?? char;
      tokens.push({ kind: "ident", text: ident, line, start: i, end: i + ident.length });
      i += ident.length;
    } else {
      tokens.push({ kind: "punct", text: char, line, start: i, end: i + 1 });
      i++;
    }
  }
  return tokens;
}

function countLines(text: string): number {
  return text.split("\n").length - 1;
}

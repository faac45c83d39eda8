import { ConfigError } from "../errors.js";
import { type JsonnetToken, tokenizeJsonnet } from "./tokenize-jsonnet.js";

export type JsonnetValue =
  | { type: "string"; value: string; line: number }
  | { type: "number"; value: number; line: number }
  | { type: "boolean"; value: boolean; line: number }
  | { type: "null"; line: number }
  | JsonnetObject
  | { type: "array"; items: JsonnetValue[]; line: number }
  /** Anything that is not a literal (`params.global.x`, `"a" + b`, a function call): kept as text, never evaluated. */
  | { type: "expression"; text: string; line: number };

export interface JsonnetObject {
  type: "object";
  fields: JsonnetField[];
  line: number;
}

export interface JsonnetField {
  key: string;
  value: JsonnetValue;
  /** `key+: {...}` merges into the inherited field instead of replacing it. */
  plus: boolean;
  line: number;
}

/**
 * Every object literal in a jsonnet file that is not nested in another one, outermost first, parsed as far as
 * literals go. This is the subset ksonnet writes into params.libsonnet; nothing is evaluated, so an environment's
 * `params + { components+: {...} }` yields the override object itself.
 */
export function parseJsonnetObjects(source: string, fileName: string): JsonnetObject[] {
  const parser = new Parser(source, tokenizeJsonnet(source, fileName), fileName);
  const objects: JsonnetObject[] = [];
  let i = 0;
  while (i < parser.tokens.length) {
    if (parser.is(i, "{")) {
      const parsed = parser.object(i);
      objects.push(parsed.value);
      i = parsed.next;
    } else {
      i++;
    }
  }
  return objects;
}

/** The last field called `key` (jsonnet refuses duplicates; ksonnet never writes them). */
export function jsonnetField(object: JsonnetObject, key: string): JsonnetField | undefined {
  return object.fields.findLast((field) => field.key === key);
}

interface Parsed<T> {
  value: T;
  next: number;
}

const CLOSERS: Record<string, string> = { "{": "}", "[": "]", "(": ")" };

class Parser {
  constructor(
    private readonly source: string,
    readonly tokens: JsonnetToken[],
    private readonly fileName: string,
  ) {}

  is(i: number, punct: string): boolean {
    const token = this.tokens[i];
    return token?.kind === "punct" && token.text === punct;
  }

  object(open: number): Parsed<JsonnetObject> {
    const fields: JsonnetField[] = [];
    const closing = `the "}" that closes the object on line ${this.at(open, "{").line}`;
    let i = open + 1;
    while (!this.is(i, "}")) {
      const token = this.at(i, closing);
      if (token.kind === "ident" && (token.text === "local" || token.text === "assert")) {
        i = this.skipComma(this.skip(i, [",", "}"]));
        continue;
      }
      const key = this.key(i);
      let j = key.next;
      const plus = this.is(j, "+");
      if (plus) j++;
      if (!key.value || !this.is(j, ":")) {
        // A computed key (`[x]: ...`) or a method (`f(x): ...`): not a param, skip the whole field.
        i = this.skipComma(this.skip(i, [",", "}"]));
        continue;
      }
      while (this.is(j, ":")) j++;
      const value = this.value(j, [",", "}"]);
      fields.push({ key: key.value, value: value.value, plus, line: token.line });
      i = this.skipComma(value.next);
    }
    return { value: { type: "object", fields, line: this.at(open, "{").line }, next: i + 1 };
  }

  private key(i: number): Parsed<string | undefined> {
    const token = this.at(i, "a field name");
    if (token.kind === "ident" || token.kind === "string") return { value: token.text, next: i + 1 };
    return { value: undefined, next: i };
  }

  private value(i: number, terminators: string[]): Parsed<JsonnetValue> {
    const token = this.at(i, "a value");
    let literal: Parsed<JsonnetValue> | undefined;
    if (token.kind === "string")
      literal = { value: { type: "string", value: token.text, line: token.line }, next: i + 1 };
    else if (token.kind === "number") literal = this.number(token, 1, i + 1);
    else if (this.is(i, "-") && this.tokens[i + 1]?.kind === "number")
      literal = this.number(this.at(i + 1, "a number"), -1, i + 2);
    else if (token.kind === "ident" && token.text === "null")
      literal = { value: { type: "null", line: token.line }, next: i + 1 };
    else if (token.kind === "ident" && (token.text === "true" || token.text === "false"))
      literal = { value: { type: "boolean", value: token.text === "true", line: token.line }, next: i + 1 };
    else if (this.is(i, "{")) literal = this.object(i);
    else if (this.is(i, "[")) literal = this.array(i);

    const after = literal?.next;
    if (literal && terminators.some((terminator) => this.is(after ?? -1, terminator))) return literal;
    const end = this.skip(i, terminators);
    const text = this.source.slice(token.start, this.tokens[end - 1]?.end ?? token.end).trim();
    return { value: { type: "expression", text, line: token.line }, next: end };
  }

  private number(token: JsonnetToken, sign: number, next: number): Parsed<JsonnetValue> {
    return { value: { type: "number", value: sign * Number(token.text), line: token.line }, next };
  }

  private array(open: number): Parsed<JsonnetValue> {
    const items: JsonnetValue[] = [];
    const closing = `the "]" that closes the array on line ${this.at(open, "[").line}`;
    let i = open + 1;
    while (!this.is(i, "]")) {
      this.at(i, closing);
      const item = this.value(i, [",", "]"]);
      items.push(item.value);
      i = this.skipComma(item.next);
    }
    return { value: { type: "array", items, line: this.at(open, "[").line }, next: i + 1 };
  }

  /** The index of the first terminator outside brackets, from `i` on. */
  private skip(i: number, terminators: string[]): number {
    const open: string[] = [];
    for (let j = i; ; j++) {
      const token = this.at(j, terminators.map((terminator) => `"${terminator}"`).join(" or "));
      if (token.kind !== "punct") continue;
      if (open.length === 0 && terminators.includes(token.text)) return j;
      const closer = CLOSERS[token.text];
      if (closer) open.push(closer);
      else if (token.text === open[open.length - 1]) open.pop();
      else if (Object.values(CLOSERS).includes(token.text)) this.fail(token, `unexpected "${token.text}"`);
    }
  }

  private skipComma(i: number): number {
    return this.is(i, ",") ? i + 1 : i;
  }

  private at(i: number, expected: string): JsonnetToken {
    const token = this.tokens[i];
    if (token) return token;
    const last = this.tokens[this.tokens.length - 1];
    return this.fail(last, `the file ends before ${expected}`);
  }

  private fail(token: JsonnetToken | undefined, message: string): never {
    throw new ConfigError("LEGACY_INVALID", `${this.fileName} line ${token?.line ?? 1}: ${message}`, {
      hint: "Fix the file, or write kfp-app.yaml by hand (see `kfp-upgrade params --help`)",
    });
  }
}

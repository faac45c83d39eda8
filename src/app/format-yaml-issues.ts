import { z } from "zod";
import { indexYamlLines, locateYamlPath } from "./locate-yaml-path.js";

export interface YamlIssueContext {
  /** The YAML text the parsed value came from, to find each issue's line. */
  source: string;
  /** Shown in `(kfp-app.yaml line 7)`. */
  fileName: string;
  /** The schema that failed, to list the known fields when a field is unknown. */
  schema?: z.ZodType;
}

/**
 * One line per problem, all at once, each naming the field and its line:
 * `storage.mysql.pvName: expected string, received number (kfp-app.yaml line 7)`.
 * An unknown field gets a line of its own, with the closest known name. Parse with `reportInput: true` so that a
 * wrong value is quoted and a missing one is called required.
 */
export function formatYamlIssues(error: z.ZodError, context: YamlIssueContext): string[] {
  const lines = indexYamlLines(context.source);
  const where = (path: readonly PropertyKey[]) => {
    const line = locateYamlPath(lines, path);
    return line === undefined ? "" : ` (${context.fileName} line ${line})`;
  };
  return error.issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys") {
      const known = context.schema ? objectKeysAt(context.schema, issue.path) : [];
      return issue.keys.map((key) => {
        const path = [...issue.path, key];
        return `${dotted(path)}: unknown field${suggest(key, known)}${where(path)}`;
      });
    }
    return [`${dotted(issue.path)}: ${describe(issue)}${where(issue.path)}`];
  });
}

function dotted(path: readonly PropertyKey[]): string {
  return path.length > 0 ? path.map(String).join(".") : "(root)";
}

function describe(issue: z.core.$ZodIssue): string {
  const discriminator = /^Invalid discriminator value\. Expected (.*)$/.exec(issue.message)?.[1];
  if (discriminator) {
    // The issue's input is the whole object; quote only the discriminating field.
    const key = issue.path[issue.path.length - 1];
    const value = isRecord(issue.input) && typeof key === "string" ? issue.input[key] : undefined;
    const gotValue = value === undefined ? undefined : `got ${JSON.stringify(value)}`;
    return [`expected one of ${discriminator.replaceAll("'", '"').replaceAll(" | ", "|")}`, gotValue]
      .filter(Boolean)
      .join(", ");
  }
  // Callers parse with `reportInput: true`, so an `input` of undefined means the field is missing.
  const got = issue.input === undefined ? undefined : `got ${JSON.stringify(issue.input)}`;
  const message = issue.message.replace(/^Invalid (input|option): /, "");
  if (issue.code === "invalid_type" && / received undefined$/.test(message)) {
    return `required (${message.replace(/, received undefined$/, "")})`;
  }
  if (issue.code === "invalid_value") return got ? `${message}, ${got}` : `required (${message})`;
  return message;
}

function suggest(key: string, known: string[]): string {
  if (known.length === 0) return "";
  // Known to another branch of a union (a gcp-only field on a generic platform).
  if (known.includes(key)) return " here";
  const close = known.find(
    (name) => name.toLowerCase() === key.toLowerCase() || editDistance(name, key) <= 2,
  );
  return close ? `; did you mean "${close}"?` : ` (known: ${known.join(", ")})`;
}

/** The field names the schema accepts at `path`, looking through defaults, optionals and unions. */
export function objectKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let candidates: z.ZodType[] = [schema];
  for (const segment of [...path, undefined]) {
    candidates = candidates.flatMap(unwrap);
    if (segment === undefined) break;
    candidates = candidates.flatMap((candidate) => {
      if (candidate instanceof z.ZodObject) {
        const child = candidate.shape[String(segment)];
        return child ? [child as z.ZodType] : [];
      }
      if (candidate instanceof z.ZodArray) return [candidate.element as z.ZodType];
      return [];
    });
  }
  const keys = candidates.flatMap((candidate) =>
    candidate instanceof z.ZodObject ? Object.keys(candidate.shape) : [],
  );
  return [...new Set(keys)];
}

function unwrap(schema: z.ZodType): z.ZodType[] {
  if (schema instanceof z.ZodDefault || schema instanceof z.ZodOptional || schema instanceof z.ZodNullable) {
    return unwrap(schema.unwrap() as z.ZodType);
  }
  if (schema instanceof z.ZodUnion) return (schema.options as z.ZodType[]).flatMap(unwrap);
  return [schema];
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

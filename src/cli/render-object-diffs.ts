import { Chalk } from "chalk";
import { stringify } from "yaml";
import type { ObjectDiff } from "../execute/classify-changes.js";
import { REDACTED } from "../redact.js";
import { unifiedHunks } from "./line-diff.js";

/** `apps.v1.Deployment.kubeflow.ml-pipeline`, the file name `kubectl diff` gives an object. */
export function diffName(diff: ObjectDiff): string {
  const { apiVersion, kind, namespace, name } = diff.change;
  const group = apiVersion.includes("/") ? apiVersion.replace("/", ".") : `core.${apiVersion}`;
  return [group, kind, ...(namespace ? [namespace] : []), name].join(".");
}

/**
 * A Secret's `data` and `stringData` values never reach output: equal values show as `<redacted>`, changed ones as
 * `<redacted: before>` and `<redacted: after>`, so a diff still says which keys change (as `kubectl diff` masks them).
 */
export function redactSecretDiff(diff: ObjectDiff): { before: unknown; after: unknown } {
  if (diff.change.kind !== "Secret") return { before: diff.before, after: diff.after };
  const mask = (
    object: Record<string, unknown> | null,
    other: Record<string, unknown> | null,
    side: string,
  ) => {
    if (!object) return object;
    const out: Record<string, unknown> = { ...object };
    for (const field of ["data", "stringData"]) {
      const values = object[field] as Record<string, unknown> | undefined;
      if (!values || typeof values !== "object") continue;
      const others = (other?.[field] ?? {}) as Record<string, unknown>;
      out[field] = Object.fromEntries(
        Object.entries(values).map(([key, value]) => [
          key,
          others[key] === value ? REDACTED : `<redacted: ${side}>`,
        ]),
      );
    }
    return out;
  };
  return { before: mask(diff.before, diff.after, "before"), after: mask(diff.after, diff.before, "after") };
}

/** Objects as YAML, the way `kubectl diff` shows them; absent objects are no lines. */
function yamlOf(object: unknown): string {
  return object ? stringify(object, { lineWidth: 0 }) : "";
}

/**
 * One unified diff per object that changes (live -> planned), as `kubectl diff` and `helm diff` print them:
 * `--- live/NAME`, `+++ planned/NAME`, hunks; coloured when `color`. Unchanged objects print nothing.
 */
export function renderObjectDiffs(diffs: ObjectDiff[], color: boolean): string {
  const c = new Chalk({ level: color ? 1 : 0 });
  const out: string[] = [];
  for (const diff of diffs) {
    if (diff.change.change === "unchanged") continue;
    const { before, after } = redactSecretDiff(diff);
    const hunks = unifiedHunks(yamlOf(before), yamlOf(after));
    if (hunks.length === 0) continue;
    const name = diffName(diff);
    const note = diff.change.note ? ` (${diff.change.note})` : "";
    const how =
      diff.change.basis === "previousHop" ? ` (hop ${diff.change.hop ?? "?"}, against the previous hop)` : "";
    out.push(c.bold(`diff ${diff.change.change} ${name}${how}${note}`));
    out.push(c.bold(`--- live/${name}`), c.bold(`+++ planned/${name}`));
    for (const line of hunks) {
      if (line.startsWith("@@")) out.push(c.cyan(line));
      else if (line.startsWith("-")) out.push(c.red(line));
      else if (line.startsWith("+")) out.push(c.green(line));
      else out.push(line);
    }
  }
  return out.join("\n");
}

import type { KubeObject } from "../model/kube-object.js";

/** Set by the API server, never by an apply: a difference in these is not a change the plan makes. */
const SERVER_MANAGED_METADATA = [
  "managedFields",
  "resourceVersion",
  "generation",
  "uid",
  "creationTimestamp",
  "selfLink",
] as const;

/**
 * An object as the plan compares it: without the server-managed metadata and without `status` (controllers write
 * it, not the apply). Defaulted fields stay: the dry-run result and the live object both carry them, so they only
 * count when they really differ.
 */
export function comparable(object: KubeObject): Record<string, unknown> {
  const metadata: Record<string, unknown> = { ...object.metadata };
  for (const field of SERVER_MANAGED_METADATA) delete metadata[field];
  const { status, ...rest } = object;
  void status;
  return { ...rest, metadata };
}

type Json = unknown;

const isRecord = (value: Json): value is Record<string, Json> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const SIMPLE_KEY = /^[A-Za-z_$][\w$-]*$/;

function join(path: string, key: string): string {
  if (SIMPLE_KEY.test(key)) return path ? `${path}.${key}` : key;
  return `${path}[${JSON.stringify(key)}]`;
}

/** Items of a list that all carry a string `name` (containers, env, ports, volumes) are matched by it. */
function namesOf(list: Json[]): string[] | null {
  const names: string[] = [];
  for (const item of list) {
    if (!isRecord(item) || typeof item.name !== "string") return null;
    names.push(item.name);
  }
  return new Set(names).size === names.length ? names : null;
}

/**
 * The field paths where `before` and `after` differ, sorted. Maps are compared key by key; lists of named items
 * by name (`containers[name=api-server].image`), so two lists holding the same items in another order are equal, as
 * server-side apply merges them by name; other lists item by item when their lengths match, else as a whole.
 */
export function changedFields(before: Json, after: Json, path = ""): string[] {
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => changedFields(before[key], after[key], join(path, key)));
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const beforeNames = namesOf(before);
    const afterNames = namesOf(after);
    if (beforeNames && afterNames) {
      const byName = (list: Json[], name: string) =>
        list.find((item) => isRecord(item) && item.name === name);
      const names = [...new Set([...beforeNames, ...afterNames])].sort();
      return names.flatMap((name) =>
        changedFields(byName(before, name), byName(after, name), `${path}[name=${name}]`),
      );
    }
    if (before.length === after.length) {
      return before.flatMap((item, index) => changedFields(item, after[index], `${path}[${index}]`));
    }
    return [path];
  }
  return equal(before, after) ? [] : [path];
}

function equal(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (isRecord(a) && isRecord(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((key) => equal(a[key], b[key]));
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, index) => equal(item, b[index]));
  }
  return false;
}

/**
 * `value` cut down to the fields `shape` sets (maps key by key, named lists by name): how a live object compares
 * with a bare manifest, whose omitted fields the server would default.
 */
export function projectOnto(value: Json, shape: Json): Json {
  if (isRecord(value) && isRecord(shape)) {
    return Object.fromEntries(
      Object.keys(shape)
        .filter((key) => key in value)
        .map((key) => [key, projectOnto(value[key], shape[key])]),
    );
  }
  if (Array.isArray(value) && Array.isArray(shape)) {
    const shapeNames = namesOf(shape);
    if (shapeNames && namesOf(value)) {
      return value
        .filter((item) => isRecord(item) && shapeNames.includes(item.name as string))
        .map((item) =>
          projectOnto(
            item,
            shape.find((s) => isRecord(s) && isRecord(item) && s.name === item.name),
          ),
        );
    }
    if (value.length === shape.length) return value.map((item, index) => projectOnto(item, shape[index]));
  }
  return value;
}

import { type KubeObject, type ObjectRef, refOf } from "../model/kube-object.js";
import { refKey } from "./read-live-objects.js";

/**
 * What the classification (before the plan is shown) saw of one first-hop object it dry-ran: the live
 * resourceVersion then (null: absent), the dry run it made, and whether that dry run changed nothing at all.
 */
export interface ClassifiedObject {
  resourceVersion: string | null;
  /** `apply`: a forced server-side apply; `create`: a create (createIfAbsent of an absent object). */
  write: "apply" | "create";
  /** The dry-run answer equals the live object, field ownership (managedFields) included: an apply is a no-op. */
  noOp: boolean;
  /**
   * The object the dry run sent, as JSON. A later hop writes the same ref with other content: the record stands for
   * a write only when it sends exactly this.
   */
  sent: string;
}

/** Kept in memory from the classification to the run of the same plan in the same process (never in the plan). */
export type ClassifiedObjects = ReadonlyMap<string, ClassifiedObject>;

export const classifiedKey: (ref: ObjectRef) => string = refKey;

/** The record of this exact object (same ref, same content), if the classification dry-ran it. */
export function classifiedFor(
  classified: ClassifiedObjects | undefined,
  object: KubeObject,
): ClassifiedObject | undefined {
  const seen = classified?.get(classifiedKey(refOf(object)));
  return seen !== undefined && seen.sent === JSON.stringify(object) ? seen : undefined;
}

/** The live object is the one the classification saw: it has not been written since (same resourceVersion). */
export function unchangedSince(seen: ClassifiedObject, live: KubeObject | null | undefined): boolean {
  if (live === undefined) return false;
  return resourceVersionOf(live) === seen.resourceVersion;
}

export function resourceVersionOf(object: KubeObject | null): string | null {
  const version = object?.metadata.resourceVersion;
  return typeof version === "string" ? version : null;
}

/** The same managers own the same fields by the same operations (times ignored: a no-op write keeps them). */
export function sameOwnership(a: KubeObject, b: KubeObject): boolean {
  return JSON.stringify(ownership(a)) === JSON.stringify(ownership(b));
}

function ownership(object: KubeObject): unknown[] {
  const entries = Array.isArray(object.metadata.managedFields) ? object.metadata.managedFields : [];
  return entries
    .map((entry) => {
      const { time: _time, ...rest } = entry as Record<string, unknown>;
      return JSON.stringify(sortedKeys(rest));
    })
    .sort();
}

/** FieldsV1 is a JSON object: key order carries no meaning. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, inner]) => [key, sortedKeys(inner)]),
  );
}

import { isConflict } from "../kube/api-error.js";
import { FIELD_MANAGER } from "../kube/kube-client.js";
import { describeRef, type KubeObject, type ObjectRef } from "../model/kube-object.js";
import type { StepOf } from "../plan/step.js";
import type { ExecutionContext } from "./execution-context.js";
import { adoptManagedFields, type ManagedFieldsEntry } from "./merge-managed-fields.js";
import { readLiveObjects } from "./read-live-objects.js";

export const LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration";

/** A concurrent writer (a controller updating the object) makes the patch a 409; re-read and try again this often. */
const ATTEMPTS = 5;

export type AdoptOutcome = "adopted" | "unchanged" | "absent" | "untracked";

/**
 * Moves the fields other appliers own to kfp-upgrade's field manager, one object at a time, as `kubectl apply
 * --server-side` does when it takes over a client-side-applied object. No field value changes; only the bookkeeping
 * does, so that a later server-side apply removes what a new release drops (an `exec` probe handler replaced by
 * `httpGet`) instead of leaving the other manager's copy behind.
 */
export async function adoptObjects(step: StepOf<"adoptObjects">, ctx: ExecutionContext): Promise<string> {
  const counts: Record<AdoptOutcome, number> = { adopted: 0, unchanged: 0, absent: 0, untracked: 0 };
  let done = 0;
  // One list per kind instead of a GET per object; each patch carries the resourceVersion read, so an object
  // changed since the list is refused (409) and read again, as a stale GET would be.
  const live = await readLiveObjects(ctx.client, step.objects);
  for (const ref of step.objects) {
    counts[await adoptObject(ctx, ref, step.from, live.get(ref))] += 1;
    done += 1;
    ctx.progress(`${done}/${step.objects.length} checked (${describeRef(ref)})`);
  }
  const parts = [`${counts.adopted} adopted from ${step.from.join(", ")}`];
  if (counts.unchanged > 0) parts.push(`${counts.unchanged} already kfp-upgrade's`);
  if (counts.absent > 0) parts.push(`${counts.absent} absent (skipped)`);
  if (counts.untracked > 0) parts.push(`${counts.untracked} without managedFields (left as they are)`);
  return parts.join(", ");
}

/** Adopts one object; idempotent: an object with nothing left to adopt is not written. */
export async function adoptObject(
  ctx: ExecutionContext,
  ref: ObjectRef,
  from: readonly string[],
  /** The object as already read (null: absent); undefined: read it here. Used for the first attempt only. */
  read?: KubeObject | null,
): Promise<AdoptOutcome> {
  for (let attempt = 1; ; attempt++) {
    const object = attempt === 1 && read !== undefined ? read : await ctx.client.get(ref);
    if (!object) return "absent";
    const managedFields = object.metadata.managedFields;
    if (!Array.isArray(managedFields) || managedFields.length === 0) {
      ctx.warn(
        `${describeRef(ref)} has no managedFields, so its fields cannot be moved to ${FIELD_MANAGER}: a later apply will not remove fields a new release drops from it`,
      );
      return "untracked";
    }
    const adopted = adoptManagedFields(managedFields as ManagedFieldsEntry[], {
      from,
      to: FIELD_MANAGER,
      apiVersion: object.apiVersion,
      time: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    });
    const lastApplied = object.metadata.annotations?.[LAST_APPLIED_ANNOTATION] !== undefined;
    if (adopted.merged === 0 && adopted.dropped === 0 && !lastApplied) return "unchanged";
    const patch: unknown[] = [
      { op: "replace", path: "/metadata/managedFields", value: adopted.entries },
      // The resourceVersion read: the server answers 409 if the object changed since, as with kubectl's upgrade.
      { op: "replace", path: "/metadata/resourceVersion", value: object.metadata.resourceVersion },
    ];
    if (lastApplied) {
      patch.push({ op: "remove", path: `/metadata/annotations/${pointerEscape(LAST_APPLIED_ANNOTATION)}` });
    }
    try {
      await ctx.client.patch(ref, patch, "json");
      return "adopted";
    } catch (error) {
      if (!isConflict(error) || attempt >= ATTEMPTS) throw error;
    }
  }
}

/** RFC 6901: `~` and `/` in a key are written `~0` and `~1`. */
function pointerEscape(key: string): string {
  return key.replaceAll("~", "~0").replaceAll("/", "~1");
}

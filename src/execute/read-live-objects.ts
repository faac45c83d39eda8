import { KubeApiError } from "../errors.js";
import type { KubeClient } from "../kube/kube-client.js";
import type { KubeObject, ObjectRef } from "../model/kube-object.js";

/** The live objects of a set of refs, read once: `null` when an object does not exist. */
export interface LiveObjects {
  /** `undefined` only for a ref that was not asked for. */
  get(ref: ObjectRef): KubeObject | null | undefined;
}

/** Secrets are read one by one: a list would bring every Secret of the namespace (tokens, other apps') here. */
const READ_ONE_BY_ONE = new Set(["Secret"]);

/**
 * Reads the live state of `refs` with one list per kind and namespace instead of one GET per object (81 objects of
 * a KFP release are about 15 lists). A kind with a single object, a Secret, or a list the server refuses (no `list`
 * right, a kind not served) falls back to a GET per object, so the answer is the same as reading each object.
 */
export async function readLiveObjects(client: KubeClient, refs: readonly ObjectRef[]): Promise<LiveObjects> {
  const found = new Map<string, KubeObject | null>();
  const groups = new Map<string, ObjectRef[]>();
  for (const ref of refs) {
    const group = JSON.stringify([ref.apiVersion, ref.kind, ref.namespace ?? ""]);
    groups.set(group, [...(groups.get(group) ?? []), ref]);
  }
  await Promise.all(
    [...groups.values()].map(async (group) => {
      const listed = await listGroup(client, group);
      if (listed) {
        for (const ref of group) found.set(refKey(ref), listed.get(ref.name) ?? null);
        return;
      }
      await Promise.all(group.map(async (ref) => found.set(refKey(ref), await client.get(ref))));
    }),
  );
  return { get: (ref) => found.get(refKey(ref)) };
}

/** The group's kind listed in its namespace, by name; undefined when it must be read object by object. */
async function listGroup(
  client: KubeClient,
  group: ObjectRef[],
): Promise<Map<string, KubeObject> | undefined> {
  const first = group[0];
  if (!first || group.length < 2 || READ_ONE_BY_ONE.has(first.kind)) return undefined;
  let items: KubeObject[];
  try {
    items = await client.list(first.apiVersion, first.kind, { namespace: first.namespace });
  } catch (error) {
    if (error instanceof KubeApiError) return undefined;
    throw error;
  }
  const byName = new Map<string, KubeObject>();
  for (const item of items) {
    // Refs without a namespace of a namespaced kind mean the client's default namespace: the list (across all
    // namespaces) cannot tell which item is meant, so such a group is read object by object.
    if ((item.metadata.namespace ?? "") !== (first.namespace ?? "")) return undefined;
    byName.set(item.metadata.name, item);
  }
  return byName;
}

/** One identity of an object for the executor: before-states, live reads and the classification's record. */
export function refKey(ref: ObjectRef): string {
  return JSON.stringify([ref.apiVersion, ref.kind, ref.namespace ?? "", ref.name]);
}

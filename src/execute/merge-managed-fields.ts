/** One `metadata.managedFields` entry as the API server returns it; unknown fields are carried through untouched. */
export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: unknown;
  subresource?: string;
  [key: string]: unknown;
}

export interface AdoptFieldsOptions {
  /** Field managers whose fields move (`kubectl-client-side-apply`, `helm`, …). */
  from: readonly string[];
  /** The manager that takes them: kfp-upgrade's field manager. */
  to: string;
  /** The apiVersion the object was read with: a new Apply entry is recorded in it. */
  apiVersion: string;
  /** RFC 3339 time stamped on a new entry. */
  time: string;
}

export interface AdoptedFields {
  entries: ManagedFieldsEntry[];
  /** Entries of `from` whose fields now belong to `to`. */
  merged: number;
  /** Entries of `from` recorded in another apiVersion: dropped, as `kubectl apply --server-side` drops them. */
  dropped: number;
}

/**
 * What `kubectl apply --server-side` does to the managedFields of an object it takes over from client-side apply
 * (client-go's csaupgrade), generalised to several managers and to their Apply entries: every main-resource entry of
 * a `from` manager is unioned into `to`'s Apply entry (created when missing) and removed; entries recorded in another
 * apiVersion cannot be unioned (their field paths may differ) and are dropped. Subresource entries (status) and
 * every other manager's entries stay as they are. Pure: the caller sends the result back with the object's
 * resourceVersion, so a concurrent change is a 409 and nothing is lost.
 */
export function adoptManagedFields(
  entries: readonly ManagedFieldsEntry[],
  options: AdoptFieldsOptions,
): AdoptedFields {
  const from = new Set(options.from.filter((manager) => manager !== options.to));
  const isFrom = (entry: ManagedFieldsEntry) => from.has(entry.manager ?? "") && !entry.subresource;
  const isTarget = (entry: ManagedFieldsEntry) =>
    entry.manager === options.to && entry.operation === "Apply" && !entry.subresource;
  const existing = entries.find(isTarget);
  const apiVersion = existing?.apiVersion ?? options.apiVersion;
  const adopted = entries.filter((entry) => isFrom(entry) && entry.apiVersion === apiVersion);
  const dropped = entries.filter((entry) => isFrom(entry) && entry.apiVersion !== apiVersion).length;
  if (adopted.length === 0 && dropped === 0) return { entries: [...entries], merged: 0, dropped: 0 };

  let fields: unknown = existing?.fieldsV1 ?? {};
  for (const entry of adopted) fields = unionFields(fields, entry.fieldsV1 ?? {});
  const target: ManagedFieldsEntry = existing
    ? { ...existing, fieldsType: "FieldsV1", fieldsV1: fields }
    : {
        manager: options.to,
        operation: "Apply",
        apiVersion,
        time: options.time,
        fieldsType: "FieldsV1",
        fieldsV1: fields,
      };
  const result: ManagedFieldsEntry[] = [];
  for (const entry of entries) {
    if (isFrom(entry)) continue;
    result.push(entry === existing ? target : entry);
  }
  if (!existing) result.push(target);
  return { entries: result, merged: adopted.length, dropped };
}

/**
 * The union of two FieldsV1 sets. A FieldsV1 value is a trie (`{"f:spec": {"f:replicas": {}}}`, with `k:`/`v:`/`i:`
 * keys for list items and `.` for the node itself), so the union of two sets is the deep union of their objects.
 */
export function unionFields(a: unknown, b: unknown): unknown {
  if (!isRecord(a)) return structuredClone(b);
  if (!isRecord(b)) return structuredClone(a);
  const result: Record<string, unknown> = structuredClone(a);
  for (const [key, value] of Object.entries(b)) {
    result[key] = key in result ? unionFields(result[key], value) : structuredClone(value);
  }
  return result;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

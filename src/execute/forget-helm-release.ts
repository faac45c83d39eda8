import { isConflict } from "../kube/api-error.js";
import { describeRef, type KubeObject, type ObjectRef } from "../model/kube-object.js";
import type { StepOf } from "../plan/step.js";
import type { ExecutionContext } from "./execution-context.js";

export const HELM_RELEASE_TYPE = "helm.sh/release.v1";
const HELM_ANNOTATIONS = ["meta.helm.sh/release-name", "meta.helm.sh/release-namespace"];
const MANAGED_BY = "app.kubernetes.io/managed-by";
const HELM_CHART = "helm.sh/chart";

/**
 * Forgets a Helm release kfp-upgrade adopted: deletes Helm's release records, so that a later `helm uninstall` or
 * `helm rollback` finds no release to act on (and cannot delete KFP's claims), and removes Helm's ownership marks
 * from the adopted objects. Secrets are otherwise never deleted (PROTECTED_KINDS): a record is deleted only when the
 * live object is still the one the plan saw (same uid, a delete precondition too) and is a Helm release record
 * (type `helm.sh/release.v1`, label owner=helm, named after the release); anything else is kept and named. Only
 * metadata is read (the records hold the rendered release, and Secret data is never read) and only metadata written.
 */
export async function forgetHelmRelease(
  step: StepOf<"forgetHelmRelease">,
  ctx: ExecutionContext,
): Promise<string> {
  let deleted = 0;
  let gone = 0;
  const kept: string[] = [];
  for (const record of step.records) {
    const ref: ObjectRef = {
      apiVersion: "v1",
      kind: record.kind,
      name: record.name,
      namespace: step.namespace,
    };
    const object = await metadataOf(ctx, ref);
    if (!object) {
      gone += 1;
      continue;
    }
    const why = await notTheRecord(ctx, ref, object, record.uid, step.release);
    if (why) {
      ctx.warn(`kept ${describeRef(ref)}: ${why}; Helm may still list release ${step.release}`);
      kept.push(describeRef(ref));
      continue;
    }
    try {
      if (await ctx.client.delete(ref, { uid: record.uid })) deleted += 1;
      else gone += 1;
    } catch (error) {
      if (!isConflict(error)) throw error;
      ctx.warn(`kept ${describeRef(ref)}: it was replaced between the check and the delete`);
      kept.push(describeRef(ref));
    }
  }
  let unmarked = 0;
  for (const ref of step.unmark) {
    const object = await metadataOf(ctx, ref);
    const patch = object && unmarkPatch(object);
    if (!patch) continue;
    await ctx.client.patch(ref, { metadata: patch }, "merge");
    unmarked += 1;
  }
  const parts = [`${deleted} release records of ${step.release} deleted`];
  if (gone > 0) parts.push(`${gone} already gone`);
  if (kept.length > 0) parts.push(`${kept.length} kept (${kept.join(", ")})`);
  parts.push(`Helm's marks removed from ${unmarked} objects`);
  return parts.join(", ");
}

/** The object's metadata only (a Secret's data never reaches this process); null when absent. */
async function metadataOf(
  ctx: ExecutionContext,
  ref: ObjectRef,
  fieldSelector = "",
): Promise<KubeObject | null> {
  const items = await ctx.client.listMetadata(ref.apiVersion, ref.kind, {
    namespace: ref.namespace ?? ctx.client.defaultNamespace,
    fieldSelector: [`metadata.name=${ref.name}`, fieldSelector].filter(Boolean).join(","),
  });
  return items[0] ?? null;
}

/** Why the live object must not be deleted as the release's record; undefined when it may. */
async function notTheRecord(
  ctx: ExecutionContext,
  ref: ObjectRef,
  object: KubeObject,
  uid: string,
  release: string,
): Promise<string | undefined> {
  if (object.metadata.uid !== uid) {
    return `its uid is ${String(object.metadata.uid)}, not ${uid} as the plan saw (it was replaced since)`;
  }
  if (!ref.name.startsWith(`sh.helm.release.v1.${release}.v`))
    return "its name is not a record of the release";
  if (object.metadata.labels?.owner !== "helm") return "it is not labelled owner=helm";
  // The type is not in the metadata: ask the server for the name with the type, so the data is still not read.
  if (ref.kind === "Secret" && !(await metadataOf(ctx, ref, `type=${HELM_RELEASE_TYPE}`))) {
    return `it is not of type ${HELM_RELEASE_TYPE}`;
  }
  return undefined;
}

/** A merge patch of metadata that removes Helm's ownership marks; undefined when there are none. */
function unmarkPatch(object: KubeObject): Record<string, Record<string, null>> | undefined {
  const annotations = Object.fromEntries(
    HELM_ANNOTATIONS.filter((key) => object.metadata.annotations?.[key] !== undefined).map((key) => [
      key,
      null,
    ]),
  );
  const labels: Record<string, null> = {};
  if (object.metadata.labels?.[MANAGED_BY] === "Helm") labels[MANAGED_BY] = null;
  if (object.metadata.labels?.[HELM_CHART] !== undefined) labels[HELM_CHART] = null;
  const patch: Record<string, Record<string, null>> = {};
  if (Object.keys(annotations).length > 0) patch.annotations = annotations;
  if (Object.keys(labels).length > 0) patch.labels = labels;
  return Object.keys(patch).length > 0 ? patch : undefined;
}

import { DryRunRefused, KubeApiError } from "../errors.js";
import type { KubeClient } from "../kube/kube-client.js";
import { describeRef, type KubeObject, type ObjectRef, refOf } from "../model/kube-object.js";
import { changedFields, comparable, projectOnto } from "../plan/compare-objects.js";
import type { ObjectChange } from "../plan/object-change.js";
import { objectKey } from "../plan/object-key.js";
import type { Plan } from "../plan/plan.js";
import type { Step, StepOf } from "../plan/step.js";
import {
  type ClassifiedObject,
  type ClassifiedObjects,
  classifiedKey,
  resourceVersionOf,
  sameOwnership,
} from "./classified-objects.js";
import { alreadyRecreated } from "./delete-deployment.js";
import { type LiveObjects, readLiveObjects } from "./read-live-objects.js";
import { RECREATE_DRY_RUN_SUFFIX } from "./server-dry-run.js";

/** One classified object with what it is compared as (server-managed fields dropped), for `kfp-upgrade diff`. */
export interface ObjectDiff {
  change: ObjectChange;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

export interface ClassifiedPlan {
  plan: Plan;
  diffs: ObjectDiff[];
  /** The first hop's objects this dry-ran, with the live resourceVersion seen (the run reuses what is unchanged). */
  seen: ClassifiedObjects;
}

/** Requests in flight at once: the dry runs are independent, and 80 of them one by one take seconds. */
const CONCURRENCY = 8;

/**
 * Classifies every object of the plan's apply, create, recreate and prune steps before the plan is shown. The first
 * hop is sent to the API server as a server-side dry run (`dryRun=All`, read-only) and the answer compared with the
 * live object; later hops have no live state yet and are compared with the previous hop's objects. Validation and
 * admission errors refuse the plan (exit 4) naming each object, before anything changes. The steps stay as they
 * are: the classification is added to the plan as `changes`, what runs is what was shown.
 */
export async function classifyChanges(plan: Plan, client: KubeClient): Promise<ClassifiedPlan> {
  const classified = plan.steps.filter(isClassified);
  if (classified.length === 0) {
    return { plan: { ...plan, changes: { basis: [], objects: [] } }, diffs: [], seen: new Map() };
  }
  const firstHop = Math.min(...classified.map(hopOf));
  const served = new Set(await client.servedApiVersions());
  const definedHere = new Set(
    classified
      .flatMap(objectsOf)
      .filter((object) => object.kind === "CustomResourceDefinition")
      .map((crd) => {
        const spec = crd.spec as { group?: string; names?: { kind?: string } } | undefined;
        return `${spec?.group ?? ""}/${spec?.names?.kind ?? ""}`;
      }),
  );
  const notServedYet = (object: KubeObject) =>
    !served.has(object.apiVersion) && definedHere.has(`${groupOf(object.apiVersion)}/${object.kind}`);
  const adopted = new Set(
    plan.steps
      .filter(
        (step): step is StepOf<"adoptObjects"> => step.kind === "adoptObjects" && hopOf(step) === firstHop,
      )
      .flatMap((step) => step.objects.map((ref) => keyOf(ref))),
  );

  // The plan grants the user's rights itself (admin-binding, created first): until then a dry run is forbidden.
  const rightsFromBinding = plan.steps.some((step) => step.kind === "ensureAdminBinding");

  const refusals: string[] = [];
  const diffs: (ObjectDiff | undefined)[] = [];
  const tasks: (() => Promise<void>)[] = [];
  const first = classified.filter((step) => hopOf(step) === firstHop);
  const live = await readLiveObjects(
    client,
    first
      .flatMap(objectsOf)
      .filter((object) => !notServedYet(object))
      .map(refOf),
  );
  const seen = new Map<string, ClassifiedObject>();
  for (const step of first) {
    for (const object of objectsOf(step)) {
      const slot = diffs.length;
      diffs.push(undefined);
      tasks.push(async () => {
        try {
          diffs[slot] = await againstServer(step, object, client, notServedYet, live, seen);
        } catch (error) {
          if (error instanceof NamespaceMissing) {
            diffs[slot] = {
              change: changeOf(step, object, "create", [], "unchecked", {
                note: "its namespace is created by this plan; the API server checks it when applied",
              }),
              before: null,
              after: comparable(object),
            };
            return;
          }
          // Only the server's answers refuse; an unreachable server fails the command like any other call.
          if (!(error instanceof KubeApiError) || error.statusCode === undefined) throw error;
          if (adopted.has(keyOf(refOf(object)))) {
            diffs[slot] = {
              change: changeOf(step, object, "update", [], "unchecked", {
                note: "taken over from another installer first; the hop's dry run checks it after that",
              }),
              before: null,
              after: comparable(object),
            };
            return;
          }
          if (rightsFromBinding && error.statusCode === 403) {
            const current = live.get(refOf(object)) ?? null;
            diffs[slot] = {
              change: changeOf(step, object, current ? "update" : "create", [], "unchecked", {
                note: "the rights to write it come from admin-binding, which this plan creates first; the hop's dry run checks it after that",
              }),
              before: current ? comparable(current) : null,
              after: comparable(object),
            };
            return;
          }
          refusals.push(error.message);
        }
      });
    }
  }
  await inParallel(tasks, CONCURRENCY);
  if (refusals.length > 0) {
    throw new DryRunRefused(
      `the API server refused ${refusals.length} of the plan's objects in a server-side dry run; nothing was changed`,
      {
        details: refusals.sort(),
        hint: "Each line names the object and the server's reason (an invalid field in the release, an admission policy): fix that cause, then run the command again.",
      },
    );
  }
  const firstDiffs = diffs.filter((diff): diff is ObjectDiff => diff !== undefined);
  const later = await againstPreviousHops(classified, firstHop, client);
  const basis = [
    `${plan.hops.length > 1 ? `hop ${firstHop}` : "every object"}: a server-side dry run (dryRun=All) compared with the live object, server-managed fields (managedFields, resourceVersion, generation, uid, creationTimestamp, status) ignored`,
  ];
  if (later.length > 0) {
    basis.push(
      "later hops: compared with the previous hop's objects (no live state exists before the hop before them has run); the API server checks each hop again right before its first write",
    );
  }
  const all = [...firstDiffs, ...later];
  return {
    plan: { ...plan, changes: { basis, objects: all.map((diff) => diff.change) } },
    diffs: all,
    seen,
  };
}

type Classified = StepOf<"applyObjects" | "createIfAbsent" | "recreateDeployment" | "prune">;

function isClassified(step: Step): step is Classified {
  return (
    step.kind === "applyObjects" ||
    step.kind === "createIfAbsent" ||
    step.kind === "recreateDeployment" ||
    step.kind === "prune"
  );
}

function hopOf(step: Step): number {
  return step.hop ?? 1;
}

/** The objects a step writes; a prune's are references (deleted by name). */
function objectsOf(step: Classified): KubeObject[] {
  switch (step.kind) {
    case "applyObjects":
      return step.objects.map(({ object }) => object);
    case "createIfAbsent":
      return step.objects;
    case "recreateDeployment":
      return [step.object];
    case "prune":
      return step.objects.map((ref) => ({
        apiVersion: ref.apiVersion,
        kind: ref.kind,
        metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) },
      }));
    default:
      return step satisfies never;
  }
}

function keyOf(ref: ObjectRef): string {
  return objectKey(ref.kind, ref.namespace, ref.name);
}

function changeOf(
  step: Step,
  object: KubeObject,
  change: ObjectChange["change"],
  fields: string[],
  basis: ObjectChange["basis"],
  extra: { note?: string } = {},
): ObjectChange {
  return {
    step: step.id,
    ...(step.hop === undefined ? {} : { hop: step.hop }),
    apiVersion: object.apiVersion,
    kind: object.kind,
    name: object.metadata.name,
    ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}),
    change,
    fields,
    basis,
    ...extra,
  };
}

/** The object as the step would leave it, from the API server's dry-run answer, against the live object. */
async function againstServer(
  step: Classified,
  object: KubeObject,
  client: KubeClient,
  notServedYet: (object: KubeObject) => boolean,
  liveObjects: LiveObjects,
  seen: Map<string, ClassifiedObject>,
): Promise<ObjectDiff> {
  const ref = refOf(object);
  if (notServedYet(object)) {
    return {
      change: changeOf(step, object, "create", [], "unchecked", {
        note: "its CRD is created by this plan; the API server checks it when applied",
      }),
      before: null,
      after: comparable(object),
    };
  }
  const listed = liveObjects.get(ref);
  const live = listed === undefined ? await client.get(ref) : listed;
  const resourceVersion = resourceVersionOf(live);
  const compare = (after: KubeObject, kind: "update" | "recreate"): ObjectDiff => {
    if (!live)
      return {
        change: changeOf(step, object, "create", [], "server"),
        before: null,
        after: comparable(after),
      };
    const before = comparable(live);
    const next = comparable(after);
    const fields = changedFields(before, next);
    const change = kind === "recreate" ? "recreate" : fields.length > 0 ? "update" : "unchanged";
    return { change: changeOf(step, object, change, fields, "server"), before, after: next };
  };
  switch (step.kind) {
    case "prune":
      return {
        change: changeOf(
          step,
          object,
          live ? "delete" : "unchanged",
          [],
          "server",
          live ? {} : { note: "already gone" },
        ),
        before: live ? comparable(live) : null,
        after: null,
      };
    case "createIfAbsent":
      if (live) {
        return {
          change: changeOf(step, object, "unchanged", [], "server", { note: "exists; never overwritten" }),
          before: comparable(live),
          after: comparable(live),
        };
      }
      {
        const diff = compare(await dryRun(() => client.create(object, { dryRun: true }), object), "update");
        seen.set(classifiedKey(ref), {
          resourceVersion,
          write: "create",
          noOp: false,
          sent: JSON.stringify(object),
        });
        return diff;
      }
    case "applyObjects": {
      const answer = await dryRun(() => client.apply(object, { force: true, dryRun: true }), object);
      const diff = compare(answer, "update");
      const noOp = live !== null && diff.change.change === "unchanged" && sameOwnership(live, answer);
      seen.set(classifiedKey(ref), { resourceVersion, write: "apply", noOp, sent: JSON.stringify(object) });
      return diff;
    }
    case "recreateDeployment": {
      // Already the recreated form (a resumed run) or gone: the step applies it as it is. Otherwise its selector or
      // its strategy (RollingUpdate to Recreate) cannot change by an apply, so the dry run cannot be one either.
      if (!live || alreadyRecreated(live, object)) {
        return compare(
          await dryRun(() => client.apply(object, { force: true, dryRun: true }), object),
          "update",
        );
      }
      // The new form is dry-run created under a derived name (as serverDryRun does).
      const name = `${object.metadata.name}${RECREATE_DRY_RUN_SUFFIX}`;
      const created = await dryRun(
        () => client.create({ ...object, metadata: { ...object.metadata, name } }, { dryRun: true }),
        object,
      );
      return compare(
        { ...created, metadata: { ...created.metadata, name: object.metadata.name } },
        "recreate",
      );
    }
    default:
      return step satisfies never;
  }
}

/** A 404 on a dry run means the namespace does not exist yet (the plan creates it): not a refusal. */
async function dryRun(write: () => Promise<KubeObject>, object: KubeObject): Promise<KubeObject> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof KubeApiError && error.statusCode === 404) {
      throw new NamespaceMissing(object);
    }
    throw error;
  }
}

class NamespaceMissing extends Error {
  constructor(readonly object: KubeObject) {
    super(`${describeRef(refOf(object))}: its namespace does not exist yet`);
  }
}

/**
 * Later hops: each object against the state the hops before leave, i.e. the latest earlier hop's manifest of it,
 * else the live object cut down to the fields the manifest sets (the server's defaults are not changes).
 */
async function againstPreviousHops(
  classified: Classified[],
  firstHop: number,
  client: KubeClient,
): Promise<ObjectDiff[]> {
  const later = classified.filter((step) => hopOf(step) > firstHop);
  if (later.length === 0) return [];
  const desired = new Map<string, KubeObject | null>();
  for (const step of classified.filter((s) => hopOf(s) === firstHop)) record(desired, step);
  const out: ObjectDiff[] = [];
  const hops = [...new Set(later.map(hopOf))].sort((a, b) => a - b);
  for (const hop of hops) {
    const steps = later.filter((step) => hopOf(step) === hop);
    for (const step of steps) {
      for (const object of objectsOf(step)) {
        const key = keyOf(refOf(object));
        let previous = desired.get(key);
        if (previous === undefined) {
          const live = await client.get(refOf(object));
          previous = live ? (projectOnto(comparable(live), comparable(object)) as KubeObject) : null;
        }
        const before = previous ? comparable(previous) : null;
        const after = step.kind === "prune" ? null : comparable(object);
        let change: ObjectChange["change"];
        let fields: string[] = [];
        if (step.kind === "prune") change = before ? "delete" : "unchanged";
        else if (step.kind === "createIfAbsent") change = before ? "unchanged" : "create";
        else if (!before) change = "create";
        else {
          fields = changedFields(before, after);
          change =
            step.kind === "recreateDeployment" ? "recreate" : fields.length > 0 ? "update" : "unchanged";
        }
        out.push({ change: changeOf(step, object, change, fields, "previousHop"), before, after });
      }
      record(desired, step);
    }
  }
  return out;
}

function record(desired: Map<string, KubeObject | null>, step: Classified): void {
  for (const object of objectsOf(step)) {
    const key = keyOf(refOf(object));
    if (step.kind === "prune") desired.set(key, null);
    else if (step.kind === "createIfAbsent") {
      if (!desired.get(key)) desired.set(key, object);
    } else desired.set(key, object);
  }
}

async function inParallel(tasks: (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const task = tasks[next];
      next += 1;
      if (task) await task();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}

function groupOf(apiVersion: string): string {
  return apiVersion.includes("/") ? (apiVersion.split("/")[0] ?? "") : "";
}

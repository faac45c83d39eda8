import { DryRunRefused, InternalError, KubeApiError } from "../errors.js";
import { describeRef, type KubeObject, type ObjectRef, refOf } from "../model/kube-object.js";
import type { Step, StepOf } from "../plan/step.js";
import { classifiedFor, unchangedSince } from "./classified-objects.js";
import { alreadyRecreated } from "./delete-deployment.js";
import type { ExecutionContext } from "./execution-context.js";
import { readLiveObjects } from "./read-live-objects.js";

/** The suffix of the name a recreated Deployment is dry-run created under (see `dryRunRecreate`). */
export const RECREATE_DRY_RUN_SUFFIX = "-kfp-upgrade-dry-run";

/**
 * Runs the hop's writes as a server-side dry run before the first of them, so that whatever the API server would
 * refuse (a conflict with another field manager, an invalid field, an admission policy) refuses the hop with every
 * failing object named and nothing written. Objects of a kind not served yet, whose CRD is among the same writes,
 * cannot be checked before the CRD exists: they are skipped and checked when applied.
 *
 * The classification before the plan was shown dry-ran the first hop's writes already: an object whose live
 * resourceVersion is still the one it saw (nothing wrote it since, not even an adoption) is not sent again, its
 * answer would be the same. The live objects are read now (one list per kind), so the comparison is never stale.
 */
export async function serverDryRun(step: StepOf<"serverDryRun">, ctx: ExecutionContext): Promise<string> {
  const byId = new Map(ctx.steps.map((planStep) => [planStep.id, planStep]));
  const writes = step.steps.map((id) => {
    const write = byId.get(id);
    if (!write) throw new InternalError(`serverDryRun ${step.id} names step ${id}, which is not in the plan`);
    return write;
  });
  const served = new Set(await ctx.client.servedApiVersions());
  const definedHere = new Set(
    writes
      .flatMap((write) => (write.kind === "applyObjects" ? write.objects.map(({ object }) => object) : []))
      .filter((object) => object.kind === "CustomResourceDefinition")
      .map((crd) => {
        const spec = crd.spec as { group?: string; names?: { kind?: string } } | undefined;
        return `${spec?.group ?? ""}/${spec?.names?.kind ?? ""}`;
      }),
  );
  const notServedYet = (object: KubeObject) =>
    !served.has(object.apiVersion) && definedHere.has(`${groupOf(object.apiVersion)}/${object.kind}`);

  const candidates = writes.flatMap((write) =>
    write.kind === "applyObjects" || write.kind === "createIfAbsent"
      ? objectsOf(write).filter((object) => !notServedYet(object))
      : [],
  );
  const live = candidates.length > 0 ? await readLiveObjects(ctx.client, candidates.map(refOf)) : undefined;
  const checkedBefore = (object: KubeObject, write: "apply" | "create") => {
    const seen = classifiedFor(ctx.classified, object);
    return seen !== undefined && seen.write === write && unchangedSince(seen, live?.get(refOf(object)));
  };

  const refusals: string[] = [];
  let accepted = 0;
  let skipped = 0;
  let reused = 0;
  const check = async (write: () => Promise<unknown>) => {
    try {
      await write();
      accepted += 1;
    } catch (error) {
      // Only the server's answers refuse the hop; an unreachable server is a failure like any other.
      if (!(error instanceof KubeApiError) || error.statusCode === undefined) throw error;
      refusals.push(error.message);
    }
  };
  for (const write of writes) {
    for (const object of objectsOf(write)) {
      if (notServedYet(object)) {
        skipped += 1;
        continue;
      }
      switch (write.kind) {
        case "applyObjects":
          // The classification's dry run was a forced apply: it stands for this one only when this is forced too.
          if (write.force && checkedBefore(object, "apply")) {
            reused += 1;
            continue;
          }
          await check(() => ctx.client.apply(object, { force: write.force, dryRun: true }));
          break;
        case "createIfAbsent": {
          const listed = live?.get(refOf(object));
          if (listed === undefined ? await ctx.client.get(refOf(object)) : listed) continue;
          if (checkedBefore(object, "create")) {
            reused += 1;
            continue;
          }
          await check(() => ctx.client.create(object, { dryRun: true }));
          break;
        }
        case "recreateDeployment":
          await check(() => dryRunRecreate(ctx, write));
          break;
        default:
          ctx.warn(`serverDryRun ${step.id}: step ${write.id} (${write.kind}) has no dry run; not checked`);
      }
    }
  }
  if (refusals.length > 0) {
    const which = step.hop === undefined ? "the plan's" : `hop ${step.hop}'s`;
    throw new DryRunRefused(
      `the API server refused ${refusals.length} of ${which} ${refusals.length + accepted} writes in a server-side dry run; none of them was made`,
      {
        hop: step.hop,
        details: refusals,
        hint: "Each line names the object and the server's reason: fix that cause (an object changed by another tool, an admission policy, an invalid field in the release), then run the command again.",
      },
    );
  }
  const notChecked =
    skipped > 0 ? `; ${skipped} objects of CRDs not established yet are checked when applied` : "";
  const sameAsShown =
    reused > 0
      ? `; ${reused} unchanged since the plan's own dry run (same resourceVersion), whose answer stands`
      : "";
  return `${accepted} writes accepted by the API server in a dry run${sameAsShown}${notChecked}`;
}

function objectsOf(write: Step): KubeObject[] {
  switch (write.kind) {
    case "applyObjects":
      return write.objects.map(({ object }) => object);
    case "createIfAbsent":
      return write.objects;
    case "recreateDeployment":
      return [write.object];
    default:
      return [];
  }
}

/**
 * A Deployment whose selector changes (or whose strategy becomes Recreate) is deleted and created again, so its new
 * form cannot be dry-run applied over the old one (the selector is immutable, a defaulted rollingUpdate forbids
 * Recreate: the server would refuse what the real step never asks). It is dry-run
 * created under a derived name instead: the same validation and admission as the real creation, minus name-specific
 * policies. When the live Deployment already is the recreated one (a resumed run) or is gone, the apply the step
 * will make is dry-run as it is.
 */
async function dryRunRecreate(ctx: ExecutionContext, write: StepOf<"recreateDeployment">): Promise<void> {
  const ref: ObjectRef = refOf(write.object);
  const current = await ctx.client.get(ref);
  if (!current || alreadyRecreated(current, write.object)) {
    await ctx.client.apply(write.object, { force: true, dryRun: true });
    return;
  }
  const name = `${write.object.metadata.name}${RECREATE_DRY_RUN_SUFFIX}`;
  try {
    await ctx.client.create(
      { ...write.object, metadata: { ...write.object.metadata, name } },
      { dryRun: true },
    );
  } catch (error) {
    if (error instanceof KubeApiError && error.statusCode === 409 && error.reason === "AlreadyExists") {
      ctx.warn(`${describeRef(ref)}: not dry-run checked, a deployment named ${name} exists`);
      return;
    }
    throw error;
  }
}

function groupOf(apiVersion: string): string {
  return apiVersion.includes("/") ? (apiVersion.split("/")[0] ?? "") : "";
}

import { InternalError, KubeApiError, VerificationFailed } from "../errors.js";
import type { ServedKind } from "../kube/kube-client.js";
import { DATA_WRITER_ANNOTATION, formatDataWriter } from "../model/data-writer.js";
import type { KubeObject, ObjectRef } from "../model/kube-object.js";
import { describeRef, refOf } from "../model/kube-object.js";
import { describeVolumeSource, sameVolumeSource, volumeSource } from "../model/volume-source.js";
import { PROTECTED_KINDS } from "../plan/order.js";
import type { StepKind, StepOf } from "../plan/step.js";
import { exportVolumeDefinition } from "../storage/export-volume-definition.js";
import { adoptObjects } from "./adopt-object.js";
import { backupVolumes } from "./backup-volumes.js";
import { classifiedFor, classifiedKey, unchangedSince } from "./classified-objects.js";
import { alreadyRecreated, deleteDeploymentAndPods } from "./delete-deployment.js";
import { editAppFile } from "./edit-app-file.js";
import { ensureAdminBinding } from "./ensure-admin-binding.js";
import type { ExecutionContext } from "./execution-context.js";
import { followMigrationLog } from "./follow-migration-log.js";
import { forEachBounded } from "./for-each-bounded.js";
import { forgetHelmRelease } from "./forget-helm-release.js";
import { readLiveObjects } from "./read-live-objects.js";
import { crdReadiness, servedKindsOf } from "./readiness/apiextensions-v1-crd.js";
import { goneReadiness } from "./readiness/gone.js";
import { claimReadiness } from "./readiness/v1-persistent-volume-claim.js";
import { podsGoneReadiness } from "./readiness/v1-pods-gone.js";
import { mysqlSeriesReadiness } from "./readiness/v1-pods-mysql-series.js";
import { recordInventory } from "./record-inventory.js";
import { serverDryRun } from "./server-dry-run.js";
import { verifyInventory } from "./verify-inventory.js";
import { waitAll } from "./wait-all.js";
import { waitDeployments } from "./wait-deployments.js";
import { waitPods } from "./wait-pods.js";
import { waitWorkflowsDone } from "./wait-workflows.js";

type Handler<K extends StepKind> = (step: StepOf<K>, ctx: ExecutionContext) => Promise<string>;

/** Applies in flight at once within one applyObjects step. */
export const APPLY_CONCURRENCY = 8;

const pvRef = (name: string): ObjectRef => ({ apiVersion: "v1", kind: "PersistentVolume", name });
const pvcRef = (namespace: string, name: string): ObjectRef => ({
  apiVersion: "v1",
  kind: "PersistentVolumeClaim",
  name,
  namespace,
});
const deploymentRef = (namespace: string, name: string): ObjectRef => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  name,
  namespace,
});

/** One handler per step kind. Each is idempotent: a resumed run may execute a step a second time. */
export const STEP_HANDLERS: { [K in StepKind]: Handler<K> } = {
  async ensureNamespace(step, ctx) {
    const ref: ObjectRef = { apiVersion: "v1", kind: "Namespace", name: step.name };
    const existing = await ctx.client.get(ref);
    if (existing) {
      if ((existing.status as { phase?: string } | undefined)?.phase === "Terminating") {
        throw new KubeApiError(
          `namespace/${step.name} is Terminating (was it deleted while the run was going on?)`,
          {
            code: "NAMESPACE_TERMINATING",
            hint: "Wait until the namespace is gone, then run `kfp-upgrade reinstall` to re-attach the volumes.",
          },
        );
      }
      return "exists";
    }
    try {
      await ctx.client.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: step.name } });
    } catch (error) {
      // A retried create whose first answer was lost: the namespace is there, as meant, unless it is going away.
      if (!isAlreadyExists(error)) throw error;
      const now = await ctx.client.get(ref);
      if (!now || now.metadata.deletionTimestamp) throw error;
      return "exists (created by an earlier attempt)";
    }
    return "created";
  },

  adoptObjects,
  backupVolumes,
  editAppFile,
  ensureAdminBinding,
  serverDryRun,
  forgetHelmRelease,
  verifyInventory,
  recordInventory,

  async applyObjects(step, ctx) {
    const unchanged = await unchangedSinceClassified(step, ctx);
    const writes = step.objects.filter(({ object }) => !unchanged.has(classifiedKey(refOf(object))));
    let done = 0;
    // One step is one ordering group: its objects do not depend on each other, so they go out together (bounded,
    // so a 16x release does not open hundreds of connections at once).
    await forEachBounded(writes, APPLY_CONCURRENCY, async ({ object }) => {
      await ctx.client.apply(object, { force: step.force });
      done += 1;
      ctx.progress(`${done}/${writes.length} applied (${describeRef({ ...object.metadata, ...object })})`);
    });
    if (unchanged.size === 0) return `${done} objects applied`;
    return `${done} objects applied, ${unchanged.size} unchanged (the plan's dry run of each was a no-op and nothing wrote it since): not written`;
  },

  async createIfAbsent(step, ctx) {
    let created = 0;
    // Read first, never written when it exists (a Secret with custom credentials is not even sent a create).
    const live = await readLiveObjects(ctx.client, step.objects.map(refOf));
    for (const object of step.objects) {
      if (live.get(refOf(object))) continue;
      try {
        await ctx.client.create(object);
        created += 1;
      } catch (error) {
        if (!(error instanceof KubeApiError && error.statusCode === 409)) throw error;
      }
    }
    return `${created} created, ${step.objects.length - created} kept as they were`;
  },

  async carrySecret(step, ctx) {
    const ref = (name: string): ObjectRef => ({
      apiVersion: "v1",
      kind: "Secret",
      name,
      namespace: step.namespace,
    });
    if (await ctx.client.get(ref(step.to))) return `secret/${step.to} exists; kept as it is`;
    const from = await ctx.client.get(ref(step.from));
    if (!from) return `secret/${step.from} is gone; the release's defaults will be used`;
    // The values are read and written here only; they never reach a message, the journal or the plan.
    await ctx.client.create({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: step.to, namespace: step.namespace, labels: from.metadata.labels ?? {} },
      type: (from as { type?: string }).type ?? "Opaque",
      data: (from as { data?: Record<string, string> }).data ?? {},
    });
    return `secret/${step.to} created with the keys of secret/${step.from}`;
  },

  async waitEstablished(step, ctx) {
    const refs = step.crds.map((name) => ({
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      name,
    }));
    const kinds = new Map<string, ServedKind>();
    await waitAll(
      ctx,
      refs,
      (crd) => {
        const readiness = crdReadiness(crd);
        if (readiness.done && readiness.ok && crd)
          for (const kind of servedKindsOf(crd)) kinds.set(`${kind.apiVersion} ${kind.kind}`, kind);
        return readiness;
      },
      "CRDs established",
    );
    // Established is not yet served: the writes of the next step need the kinds in discovery.
    const unserved = await ctx.client.waitServed([...kinds.values()], {
      timeoutSeconds: ctx.timeoutSeconds,
      signal: ctx.signal,
    });
    if (unserved.length > 0) {
      throw new VerificationFailed(
        "WAIT_TIMEOUT",
        `discovery still does not serve ${unserved.map((kind) => `${kind.kind} in ${kind.apiVersion}`).join(", ")} ${ctx.timeoutSeconds}s after ${unserved.length === 1 ? "its CRD was" : "their CRDs were"} established`,
        {
          hint: "Check the API server's health (`kubectl get --raw /readyz?verbose`); raise --timeout if it is just slow.",
        },
      );
    }
    return `${refs.length} CRDs established and served`;
  },

  async setReclaimPolicy(step, ctx) {
    const volume = await ctx.client.get(pvRef(step.volume));
    if (!volume) {
      throw new VerificationFailed(
        "PV_MISSING",
        `persistentvolume/${step.volume} is gone; the plan saw it${step.volumeUid ? ` (uid ${step.volumeUid})` : ""}`,
        { hint: REPLAN_HINT },
      );
    }
    requireUid(volume, step.volumeUid, `persistentvolume/${step.volume}`);
    await ctx.client.patch(pvRef(step.volume), { spec: { persistentVolumeReclaimPolicy: step.to } }, "merge");
    return `persistentvolume/${step.volume} reclaim policy ${step.to}`;
  },

  async retainClaimVolumes(step, ctx) {
    const refs = step.claims.map((claim) => pvcRef(step.namespace, claim));
    await waitAll(ctx, refs, claimReadiness, "claims bound");
    const switched: string[] = [];
    for (const ref of refs) {
      const claim = await ctx.client.get(ref);
      const volumeName = (claim?.spec as { volumeName?: string } | undefined)?.volumeName;
      if (!volumeName) continue;
      const volume = await ctx.client.get(pvRef(volumeName));
      if (
        (volume?.spec as { persistentVolumeReclaimPolicy?: string } | undefined)
          ?.persistentVolumeReclaimPolicy === "Retain"
      )
        continue;
      await ctx.client.patch(
        pvRef(volumeName),
        { spec: { persistentVolumeReclaimPolicy: "Retain" } },
        "merge",
      );
      switched.push(volumeName);
    }
    return switched.length > 0 ? `switched to Retain: ${switched.join(", ")}` : "already Retain";
  },

  async releaseClaimRef(step, ctx) {
    const volume = await ctx.client.get(pvRef(step.volume));
    if (!volume) throw new VerificationFailed("PV_MISSING", `persistentvolume/${step.volume} disappeared`);
    requireUid(volume, step.volumeUid, `persistentvolume/${step.volume}`);
    const claimRef = (volume.spec as { claimRef?: { namespace?: string; name?: string; uid?: string } })
      .claimRef;
    const phase = (volume.status as { phase?: string } | undefined)?.phase;
    if (!claimRef || phase === "Available") return "already available";

    if (phase === "Bound") {
      throw new VerificationFailed(
        "PV_BOUND_ELSEWHERE",
        `persistentvolume/${step.volume} was bound to ${claimRef.namespace}/${claimRef.name} while the run was going on`,
        { hint: "Another claim took the volume; check `kubectl get pv` before retrying." },
      );
    }
    // The claimRef must still be the stale one the plan saw: another claim's (even a Released one) is not ours to take.
    if (step.staleClaim.uid && claimRef.uid && claimRef.uid !== step.staleClaim.uid) {
      throw new VerificationFailed(
        "CLAIMREF_CHANGED",
        `persistentvolume/${step.volume} now names claim ${claimRef.namespace}/${claimRef.name} (uid ${claimRef.uid}), but the plan saw the stale claimRef ${step.staleClaim.namespace}/${step.staleClaim.name} (uid ${step.staleClaim.uid})`,
        { hint: REPLAN_HINT },
      );
    }
    if (!step.claim) {
      await ctx.client.patch(pvRef(step.volume), { spec: { claimRef: null } }, "merge");
      return `claimRef ${claimRef.namespace}/${claimRef.name} cleared`;
    }
    // Without uid (and resourceVersion) the claimRef is a reservation: only the named claim can bind the PV.
    const reservation = {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      namespace: step.claim.namespace,
      name: step.claim.name,
      uid: null,
      resourceVersion: null,
    };
    await ctx.client.patch(pvRef(step.volume), { spec: { claimRef: reservation } }, "merge");
    return `claimRef ${claimRef.namespace}/${claimRef.name} replaced by a reservation for ${step.claim.namespace}/${step.claim.name}`;
  },

  async ensureVolume(step, ctx) {
    const ref = pvRef(step.volume.metadata.name);
    const existing = await ctx.client.get(ref);
    if (existing) {
      checkExistingVolume(step, existing);
      return "exists";
    }
    try {
      await ctx.client.create(step.volume);
    } catch (error) {
      // A create retried after a lost answer reports 409 although it succeeded: compare what is there with what
      // was meant, and accept only the same volume.
      if (!isAlreadyExists(error)) throw error;
      const now = await ctx.client.get(ref);
      if (!now) throw error;
      checkExistingVolume({ ...step, exists: false }, now);
      return "exists (created by an earlier attempt)";
    }
    return "created";
  },

  async ensureClaim(step, ctx) {
    const ref = pvcRef(step.claim.metadata.namespace ?? "", step.claim.metadata.name);
    const existing = await ctx.client.get(ref);
    const wanted = (step.claim.spec as { volumeName?: string }).volumeName;
    if (existing) {
      checkExistingClaim(step, existing);
      return "exists";
    }
    try {
      await ctx.client.create(step.claim);
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      const now = await ctx.client.get(ref);
      if (!now) throw error;
      checkExistingClaim({ ...step, exists: false }, now);
      return "exists (created by an earlier attempt)";
    }
    return wanted ? `created, bound to PV ${wanted}` : "created";
  },

  async waitBound(step, ctx) {
    const refs = step.claims.map((binding) => pvcRef(step.namespace, binding.claim));
    await waitAll(ctx, refs, claimReadiness, "claims bound");
    for (const binding of step.claims) {
      await recordBinding(ctx, step.namespace, binding.claim, binding.volumeName);
    }
    return step.claims.map((b) => `${b.claim} -> ${ctx.bindings.get(b.claim)?.volumeName}`).join(", ");
  },

  async stripOwnerReferences(step, ctx) {
    const object = await ctx.client.get(step.target);
    if (!object) return "object not found";
    const removeUids = new Set(step.remove.map((ref) => ref.uid));
    const current = (object.metadata as { ownerReferences?: { uid: string }[] }).ownerReferences ?? [];
    const kept = current.filter((ref) => !removeUids.has(ref.uid));
    if (kept.length === current.length) return "no owner references to remove";
    await ctx.client.patch(
      step.target,
      { metadata: { ownerReferences: kept.length > 0 ? kept : null } },
      "merge",
    );
    return `removed ${current.length - kept.length} owner references`;
  },

  async recreateDeployment(step, ctx) {
    const ref = deploymentRef(step.namespace, step.name);
    const current = await ctx.client.get(ref);
    // A resumed run may find the new Deployment already there: applying it again is all that is left.
    if (alreadyRecreated(current, step.object)) {
      await ctx.client.apply(step.object, { force: true });
      return "already recreated with the new selector; applied";
    }
    await deleteDeploymentAndPods(ctx, ref, step.oldSelector);
    await ctx.client.apply(step.object, { force: true });
    return "deleted (no pod of the old selector left) and created again";
  },

  async scaleDeployments(step, ctx) {
    const done: string[] = [];
    for (const { name, to } of step.deployments) {
      // Patched without reading first: a Deployment that is gone answers 404 and has nothing to scale.
      try {
        await ctx.client.patch(deploymentRef(step.namespace, name), { spec: { replicas: to } }, "merge");
      } catch (error) {
        if (error instanceof KubeApiError && error.statusCode === 404) continue;
        throw error;
      }
      done.push(`${name}=${to}`);
    }
    return done.length > 0 ? `scaled ${done.join(", ")}` : "no Deployment to scale";
  },

  async waitPodsGone(step, ctx) {
    for (const { name, selector } of step.workloads) {
      await waitPods(ctx, step.namespace, selector, podsGoneReadiness, `pods of deployment/${name}`);
    }
    return `no pod of ${step.workloads.map((w) => w.name).join(", ")} is left`;
  },

  async verifyMysqlSeries(step, ctx) {
    const verdict = await waitPods(
      ctx,
      step.namespace,
      step.selector,
      mysqlSeriesReadiness(step.series),
      `deployment/${step.deployment}`,
    );
    return verdict.message;
  },

  async pointOfNoReturn(step) {
    // The executor records passing it: this step's completion in the journal is the record.
    return `passed: ${step.reason}`;
  },

  async setImages(step, ctx) {
    const ref = deploymentRef(step.namespace, step.deployment);
    const body = {
      spec: {
        template: { spec: { containers: step.containers.map((c) => ({ name: c.name, image: c.to })) } },
      },
    };
    await ctx.client.patch(ref, body, "strategic");
    return step.containers.map((c) => `${c.name}=${c.to}`).join(", ");
  },

  async waitRollout(step, ctx) {
    const timeoutSeconds = step.timeoutSeconds ?? ctx.timeoutSeconds;
    const stopLogs = new AbortController();
    const following =
      step.progressLog !== undefined
        ? Promise.all(
            step.deployments.map((name) =>
              followMigrationLog(
                ctx,
                step.namespace,
                name,
                new RegExp(step.progressLog ?? ""),
                stopLogs.signal,
              ),
            ),
          )
        : Promise.resolve();
    try {
      await waitDeployments({ ...ctx, timeoutSeconds }, step.namespace, step.deployments);
    } finally {
      stopLogs.abort();
      await following;
    }
    return `${step.deployments.length} Deployments available`;
  },

  async waitWorkflowsDone(step, ctx) {
    return waitWorkflowsDone(ctx, step.namespace);
  },

  async verifyBinding(step, ctx) {
    const problems: string[] = [];
    for (const binding of step.claims) {
      const claim = await ctx.client.get(pvcRef(step.namespace, binding.claim));
      const volumeName = (claim?.spec as { volumeName?: string } | undefined)?.volumeName ?? null;
      const phase = (claim?.status as { phase?: string } | undefined)?.phase;
      if (!claim || phase !== "Bound" || !volumeName) {
        problems.push(`${binding.claim} is ${claim ? (phase ?? "Pending") : "missing"}`);
        continue;
      }
      const volume = await ctx.client.get(pvRef(volumeName));
      const uid = (volume?.metadata as { uid?: string } | undefined)?.uid ?? null;
      const expectedName = binding.volumeName ?? ctx.bindings.get(binding.claim)?.volumeName ?? null;
      const expectedUid = binding.volumeUid ?? ctx.bindings.get(binding.claim)?.volumeUid ?? null;
      if (expectedName !== null && volumeName !== expectedName) {
        problems.push(`${binding.claim} is bound to PV ${volumeName}, expected ${expectedName}`);
      } else if (expectedUid !== null && uid !== expectedUid) {
        problems.push(
          `PV ${volumeName} behind ${binding.claim} has UID ${uid}, expected ${expectedUid}: it was replaced`,
        );
      } else if (uid !== null) {
        ctx.bindings.set(binding.claim, { volumeName, volumeUid: uid });
      }
    }
    if (problems.length > 0) {
      throw new VerificationFailed(
        "PV_UID_CHANGED",
        `data volumes changed during the run: ${problems.join("; ")}`,
        {
          hint: "Stop and inspect the PVs (`kubectl get pv -o wide`) before doing anything else; the data may be on the old PV.",
        },
      );
    }
    return (
      step.claims.map((b) => `${b.claim} -> ${ctx.bindings.get(b.claim)?.volumeName ?? "?"}`).join(", ") ||
      "nothing to verify"
    );
  },

  async prune(step, ctx) {
    // Checked for the whole list first: a plan that names one protected object deletes nothing at all.
    const refused = step.objects.filter(
      (ref) => PROTECTED_KINDS.has(ref.kind) || ref.kind === "CustomResourceDefinition",
    );
    if (refused.length > 0) {
      throw new InternalError(
        `refusing to prune ${refused.map(describeRef).join(", ")}: data and cluster-wide kinds are never pruned`,
      );
    }
    let deleted = 0;
    for (const ref of step.objects) {
      if (await ctx.client.delete(ref, { propagationPolicy: "Background" })) deleted += 1;
    }
    return `${deleted} deleted`;
  },

  async recordDataWriter(step, ctx) {
    const recorded: string[] = [];
    const value = formatDataWriter(step.writer);
    for (const { claim } of step.claims) {
      const pvc = await ctx.client.get(pvcRef(step.namespace, claim));
      const volumeName = (pvc?.spec as { volumeName?: string } | undefined)?.volumeName;
      if (!volumeName) {
        throw new VerificationFailed(
          "CLAIM_NOT_BOUND",
          `${describeRef(pvcRef(step.namespace, claim))} is not bound, so what wrote its data cannot be recorded`,
        );
      }
      const volume = await ctx.client.get(pvRef(volumeName));
      if (volume?.metadata.annotations?.[DATA_WRITER_ANNOTATION] !== value) {
        await ctx.client.patch(
          pvRef(volumeName),
          { metadata: { annotations: { [DATA_WRITER_ANNOTATION]: value } } },
          "merge",
        );
      }
      recorded.push(volumeName);
    }
    return `${recorded.join(", ") || "no PV"}: data written by KFP ${step.writer.kfpVersion}`;
  },

  async deleteDataClaims(step, ctx) {
    // Every PV is checked before any claim goes: a claim whose PV would be deleted with it is never deleted.
    const going: { ref: ObjectRef; volume: string }[] = [];
    for (const { claim } of step.claims) {
      const ref = pvcRef(step.namespace, claim);
      const pvc = await ctx.client.get(ref);
      if (!pvc) continue; // deleted by an earlier attempt of this step
      const volumeName = (pvc.spec as { volumeName?: string } | undefined)?.volumeName ?? "";
      const volume = volumeName ? await ctx.client.get(pvRef(volumeName)) : null;
      const policy = (volume?.spec as { persistentVolumeReclaimPolicy?: string } | undefined)
        ?.persistentVolumeReclaimPolicy;
      if (!volume || policy !== "Retain") {
        throw new VerificationFailed(
          "DATA_VOLUME_NOT_RETAINED",
          `${describeRef(ref)} is bound to ${volumeName ? `persistentvolume/${volumeName}` : "no PV"}${volume ? ` with reclaim policy ${policy ?? "(unset)"}` : ""}: deleting the claim could delete the data, so no claim was deleted`,
          {
            hint: 'Set the PV\'s reclaim policy to Retain (kubectl patch pv NAME -p \'{"spec":{"persistentVolumeReclaimPolicy":"Retain"}}\') and run uninstall --delete-data again.',
          },
        );
      }
      going.push({ ref, volume: volumeName });
    }
    for (const { ref } of going) await ctx.client.delete(ref, { propagationPolicy: "Background" });
    await waitAll(
      ctx,
      going.map(({ ref }) => ref),
      goneReadiness,
      "data claims deleted",
    );
    return going.length === 0
      ? "no data claim was left"
      : `deleted ${going.map(({ ref }) => ref.name).join(", ")}; kept ${going.map(({ volume }) => `persistentvolume/${volume}`).join(", ")} (Retain) with the data`;
  },

  async saveVolumeDefinitions(step, ctx) {
    const saved: string[] = [];
    for (const { role, claim } of step.claims) {
      const pvc = await ctx.client.get(pvcRef(step.namespace, claim));
      const volumeName = (pvc?.spec as { volumeName?: string } | undefined)?.volumeName;
      if (!volumeName) continue;
      const volume = await ctx.client.get(pvRef(volumeName));
      if (!volume) continue;
      await ctx.saveVolume(role, exportVolumeDefinition(volume));
      saved.push(volumeName);
    }
    return `saved ${saved.join(", ") || "nothing"}`;
  },
};

const REPLAN_HINT =
  "The cluster changed since the plan was made; nothing more was changed. Run the command again to plan against the cluster as it is now (`kubectl get pv -o wide` shows the volumes).";

/**
 * The step's objects whose apply is a no-op: the classification's dry run of the same forced apply changed nothing
 * (fields and ownership) and the live object still has the resourceVersion it saw. Read now, one list per kind: an
 * object written since (an adoption, a scale, another tool) is applied as always.
 */
async function unchangedSinceClassified(
  step: StepOf<"applyObjects">,
  ctx: ExecutionContext,
): Promise<Set<string>> {
  const classified = ctx.classified;
  if (!classified || !step.force) return new Set();
  const noOps = step.objects.flatMap(({ object }) => {
    const seen = classifiedFor(classified, object);
    return seen?.write === "apply" && seen.noOp ? [{ ref: refOf(object), seen }] : [];
  });
  if (noOps.length === 0) return new Set();
  const live = await readLiveObjects(
    ctx.client,
    noOps.map(({ ref }) => ref),
  );
  return new Set(
    noOps.filter(({ ref, seen }) => unchangedSince(seen, live.get(ref))).map(({ ref }) => classifiedKey(ref)),
  );
}

function isAlreadyExists(error: unknown): boolean {
  return error instanceof KubeApiError && error.statusCode === 409;
}

/** Refuses an object of the right name but another UID than the plan saw (deleted and recreated since). */
function requireUid(object: KubeObject, expected: string | undefined, what: string): void {
  const uid = object.metadata.uid as string | undefined;
  if (expected === undefined || uid === expected) return;
  throw new VerificationFailed(
    "UID_CHANGED",
    `${what} has uid ${uid ?? "(none)"}, but the plan saw uid ${expected}: it was replaced since the plan was made`,
    { hint: REPLAN_HINT },
  );
}

/** An existing PV is the one the step means: the UID the plan saw, or (created by us) the same volume source. */
function checkExistingVolume(step: StepOf<"ensureVolume">, existing: KubeObject): void {
  const what = `persistentvolume/${step.volume.metadata.name}`;
  if (step.exists) {
    requireUid(existing, step.volumeUid, what);
    return;
  }
  const wanted = volumeSource(step.volume.spec);
  const actual = volumeSource(existing.spec);
  if (!sameVolumeSource(wanted, actual)) {
    throw new VerificationFailed(
      "PV_DIFFERS",
      `${what} exists over ${describeVolumeSource(actual)}, but the plan creates it over ${describeVolumeSource(wanted)}: another volume of the same name`,
      { hint: REPLAN_HINT },
    );
  }
  const claimRef = (existing.spec as { claimRef?: { namespace?: string; name?: string } } | undefined)
    ?.claimRef;
  const reserved = (step.volume.spec as { claimRef?: { namespace?: string; name?: string } } | undefined)
    ?.claimRef;
  if (
    claimRef &&
    reserved &&
    (claimRef.namespace !== reserved.namespace || claimRef.name !== reserved.name)
  ) {
    throw new VerificationFailed(
      "PV_BOUND_ELSEWHERE",
      `${what} exists and is reserved for or bound to ${claimRef.namespace}/${claimRef.name}, not ${reserved.namespace}/${reserved.name}`,
      { hint: REPLAN_HINT },
    );
  }
}

interface ClaimSpec {
  volumeName?: string;
  storageClassName?: string;
  accessModes?: string[];
  resources?: { requests?: { storage?: string } };
}

/** An existing claim is the one the step means: not going away, the UID the plan saw, or the spec it would create. */
function checkExistingClaim(step: StepOf<"ensureClaim">, existing: KubeObject): void {
  const ref = pvcRef(step.claim.metadata.namespace ?? "", step.claim.metadata.name);
  if (existing.metadata.deletionTimestamp) {
    throw new VerificationFailed(
      "CLAIM_TERMINATING",
      `${describeRef(ref)} is being deleted; a claim that goes would take its volume with it`,
      { hint: REPLAN_HINT },
    );
  }
  if (step.exists) requireUid(existing, step.claimUid, describeRef(ref));
  const wantedSpec = (step.claim.spec ?? {}) as ClaimSpec;
  const actualSpec = (existing.spec ?? {}) as ClaimSpec;
  const wanted = wantedSpec.volumeName;
  const actual = actualSpec.volumeName;
  if (wanted && actual && actual !== wanted) {
    throw new VerificationFailed(
      "CLAIM_BOUND_ELSEWHERE",
      `${describeRef(ref)} exists and is bound to PV ${actual}, not ${wanted}`,
    );
  }
  if (step.exists) return;
  // Only what the step sets is compared: the API server and the binder fill in the rest (default class, volumeMode).
  const differences: string[] = [];
  if (
    wantedSpec.storageClassName !== undefined &&
    (actualSpec.storageClassName ?? "") !== wantedSpec.storageClassName
  ) {
    differences.push(
      `storageClassName "${actualSpec.storageClassName ?? ""}" (planned "${wantedSpec.storageClassName}")`,
    );
  }
  if (
    wantedSpec.accessModes &&
    JSON.stringify([...(actualSpec.accessModes ?? [])].sort()) !==
      JSON.stringify([...wantedSpec.accessModes].sort())
  ) {
    differences.push(
      `accessModes ${(actualSpec.accessModes ?? []).join(",")} (planned ${wantedSpec.accessModes.join(",")})`,
    );
  }
  const wantedSize = wantedSpec.resources?.requests?.storage;
  const actualSize = actualSpec.resources?.requests?.storage;
  if (wantedSize && actualSize !== wantedSize) {
    differences.push(`storage request ${actualSize ?? "(none)"} (planned ${wantedSize})`);
  }
  if (differences.length > 0) {
    throw new VerificationFailed(
      "CLAIM_DIFFERS",
      `${describeRef(ref)} exists but is not the claim the plan creates: ${differences.join("; ")}`,
      { hint: REPLAN_HINT },
    );
  }
}

async function recordBinding(
  ctx: ExecutionContext,
  namespace: string,
  claimName: string,
  expected: string | null,
) {
  const claim = await ctx.client.get(pvcRef(namespace, claimName));
  const volumeName = (claim?.spec as { volumeName?: string } | undefined)?.volumeName;
  if (!volumeName) return;
  if (expected !== null && volumeName !== expected) {
    throw new VerificationFailed(
      "CLAIM_BOUND_ELSEWHERE",
      `${claimName} bound to PV ${volumeName}, expected ${expected}`,
    );
  }
  const volume = await ctx.client.get(pvRef(volumeName));
  const uid = (volume?.metadata as { uid?: string } | undefined)?.uid;
  if (uid) ctx.bindings.set(claimName, { volumeName, volumeUid: uid });
}

import { z } from "zod";
import type { KubeObject } from "../../model/kube-object.js";
import { podCause, podCauseSchema } from "./v1-pod-cause.js";

/** One Deployment while a rollout is waited for: its new pods ready of desired, and why the first unready one is not. */
export const deploymentProgressSchema = z.object({
  name: z.string(),
  /** Pods of the newest ReplicaSet that are Ready (old pods do not count: the rollout waits for the new ones). */
  ready: z.number().int().nonnegative(),
  desired: z.number().int().nonnegative(),
  /** The first pod-level cause among the unready new pods; absent when none names one (yet). */
  cause: podCauseSchema.optional(),
});
export type DeploymentProgress = z.infer<typeof deploymentProgressSchema>;

const REVISION = "deployment.kubernetes.io/revision";

interface Owned {
  metadata: {
    name: string;
    uid?: string;
    annotations?: Record<string, string>;
    ownerReferences?: { uid?: string }[];
    deletionTimestamp?: string | null;
  };
}

/**
 * The progress of `deployment` from its ReplicaSets, pods and pod events (all of its namespace). The newest
 * ReplicaSet is the one the deployment controller gave the Deployment's revision (the `deployment.kubernetes.io/
 * revision` annotation on both, as `kubectl rollout status` reads it); until it exists, no pod counts as new.
 */
export function deploymentProgress(
  deployment: KubeObject,
  replicaSets: readonly KubeObject[],
  pods: readonly KubeObject[],
  events: readonly KubeObject[],
): DeploymentProgress {
  const { metadata } = deployment as Owned;
  const desired = ((deployment.spec ?? {}) as { replicas?: number }).replicas ?? 1;
  const revision = metadata.annotations?.[REVISION];
  const newest = (replicaSets as readonly Owned[]).find(
    (rs) =>
      ownedBy(rs, metadata.uid) && revision !== undefined && rs.metadata.annotations?.[REVISION] === revision,
  );
  const newPods = newest
    ? (pods as readonly Owned[])
        .filter((pod) => ownedBy(pod, newest.metadata.uid) && pod.metadata.deletionTimestamp == null)
        .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0))
    : [];
  const unready = newPods.filter((pod) => !isReady(pod as KubeObject));
  let cause: DeploymentProgress["cause"];
  for (const pod of unready) {
    const found = podCause(pod as KubeObject, events);
    if (found) {
      cause = found;
      break;
    }
  }
  return {
    name: metadata.name,
    ready: newPods.length - unready.length,
    desired,
    ...(cause ? { cause } : {}),
  };
}

function ownedBy(object: Owned, uid: string | undefined): boolean {
  return uid !== undefined && (object.metadata.ownerReferences ?? []).some((owner) => owner.uid === uid);
}

function isReady(pod: KubeObject): boolean {
  const conditions = ((pod.status ?? {}) as { conditions?: { type: string; status: string }[] }).conditions;
  return conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

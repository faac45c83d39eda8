import type { KubeObject } from "../../model/kube-object.js";
import { failed, type Readiness, ready, waiting } from "./readiness.js";

interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
}

/** Rolled out: the new ReplicaSet has every replica updated and available, and no old replicas are left. */
export function deploymentReadiness(object: KubeObject | null): Readiness {
  if (object === null) return waiting("Waiting for the Deployment to exist");
  const generation = (object.metadata as { generation?: number }).generation ?? 0;
  const spec = (object.spec ?? {}) as { replicas?: number; paused?: boolean };
  const status = (object.status ?? {}) as DeploymentStatus;
  const desired = spec.replicas ?? 1;
  if ((status.observedGeneration ?? 0) < generation) return waiting("Waiting for the rollout to start");
  const progressing = status.conditions?.find((c) => c.type === "Progressing");
  if (progressing?.reason === "ProgressDeadlineExceeded") {
    return failed(`Rollout failed: ${progressing.message ?? "progress deadline exceeded"}`);
  }
  if (spec.paused) return failed("Deployment is paused");
  const updated = status.updatedReplicas ?? 0;
  if (updated < desired) return waiting(`Waiting for ${updated}/${desired} replicas to be updated`);
  const total = status.replicas ?? 0;
  if (total > updated) return waiting(`Waiting for ${total - updated} old replicas to terminate`);
  const available = status.availableReplicas ?? 0;
  if (available < desired) return waiting(`Waiting for ${available}/${desired} replicas to be ready`);
  return ready(`${available}/${desired} replicas available`);
}

/**
 * A Deployment the run has just applied: absent now means someone deleted it (or its namespace) while we waited,
 * which no amount of waiting fixes, so it fails at once instead of after --timeout.
 */
export function appliedDeploymentReadiness(object: KubeObject | null): Readiness {
  if (object === null)
    return failed("Deleted while waiting for its rollout (by someone else, or with its namespace)");
  return deploymentReadiness(object);
}

import type { KubeObject } from "../../model/kube-object.js";
import { type Readiness, ready, waiting } from "./readiness.js";

/**
 * No pod of a selector is left, terminating ones included: a pod with a deletionTimestamp may still run its
 * program on the volume, so it counts until it is gone.
 */
export function podsGoneReadiness(pods: readonly KubeObject[]): Readiness {
  if (pods.length === 0) return ready("No pods left");
  const terminating = pods.filter((pod) => pod.metadata.deletionTimestamp != null).length;
  const names = pods
    .slice(0, 3)
    .map((pod) => pod.metadata.name)
    .join(", ");
  const more = pods.length > 3 ? ", …" : "";
  return waiting(`Waiting for ${pods.length} pods to be gone (${terminating} terminating): ${names}${more}`);
}

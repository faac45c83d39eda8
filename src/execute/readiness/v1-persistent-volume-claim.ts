import type { KubeObject } from "../../model/kube-object.js";
import { failed, type Readiness, ready, waiting } from "./readiness.js";

export function claimReadiness(object: KubeObject | null): Readiness {
  if (object === null) return failed("The claim does not exist");
  const phase = ((object.status ?? {}) as { phase?: string }).phase ?? "Pending";
  const volume = ((object.spec ?? {}) as { volumeName?: string }).volumeName;
  if (phase === "Bound") return ready(`Bound to ${volume ?? "a volume"}`);
  if (phase === "Lost") return failed("The claim lost its volume (phase Lost)");
  return waiting(`Waiting for the claim to be Bound (phase ${phase}${volume ? `, volume ${volume}` : ""})`);
}

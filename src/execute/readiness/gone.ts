import type { KubeObject } from "../../model/kube-object.js";
import { type Readiness, ready, waiting } from "./readiness.js";

export function goneReadiness(object: KubeObject | null): Readiness {
  return object === null ? ready("Deleted") : waiting("Waiting for the object to be deleted");
}

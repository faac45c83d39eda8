import type { KubeObject } from "../../model/kube-object.js";
import { failed, type Readiness, ready, waiting } from "./readiness.js";

export function crdReadiness(object: KubeObject | null): Readiness {
  if (object === null) return waiting("Waiting for the CRD to exist");
  const conditions = (
    (object.status ?? {}) as { conditions?: { type: string; status: string; message?: string }[] }
  ).conditions;
  const namesAccepted = conditions?.find((c) => c.type === "NamesAccepted");
  if (namesAccepted?.status === "False") return failed(`Names not accepted: ${namesAccepted.message ?? ""}`);
  if (conditions?.find((c) => c.type === "Established")?.status === "True") return ready("Established");
  return waiting("Waiting for the CRD to be Established");
}

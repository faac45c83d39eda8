import type { ServedKind } from "../../kube/kube-client.js";
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

/** The kinds a CRD makes discovery serve: its kind in each served version (`group/version`). */
export function servedKindsOf(crd: KubeObject): ServedKind[] {
  const spec = (crd.spec ?? {}) as {
    group?: string;
    names?: { kind?: string };
    versions?: { name?: string; served?: boolean }[];
  };
  const kind = spec.names?.kind;
  if (!spec.group || !kind) return [];
  return (spec.versions ?? [])
    .filter((version) => version.served !== false && version.name)
    .map((version) => ({ apiVersion: `${spec.group}/${version.name}`, kind }));
}

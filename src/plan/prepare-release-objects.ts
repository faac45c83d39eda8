import type { ClusterSnapshot } from "../model/cluster-snapshot.js";
import type { KubeObject } from "../model/kube-object.js";
import type { Release } from "../release/release.js";
import { convertApiVersions } from "./convert-api-versions.js";
import { bundleNamespace, retargetNamespace } from "./retarget-namespace.js";

/** A release's objects as they will be applied here: in the app's namespace and in API versions the cluster serves. */
export function prepareReleaseObjects(
  release: Release,
  namespace: string,
  snapshot: ClusterSnapshot,
): { objects: KubeObject[]; conversions: string[]; refusals: string[]; notes: string[] } {
  const from = bundleNamespace(release.objects);
  const notes =
    from === namespace
      ? []
      : [
          `Release ${release.version} was rendered for namespace "${from}"; it is installed into "${namespace}"`,
        ];
  const retargeted = retargetNamespace(release.objects, from, namespace);
  return { ...convertApiVersions(retargeted, snapshot.servedApiVersions), notes };
}

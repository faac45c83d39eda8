import type { ClusterSnapshot } from "../model/cluster-snapshot.js";
import type { KubeObject } from "../model/kube-object.js";

/**
 * What this install shares with others in the cluster: CRDs another tool manages (applying the release's version
 * takes them over) and KFP API servers in other namespaces (they share the cluster-scoped objects).
 */
export function sharedClusterWarnings(snapshot: ClusterSnapshot, objects: KubeObject[]): string[] {
  const warnings: string[] = [];
  const releaseCrds = new Set(
    objects.filter((o) => o.kind === "CustomResourceDefinition").map((o) => o.metadata.name),
  );
  for (const crd of snapshot.crds) {
    if (crd.managedBy && releaseCrds.has(crd.name)) {
      warnings.push(
        `CRD ${crd.name} is managed by ${crd.managedBy}; applying this release's version takes it over`,
      );
    }
  }
  for (const other of snapshot.otherInstalls) {
    warnings.push(
      `KFP also runs in namespace "${other}" (deployment/ml-pipeline): it shares the CRDs and cluster roles this plan applies`,
    );
  }
  return warnings;
}

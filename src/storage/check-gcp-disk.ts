import type { ClusterNode, GcpDiskFinding } from "../model/gcp-disk.js";
import { formatBytes } from "../model/quantity.js";

/**
 * Why a GCP disk cannot back a data claim of this cluster, or an empty list: it must exist, be in (or, regional,
 * be replicated into) the zone of the cluster's nodes, be at least as large as the claim asks, and be attached to
 * no instance but this cluster's nodes. Each problem names the disk and the gcloud command that shows it.
 */
export function checkGcpDisk(
  finding: GcpDiskFinding,
  nodes: readonly ClusterNode[],
  requestBytes: number,
): string[] {
  const { disk, state, showCommand } = finding;
  const shows = `(\`${showCommand}\`)`;
  if (state === null) {
    return [
      `GCP disk "${disk}" does not exist in project ${finding.project} (in no zone or region) ${shows}`,
    ];
  }
  const problems: string[] = [];
  const nodeZones = [...new Set(nodes.flatMap((node) => (node.zone ? [node.zone] : [])))].sort();
  const diskZones = state.zone ? [state.zone] : state.replicaZones;
  const where = state.zone
    ? `zone ${state.zone}`
    : `region ${state.region} (zones ${state.replicaZones.join(", ")})`;
  if (nodeZones.length === 0) {
    problems.push(
      `GCP disk "${disk}": no node of this cluster has a topology.kubernetes.io/zone label, so the disk's ${where} cannot be checked against the nodes' (\`kubectl get nodes -L topology.kubernetes.io/zone\`)`,
    );
  } else if (!nodeZones.some((zone) => diskZones.includes(zone))) {
    problems.push(
      `GCP disk "${disk}" is in ${where}, but this cluster's nodes are in ${nodeZones.join(", ")}: a pod there cannot attach it ${shows}`,
    );
  }
  if (state.sizeBytes < requestBytes) {
    problems.push(
      `GCP disk "${disk}" is too small: ${formatBytes(state.sizeBytes)} < ${formatBytes(requestBytes)} requested by the claim ${shows}`,
    );
  }
  const nodeNames = new Set(nodes.map((node) => node.name));
  const foreign = state.users.filter((user) => !nodeNames.has(user));
  if (foreign.length > 0) {
    problems.push(
      `GCP disk "${disk}" is attached to ${foreign.map((user) => `instance "${user}"`).join(", ")}, which ${foreign.length === 1 ? "is not a node" : "are not nodes"} of this cluster: writing to it from here could corrupt its data; detach it first (\`gcloud compute instances detach-disk INSTANCE --disk ${disk}\`) ${shows}`,
    );
  }
  return problems;
}

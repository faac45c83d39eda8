import type { VolumeState } from "../model/cluster-snapshot.js";
import type { KubeObject } from "../model/kube-object.js";
import { describeVolumeSource, sameVolumeSource, volumeSource } from "../model/volume-source.js";

/**
 * Claim names that hold the same data under another name: the ksonnet package's `minio-pv-claim` became
 * `minio-pvc` (kubeflow/kubeflow#2425), so a PV Released by the old name may back the new one.
 */
const RENAMED_CLAIMS: Record<string, string> = { "minio-pv-claim": "minio-pvc" };

/**
 * Why a Released PV must not back `claim`: its stale claimRef says it held another claim's data (the MinIO PV
 * offered for MySQL, e.g. swapped --mysql-pv/--minio-pv). Null when the claimRef names the same claim (in any
 * namespace: a reinstall may move namespaces) or the PV is not Released.
 */
export function staleClaimRefMismatch(
  volume: VolumeState,
  claim: { namespace: string; name: string },
): string | null {
  if (volume.phase !== "Released" || volume.claimRef === null) return null;
  const held = volume.claimRef.name;
  if (held === claim.name || RENAMED_CLAIMS[held] === claim.name) return null;
  return `PV "${volume.name}" was last bound to claim ${volume.claimRef.namespace}/${held} (its stale claimRef), not to ${claim.name}: it holds another volume's data (were --mysql-pv and --minio-pv swapped?)`;
}

/**
 * Why a saved PV definition does not describe the cluster PV of the same name: a different volume source
 * (hostPath path, CSI driver and handle, GCE PD, NFS server and path) means another disk or directory, whatever
 * the name says. Null when they match.
 */
export function savedSourceMismatch(saved: KubeObject, volume: VolumeState): string | null {
  const savedSource = volumeSource(saved.spec);
  if (sameVolumeSource(savedSource, volume.source)) return null;
  return `PV "${volume.name}" in the cluster is ${describeVolumeSource(volume.source)}, but its saved definition in .kfp-upgrade/volumes/ is ${describeVolumeSource(savedSource)}: a PV of the same name over other storage`;
}

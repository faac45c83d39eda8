import type { ClusterSnapshot } from "../model/cluster-snapshot.js";
import type { ObjectStore } from "../release/release-info.js";

export interface ObjectStoreInUse {
  store: ObjectStore;
  /** The claim its Deployment mounts; null when the pod template mounts none. */
  claim: string | null;
}

/**
 * The object store the install runs, read from the cluster (which Deployment exists, and which claim it mounts),
 * never assumed from the version: 2.15 runs either, and an install kept on MinIO stays on it. SeaweedFS wins
 * when both run (a switch whose MinIO was not pruned yet). Null when neither Deployment exists.
 */
export function objectStoreInUse(snapshot: ClusterSnapshot): ObjectStoreInUse | null {
  const inNamespace = snapshot.deployments.filter((d) => d.namespace === snapshot.namespace.name);
  const seaweedfs = inNamespace.find((d) => d.name === "seaweedfs");
  const minio = inNamespace.find((d) => d.name === "minio");
  const running = seaweedfs ?? minio;
  if (!running) return null;
  return { store: seaweedfs ? "seaweedfs" : "minio", claim: running.claims[0] ?? null };
}

/** MinIO claim names of every KFP era (ksonnet's `minio-pv-claim`, then `minio-pvc`). */
export const MINIO_CLAIMS: readonly string[] = ["minio-pvc", "minio-pv-claim"];

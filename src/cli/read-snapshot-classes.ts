import { z } from "zod";
import type { KubeClient } from "../kube/kube-client.js";
import type { ClusterSnapshot } from "../model/cluster-snapshot.js";
import type { SnapshotClass } from "../plan/plan-backup.js";

export const SNAPSHOT_API = "snapshot.storage.k8s.io/v1";
const DEFAULT_CLASS_ANNOTATION = "snapshot.storage.kubernetes.io/is-default-class";

const volumeSnapshotClassSchema = z.object({
  metadata: z.object({ name: z.string(), annotations: z.record(z.string(), z.string()).optional() }),
  driver: z.string(),
});

/** The cluster's VolumeSnapshotClasses (none when it does not serve the snapshot API). */
export async function readSnapshotClasses(
  client: KubeClient,
  snapshot: ClusterSnapshot,
): Promise<{ snapshotApi: boolean; classes: SnapshotClass[] }> {
  if (!snapshot.servedApiVersions.includes(SNAPSHOT_API)) return { snapshotApi: false, classes: [] };
  const items = await client.list(SNAPSHOT_API, "VolumeSnapshotClass");
  // A class without a driver (invalid, the CRD requires one) cannot back anything up: it is left out.
  const classes = items.flatMap((item) => {
    const parsed = volumeSnapshotClassSchema.safeParse(item);
    if (!parsed.success) return [];
    const { metadata, driver } = parsed.data;
    return [
      { name: metadata.name, driver, isDefault: metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === "true" },
    ];
  });
  return { snapshotApi: true, classes };
}

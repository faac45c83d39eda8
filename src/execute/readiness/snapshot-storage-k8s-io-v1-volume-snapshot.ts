import type { KubeObject } from "../../model/kube-object.js";
import { failed, type Readiness, ready, waiting } from "./readiness.js";

interface VolumeSnapshotStatus {
  readyToUse?: boolean;
  boundVolumeSnapshotContentName?: string;
  restoreSize?: string | number;
  error?: { message?: string; time?: string };
}

/**
 * A VolumeSnapshot is usable once `status.readyToUse` is true
 * (https://kubernetes.io/docs/concepts/storage/volume-snapshots/). `status.error` is not final: the snapshot
 * controller keeps retrying and clears it on success, so it is shown while waiting, and the timeout decides.
 */
export function volumeSnapshotReadiness(object: KubeObject | null): Readiness {
  if (object === null) return failed("The VolumeSnapshot does not exist (was it deleted?)");
  const status = (object.status ?? {}) as VolumeSnapshotStatus;
  if (status.readyToUse === true) {
    return ready(
      `readyToUse${status.boundVolumeSnapshotContentName ? ` (content ${status.boundVolumeSnapshotContentName})` : ""}`,
    );
  }
  if (status.error?.message)
    return waiting(`Waiting for readyToUse; the snapshot controller reports: ${status.error.message}`);
  if (status.boundVolumeSnapshotContentName) {
    return waiting(`Waiting for readyToUse (content ${status.boundVolumeSnapshotContentName} is being cut)`);
  }
  return waiting("Waiting for the snapshot controller to take the snapshot");
}

import type { VolumeState } from "../model/cluster-snapshot.js";
import { formatBytes } from "../model/quantity.js";

/**
 * Why a pre-existing PV cannot back a claim, or an empty list. Each line names the PV and the problem so a
 * refusal can be printed as it is.
 */
export function checkVolumeFits(
  volume: VolumeState,
  claim: { namespace: string; name: string; requestBytes: number; accessModes: string[] },
): string[] {
  const problems: string[] = [];
  const ref = volume.claimRef;
  const boundElsewhere =
    ref !== null &&
    (ref.namespace !== claim.namespace || ref.name !== claim.name) &&
    volume.phase !== "Released";
  if (boundElsewhere && ref) {
    problems.push(`PV "${volume.name}" is bound to another claim (${ref.namespace}/${ref.name})`);
  }
  if (volume.capacityBytes < claim.requestBytes) {
    problems.push(
      `PV "${volume.name}" is too small: ${formatBytes(volume.capacityBytes)} < ${formatBytes(claim.requestBytes)} requested by ${claim.name}`,
    );
  }
  const missing = claim.accessModes.filter((mode) => !volume.accessModes.includes(mode));
  if (missing.length > 0) {
    problems.push(
      `PV "${volume.name}" does not offer access mode ${missing.join(", ")} (it has ${volume.accessModes.join(", ") || "none"})`,
    );
  }
  if (volume.phase === "Failed") problems.push(`PV "${volume.name}" is in phase Failed`);
  return problems;
}

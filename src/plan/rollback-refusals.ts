import { compareVersions } from "../release/compare-versions.js";
import type { ReleaseInfo } from "../release/release-info.js";
import { SEAWEEDFS_SINCE } from "../release/release-rules.js";

/**
 * Why the stateless components cannot go back from `current` to `target`, or an empty list. The data has moved
 * forward with the upgrade: a MySQL data directory upgraded to a newer series cannot be read by the older server,
 * the 2.15 schema migration has no way back, and an object-store switch moved where artifacts are.
 */
export function rollbackRefusals(current: ReleaseInfo, target: ReleaseInfo): string[] {
  const reasons: string[] = [];
  if (compareVersions(target.version, current.version) >= 0) {
    reasons.push(
      `${target.version} is not older than the installed ${current.version}: use \`kfp-upgrade upgrade\``,
    );
    return reasons;
  }
  if (current.mysqlSeries !== target.mysqlSeries) {
    reasons.push(
      `MySQL's data directory was upgraded from ${target.mysqlSeries} to ${current.mysqlSeries}, and MySQL ${target.mysqlSeries} cannot read it (downgrade is not supported)`,
    );
  }
  if (
    compareVersions(current.version, SEAWEEDFS_SINCE) >= 0 &&
    compareVersions(target.version, SEAWEEDFS_SINCE) < 0
  ) {
    reasons.push(
      `KFP ${current.version} migrated the database schema one way (2.15+, kubeflow/pipelines#3636)`,
    );
  }
  if (current.objectStore !== target.objectStore) {
    reasons.push(`the object store moved from ${target.objectStore} to ${current.objectStore}`);
  }
  return reasons;
}

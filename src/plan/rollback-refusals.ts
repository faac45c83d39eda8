import { compareVersions, isVersion } from "../release/compare-versions.js";
import type { ReleaseInfo } from "../release/release-info.js";
import { oneWayApiMigrationsCrossed, SEAWEEDFS_SINCE } from "../release/release-rules.js";

/**
 * Why the stateless components cannot go back from `current` to `target`, or an empty list. The data has moved
 * forward with the upgrade: a MySQL data directory upgraded to a newer series cannot be read by the older server,
 * a one-way API migration (2.15's schema migration, 2.18's recurring-run adoption, any later one the catalogue marks)
 * has no way back, and an object-store switch moved where artifacts are. `dataVersion` is the newest KFP known to
 * have run on the data (the point of no return recorded on the MySQL PV, or the running API server), which may be
 * newer than `current` after a run that failed forward.
 */
export function rollbackRefusals(
  current: ReleaseInfo,
  target: ReleaseInfo,
  dataVersion: string | null = null,
): string[] {
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
  const moved =
    dataVersion !== null && isVersion(dataVersion) && compareVersions(dataVersion, current.version) > 0
      ? dataVersion
      : current.version;
  for (const migration of oneWayApiMigrationsCrossed(target.version, moved)) {
    reasons.push(
      migration.since === SEAWEEDFS_SINCE
        ? `KFP ${moved} migrated the database schema one way (2.15+, kubeflow/pipelines#3636)`
        : `KFP ${moved} ran ${migration.what}, a point of no return: KFP's upgrade guide forbids going back to an API server from before ${migration.since} (${migration.source.split(";")[0]})`,
    );
  }
  if (current.objectStore !== target.objectStore) {
    reasons.push(`the object store moved from ${target.objectStore} to ${current.objectStore}`);
  }
  return reasons;
}

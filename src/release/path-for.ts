import { PreflightRefusal, UsageError } from "../errors.js";
import { CATALOGUE, type Catalogue } from "./catalogue.js";
import { compareVersions, isVersion } from "./compare-versions.js";
import { MYSQL_SERIES, type MysqlSeries } from "./release-info.js";
import { mysqlSeriesFor, objectStoreFor, SEAWEEDFS_SINCE } from "./release-rules.js";

export interface UpgradeHop {
  from: string;
  to: string;
  mysqlSeries: { from: MysqlSeries; to: MysqlSeries };
  /** This hop replaces MinIO with SeaweedFS (≤2.14 → ≥2.15): the artifacts must be carried over. */
  objectStoreSwitch: boolean;
  /**
   * The hop moves MySQL to a new series, which only a release's bundle can do (the images strategy never touches
   * `mysql`): without `to`'s bundle, `upgrade` refuses the hop. `hasBundle` is null when no bundle lookup was given.
   */
  needsBundle: boolean;
  hasBundle: boolean | null;
  reason: string;
}

export interface UpgradePath {
  from: string;
  to: string;
  hops: UpgradeHop[];
  objectStoreSwitch: boolean;
  /** The target is ≥2.15, whose schema migration has no way back: back up the database first. */
  schemaOneWay: boolean;
}

export interface PathForOptions {
  catalogue?: Catalogue;
  /** Intermediate releases with a bundle on disk are preferred over newer ones without. */
  hasBundle?: (version: string) => boolean;
  /**
   * The MySQL series that runs on the data now (read from the cluster's `mysql` image); default: the catalogue's
   * series for `from`. The path's stops start from it.
   */
  fromSeries?: MysqlSeries;
}

/**
 * The releases an upgrade from `from` to `to` has to pass through. MySQL upgrades in place only one series at a time
 * (5.6 → 5.7 → 8.0 → 8.4), so each series between the two gets a stop at its newest release.
 */
export function pathFor(from: string, to: string, options: PathForOptions = {}): UpgradePath {
  for (const version of [from, to]) {
    if (!isVersion(version)) throw new UsageError("VERSION_INVALID", `"${version}" is not a KFP version`);
  }
  const order = compareVersions(from, to);
  if (order > 0) {
    throw new PreflightRefusal("DOWNGRADE", `Refusing to downgrade KFP ${from} to ${to}`, {
      hint:
        "The API server migrates the database on start and has no down-migration (kubeflow/pipelines#3636): " +
        "restore the backup taken before the upgrade instead",
    });
  }
  const stops = [from, ...intermediateStops(from, to, options), to];
  const hops =
    order === 0
      ? []
      : stops
          .slice(1)
          .map((stop, i) =>
            hop(stops[i] ?? from, stop, to, i === 0 ? options.fromSeries : undefined, options.hasBundle),
          );
  return {
    from,
    to,
    hops,
    objectStoreSwitch: hops.some((h) => h.objectStoreSwitch),
    schemaOneWay: hops.length > 0 && compareVersions(to, SEAWEEDFS_SINCE) >= 0,
  };
}

function intermediateStops(from: string, to: string, options: PathForOptions): string[] {
  const catalogue = options.catalogue ?? CATALOGUE;
  const first = MYSQL_SERIES.indexOf(options.fromSeries ?? mysqlSeriesFor(from));
  const last = MYSQL_SERIES.indexOf(mysqlSeriesFor(to));
  return MYSQL_SERIES.slice(first + 1, last).map((series) => {
    const candidates = catalogue.releases
      .map((release) => release.version)
      .filter(
        (version) =>
          mysqlSeriesFor(version) === series &&
          compareVersions(version, from) > 0 &&
          compareVersions(version, to) < 0,
      );
    const bundled = candidates.filter((version) => options.hasBundle?.(version));
    const stop = bundled.at(-1) ?? candidates.at(-1);
    if (stop === undefined) {
      throw new PreflightRefusal(
        "NO_UPGRADE_PATH",
        `No KFP release between ${from} and ${to} runs MySQL ${series}`,
        {
          hint: "MySQL must pass through every series; add a bundle for such a release under --manifests",
        },
      );
    }
    return stop;
  });
}

function hop(
  from: string,
  to: string,
  target: string,
  fromSeries: MysqlSeries | undefined,
  hasBundle: PathForOptions["hasBundle"],
): UpgradeHop {
  const mysqlSeries = { from: fromSeries ?? mysqlSeriesFor(from), to: mysqlSeriesFor(to) };
  const needsBundle = mysqlSeries.from !== mysqlSeries.to;
  const objectStoreSwitch = objectStoreFor(from) !== objectStoreFor(to);
  const reasons = [
    to === target
      ? "the target release"
      : `MySQL moves one series at a time; ${to} is the newest release on MySQL ${mysqlSeries.to}`,
    mysqlSeries.from === mysqlSeries.to
      ? `MySQL stays on ${mysqlSeries.from}`
      : `MySQL ${mysqlSeries.from} → ${mysqlSeries.to} (in-place data directory upgrade)`,
    ...(objectStoreSwitch
      ? ["the object store moves from MinIO to SeaweedFS: artifacts must be copied over"]
      : []),
    ...(compareVersions(from, SEAWEEDFS_SINCE) < 0 && compareVersions(to, SEAWEEDFS_SINCE) >= 0
      ? ["the API server's one-way schema migration runs: back up the database first"]
      : []),
  ];
  return {
    from,
    to,
    mysqlSeries,
    objectStoreSwitch,
    needsBundle,
    hasBundle: hasBundle ? hasBundle(to) : null,
    reason: reasons.join("; "),
  };
}

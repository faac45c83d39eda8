import { PreflightRefusal, UsageError } from "../errors.js";
import { CATALOGUE, type Catalogue } from "./catalogue.js";
import { compareVersions, inRange, isVersion } from "./compare-versions.js";
import { MYSQL_SERIES, type MysqlSeries } from "./release-info.js";
import { mysqlSeriesFor, objectStoreFor, SEAWEEDFS_SINCE } from "./release-rules.js";
import { REQUIRED_STOPS, type RequiredStop } from "./required-stops.js";

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
  /** Release lines a path must pass through (default REQUIRED_STOPS: ≤ 2.17 → 3.x goes through 2.18.x). */
  requiredStops?: readonly RequiredStop[];
}

/** An intermediate release of a path, and why the path stops there. */
interface Stop {
  version: string;
  why: string;
}

/**
 * The releases an upgrade from `from` to `to` has to pass through. MySQL upgrades in place only one series at a time
 * (5.6 → 5.7 → 8.0 → 8.4), so each series between the two gets a stop at its newest release; a required release line
 * (REQUIRED_STOPS: 2.18.x on the way to 3.x) gets a stop at its newest release too.
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
  const stops: Stop[] = [
    { version: from, why: "" },
    ...intermediateStops(from, to, options),
    { version: to, why: "the target release" },
  ];
  const hops =
    order === 0
      ? []
      : stops
          .slice(1)
          .map((stop, i) =>
            hop(stops[i]?.version ?? from, stop, i === 0 ? options.fromSeries : undefined, options.hasBundle),
          );
  return {
    from,
    to,
    hops,
    objectStoreSwitch: hops.some((h) => h.objectStoreSwitch),
    schemaOneWay: hops.length > 0 && compareVersions(to, SEAWEEDFS_SINCE) >= 0,
  };
}

function intermediateStops(from: string, to: string, options: PathForOptions): Stop[] {
  const catalogue = options.catalogue ?? CATALOGUE;
  const between = (fits: (version: string) => boolean): string | undefined => {
    const candidates = catalogue.releases
      .map((release) => release.version)
      .filter(
        (version) => compareVersions(version, from) > 0 && compareVersions(version, to) < 0 && fits(version),
      );
    const bundled = candidates.filter((version) => options.hasBundle?.(version));
    return bundled.at(-1) ?? candidates.at(-1);
  };
  const first = MYSQL_SERIES.indexOf(options.fromSeries ?? mysqlSeriesFor(from));
  const last = MYSQL_SERIES.indexOf(mysqlSeriesFor(to));
  const seriesStops = MYSQL_SERIES.slice(first + 1, last).map((series): Stop => {
    const stop = between((version) => mysqlSeriesFor(version) === series);
    if (stop === undefined) {
      throw new PreflightRefusal(
        "NO_UPGRADE_PATH",
        `No KFP release between ${from} and ${to} runs MySQL ${series}`,
        {
          hint: "MySQL must pass through every series; add a bundle for such a release under --manifests",
        },
      );
    }
    return {
      version: stop,
      why: `MySQL moves one series at a time; ${stop} is the newest release on MySQL ${series}`,
    };
  });
  const lineStops = (options.requiredStops ?? REQUIRED_STOPS)
    .filter((rule) => compareVersions(from, rule.line.since) < 0 && compareVersions(to, rule.whenTo) >= 0)
    .map((rule): Stop => {
      const line = rule.line.since.replace(/\.0$/, ".x");
      const stop = between((version) => inRange(version, rule.line));
      if (stop === undefined) {
        throw new PreflightRefusal(
          "NO_UPGRADE_PATH",
          `No KFP ${line} release is known between ${from} and ${to}`,
          {
            hint: `${rule.why}, so the path goes through KFP ${line}: add the bundle of a ${line} release under --manifests`,
          },
        );
      }
      return { version: stop, why: `${rule.why}: the path goes through the newest KFP ${line}, ${stop}` };
    });
  const byVersion = new Map<string, string[]>();
  for (const stop of [...seriesStops, ...lineStops]) {
    byVersion.set(stop.version, [...(byVersion.get(stop.version) ?? []), stop.why]);
  }
  return [...byVersion.entries()]
    .sort(([a], [b]) => compareVersions(a, b))
    .map(([version, whys]) => ({ version, why: whys.join("; ") }));
}

function hop(
  from: string,
  { version: to, why }: Stop,
  fromSeries: MysqlSeries | undefined,
  hasBundle: PathForOptions["hasBundle"],
): UpgradeHop {
  const mysqlSeries = { from: fromSeries ?? mysqlSeriesFor(from), to: mysqlSeriesFor(to) };
  const needsBundle = mysqlSeries.from !== mysqlSeries.to;
  const objectStoreSwitch = objectStoreFor(from) !== objectStoreFor(to);
  const reasons = [
    why,
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

import { type DataWriter, describeDataWriter } from "../model/data-writer.js";
import { compareVersions, isVersion } from "../release/compare-versions.js";
import { MYSQL_SERIES, type ReleaseInfo } from "../release/release-info.js";
import { SEAWEEDFS_SINCE } from "../release/release-rules.js";
import type { DataOnVolume } from "./storage-steps.js";

/** The flag that lets deploy or reinstall start a ≥2.15 API server on data a release before 2.15 wrote. */
export const ACCEPT_SCHEMA_MIGRATION_FLAG = "--accept-schema-migration";

export interface DataVersionVerdict {
  refusals: string[];
  warnings: string[];
  /** One-way changes starting the release on the data makes (accepted ones only). */
  oneWay: string[];
}

/**
 * Whether `release` may start on data that `writer` last wrote (deploy and reinstall onto existing volumes):
 * - never an older KFP: its API server cannot run on a schema a newer one migrated (no down-migration,
 *   kubeflow/pipelines#3636);
 * - MySQL only forward, one series at a time (5.6 → 5.7 → 8.0 → 8.4): a server refuses a data directory of a newer
 *   series, and an upgrade that skips one is unsupported (kubeflow/katib#1939);
 * - crossing 2.15 runs the API server's one-way schema migration: only with ACCEPT_SCHEMA_MIGRATION_FLAG, and a
 *   warning to back up first;
 * - the object store that wrote the artifacts must be the one that serves them (MinIO's layout is not SeaweedFS's).
 */
export function dataVersionRules(
  volumes: DataOnVolume[],
  release: Pick<ReleaseInfo, "version" | "mysqlSeries" | "objectStore">,
  options: { acceptSchemaMigration: boolean },
): DataVersionVerdict {
  const verdict: DataVersionVerdict = { refusals: [], warnings: [], oneWay: [] };
  for (const { role, label, volume, writer } of volumes) {
    const wrote = `PV ${volume} holds data last written by ${describeDataWriter(writer)}`;
    if (isVersion(writer.kfpVersion) && compareVersions(release.version, writer.kfpVersion) < 0) {
      verdict.refusals.push(
        `${label}: ${wrote}; KFP ${release.version} is older and cannot run on it (KFP has no down-migration, kubeflow/pipelines#3636): use --tag ${writer.kfpVersion} or newer`,
      );
      continue;
    }
    if (role === "mysql") {
      mysqlRules(label, wrote, writer, release, verdict);
      schemaRule(label, wrote, writer, release, options, verdict);
    } else if (writer.objectStore !== release.objectStore) {
      verdict.refusals.push(
        `${label}: ${wrote}; KFP ${release.version} serves artifacts from ${storeName(release.objectStore)}, which cannot read ${storeName(writer.objectStore)}'s data: install a release that runs ${storeName(writer.objectStore)}${writer.objectStore === "minio" ? " (≤2.14, or 2.15 with --variant minio)" : ""}`,
      );
    }
  }
  return verdict;
}

function mysqlRules(
  label: string,
  wrote: string,
  writer: DataWriter,
  release: Pick<ReleaseInfo, "version" | "mysqlSeries">,
  verdict: DataVersionVerdict,
): void {
  const data = MYSQL_SERIES.indexOf(writer.mysqlSeries as (typeof MYSQL_SERIES)[number]);
  const target = MYSQL_SERIES.indexOf(release.mysqlSeries);
  if (data < 0) return;
  if (target < data) {
    verdict.refusals.push(
      `${label}: ${wrote}; KFP ${release.version} runs MySQL ${release.mysqlSeries}, which cannot open a data directory of MySQL ${writer.mysqlSeries} (MySQL downgrades are unsupported)`,
    );
  } else if (target > data + 1) {
    verdict.refusals.push(
      `${label}: ${wrote}; KFP ${release.version} runs MySQL ${release.mysqlSeries}, more than one series ahead of ${writer.mysqlSeries} (MySQL upgrades one series at a time): install the release that wrote the data (--tag ${writer.kfpVersion}), then \`kfp-upgrade upgrade\` through MySQL ${MYSQL_SERIES[data + 1]}`,
    );
  } else if (target === data + 1) {
    verdict.oneWay.push(
      `${label}: MySQL ${writer.mysqlSeries} → ${release.mysqlSeries} upgrades the data directory`,
    );
  }
}

function schemaRule(
  label: string,
  wrote: string,
  writer: DataWriter,
  release: Pick<ReleaseInfo, "version">,
  options: { acceptSchemaMigration: boolean },
  verdict: DataVersionVerdict,
): void {
  if (!isVersion(writer.kfpVersion)) return;
  const crosses =
    compareVersions(writer.kfpVersion, SEAWEEDFS_SINCE) < 0 &&
    compareVersions(release.version, SEAWEEDFS_SINCE) >= 0;
  if (!crosses) return;
  const what = `KFP ${release.version}'s API server migrates the database schema of KFP ${writer.kfpVersion} on start, and that migration cannot be rolled back (kubeflow/pipelines#3636): back up MySQL first`;
  if (options.acceptSchemaMigration) {
    verdict.warnings.push(`${label}: ${what} (accepted with ${ACCEPT_SCHEMA_MIGRATION_FLAG})`);
    verdict.oneWay.push(
      `${label}: KFP ${release.version}'s API server runs the one-way 2.15 database schema migration on data of KFP ${writer.kfpVersion}`,
    );
  } else {
    verdict.refusals.push(
      `${label}: ${wrote}; ${what}, then pass ${ACCEPT_SCHEMA_MIGRATION_FLAG} (or install --tag ${writer.kfpVersion} and \`kfp-upgrade upgrade\`)`,
    );
  }
}

function storeName(store: "minio" | "seaweedfs"): string {
  return store === "minio" ? "MinIO" : "SeaweedFS";
}

// PURE rules of the data-store simulation: which images are data stores, and whether a simulated MySQL or KFP API
// server may start on a data directory in the state it finds it. No I/O here: the simulator
// (data-store-simulator.ts) reads the directory and the pods, these functions decide, and test/support/mysql-data.ts
// applies the same rules to a volume after a run ("would MySQL still start on this data?").

/** The MySQL release series the simulation knows, oldest first (KFP used each: 5.6 ≤1.4, 5.7 1.5–1.8, 8.0 2.0–2.5, 8.4 2.14+). */
export const MYSQL_SERIES = ["5.6", "5.7", "8.0", "8.4"] as const;
export type MysqlSeries = (typeof MYSQL_SERIES)[number];

/**
 * Where MySQL records the version that last ran on a data directory: mysql_upgrade (≤5.7) and the server itself
 * (8.0.16+, which took over mysql_upgrade's job) write the server version, e.g. "8.0.26", into `mysql_upgrade_info`
 * at the data directory's root. The simulation writes and reads the same file; its content here is the image tag's
 * version as x.y.z (a tag without a patch level, `mysql:8.4`, is written as 8.4.0: the harness cannot know which
 * patch release the tag pointed at). https://dev.mysql.com/doc/refman/5.7/en/mysql-upgrade.html ("mysql_upgrade
 * marks the data directory with the current MySQL version number ... a file named mysql_upgrade_info").
 */
export const MYSQL_UPGRADE_INFO_FILE = "mysql_upgrade_info";

/**
 * The KFP schema generation the simulated API server records in the MySQL data directory. SIMULATED bookkeeping:
 * a real install records its schema in the `mlpipeline` tables (KFP 2.15+ detects the legacy schema by the length
 * of `pipelines.UUID`), which the seeded volumes do not hold.
 */
export const KFP_SCHEMA_FILE = ".kfp-simulated-schema";

/** The first KFP release whose API server migrates the legacy schema one way (kubeflow/pipelines PR #12013). */
export const KFP_ONE_WAY_SCHEMA = "2.15.0";

/**
 * Image patterns, valid both as JavaScript regular expressions and as RE2 (gojq's `test`, which kwok's stage
 * selectors run): the last path component of the repository, with an optional tag and digest.
 * MySQL: `mysql:8.4`, `gcr.io/ml-pipeline/mysql:5.7-debian`. KFP API server: `gcr.io/ml-pipeline/api-server:1.8.5`,
 * `ghcr.io/kubeflow/kfp-api-server:2.14.4`.
 */
export const MYSQL_IMAGE_PATTERN = "(^|/)mysql(:[^/@]*)?(@.*)?$";
export const KFP_API_SERVER_IMAGE_PATTERN = "(^|/)(kfp-)?api-server(:[^/@]*)?(@.*)?$";

export type DataStoreImage =
  | {
      kind: "mysql";
      image: string;
      tag: string | undefined;
      version: string | undefined;
      series: MysqlSeries | undefined;
    }
  | { kind: "kfp-api-server"; image: string; tag: string | undefined; version: string | undefined };

function tagOf(image: string): string | undefined {
  const withoutDigest = image.split("@")[0] ?? image;
  const last = withoutDigest.split("/").at(-1) ?? withoutDigest;
  const colon = last.indexOf(":");
  return colon === -1 ? undefined : last.slice(colon + 1);
}

/** "8.0.26" from "8.0.26", "8.4.0" from "8.4", "5.7.0" from "5.7-debian"; undefined without a leading x.y. */
export function versionFromTag(tag: string | undefined): string | undefined {
  const match = tag === undefined ? null : /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(tag);
  if (!match) return undefined;
  return `${Number(match[1])}.${Number(match[2])}.${Number(match[3] ?? 0)}`;
}

export function seriesOf(version: string | undefined): MysqlSeries | undefined {
  const series = version?.split(".").slice(0, 2).join(".");
  return MYSQL_SERIES.find((known) => known === series);
}

/** The data store an image runs, or undefined for any other image. */
export function classifyImage(image: string): DataStoreImage | undefined {
  const tag = tagOf(image);
  const version = versionFromTag(tag);
  if (new RegExp(MYSQL_IMAGE_PATTERN).test(image))
    return { kind: "mysql", image, tag, version, series: seriesOf(version) };
  if (new RegExp(KFP_API_SERVER_IMAGE_PATTERN).test(image))
    return { kind: "kfp-api-server", image, tag, version: tag?.match(/^v?(\d+\.\d+\.\d+)/)?.[1] };
  return undefined;
}

/** -1, 0, 1 over dotted numeric versions ("2.14.4" < "2.15.0"). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/** MySQL's numeric version id as its messages print it: 8.0.26 -> 80026, 5.7.44 -> 50744. */
export function versionId(version: string): number {
  const [major = 0, minor = 0, patch = 0] = version.split(".").map(Number);
  return major * 10_000 + minor * 100 + patch;
}

/** What a data directory looks like to a starting MySQL server. */
export type MysqlDirState =
  /** No entries at all: the image's entrypoint initialises a new data directory. */
  | { kind: "empty" }
  /** Files, but no `mysql_upgrade_info`: the series cannot be told (see mysqlStartDecision). */
  | { kind: "unrecorded" }
  /** `mysql_upgrade_info` holds this text. */
  | { kind: "recorded"; text: string };

export type StartDecision =
  | {
      start: true;
      /** Write this into mysql_upgrade_info (undefined: leave the directory as it is). */
      record: string | undefined;
      note: string;
    }
  | { start: false; reason: StartRefusal; message: string };

export type StartRefusal =
  | "unknown-image"
  | "unreadable-record"
  | "downgrade"
  | "series-skip"
  | "innodb-lock"
  | "schema-newer";

/**
 * Whether `mysql` of `image` starts on a directory in `dir` state, with `heldBy` naming a running server already on
 * the directory. Rules, each with MySQL's own message (the line the real mysqld logs before it exits 1). The texts
 * are quoted from MySQL's manual and from server logs users posted (cited below); the mysql/mysql-server source
 * (4 GB) was not opened line by line, so the source files named are where these messages are defined to our
 * knowledge, not re-read.
 *
 * - One server per directory. InnoDB takes an fcntl lock on ibdata1; a second mysqld on the same files retries and
 *   gives up with "[ERROR] [MY-012574] [InnoDB] Unable to lock ./ibdata1 error: 11" (EAGAIN; InnoDB's os_file_lock
 *   in storage/innobase/os/os0file.cc). Seen in 8.0.24 and 8.0.33 logs and in 5.7 logs as "[ERROR] InnoDB: Unable
 *   to lock ./ibdata1 error: 11" followed by "Check that you do not already have another mysqld process using the
 *   same InnoDB data or log files".
 * - Never downward. An 8.x server on a directory from a newer series refuses with "[ERROR] [MY-013171] [InnoDB]
 *   Cannot boot server version 80026 on data directory built by version 80400. Downgrade is not supported" (MySQL's
 *   manual quotes this line, https://dev.mysql.com/doc/refman/8.0/en/downgrading.html; Percona's "MySQL 8 minor
 *   version upgrades are one-way only"; Kubeflow users in kubeflow/katib#1939; elabftw/elabftw#4610 with 8.0.34 on 8.1
 *   data). A 5.x server on newer files fails in InnoDB's redo log check: "[ERROR] InnoDB: Unsupported redo log
 *   format. The redo log was created with MySQL 8.0.26. Please follow the instructions at
 *   http://dev.mysql.com/doc/refman/5.7/en/upgrading-downgrading.html" (5.7's storage/innobase/log/log0recv.cc;
 *   quoted in logs of 5.7 servers on newer files). 5.6 fails on newer files too, in its own words: the simulation
 *   uses 5.7's wording for it.
 * - One series at a time, upward. "Upgrade that skips versions is not supported" and 8.4 accepts only data last
 *   written by 8.0 (https://dev.mysql.com/doc/refman/8.4/en/upgrade-paths.html; 5.7:
 *   https://dev.mysql.com/doc/refman/5.7/en/upgrade-paths.html). 8.0 on a 5.6 directory: "[ERROR] [MY-013090]
 *   [InnoDB] Unsupported redo log format (v0). The redo log was created before MySQL 5.7.9" (the line 8.0 logs on
 *   5.6 data, in users' reports). 8.4 on data from before 8.0: "[ERROR] [MY-014060] [Server] Invalid MySQL server
 *   upgrade: Cannot upgrade from 50744 to 80400. Upgrade to next major version is only allowed from the last LTS
 *   release, which version 50744 is not." This is the check 8.4+ servers make on the version the data was last
 *   written by, as logged for 8.0.x → 9.x jumps. A real 8.4 on a 5.7 directory may stop earlier in InnoDB, e.g. on
 *   the 5.7 redo log (MY-012526 in docker-library/mysql#1029): either way it never starts.
 * - An empty directory is initialised by the image's entrypoint (`mysqld --initialize-insecure`), recorded as S.
 * - A directory with files but no record: 5.7 servers only write mysql_upgrade_info when mysql_upgrade ran, so real
 *   5.7 directories may lack it. The simulation cannot tell the series and lets the server start, recording it;
 *   the seed helpers (test/support/seed-volume.ts) record a series so that their volumes are checked.
 */
export function mysqlStartDecision(
  image: DataStoreImage & { kind: "mysql" },
  dir: MysqlDirState,
  heldBy: string | undefined,
): StartDecision {
  const { version, series } = image;
  if (version === undefined || series === undefined) {
    return {
      start: false,
      reason: "unknown-image",
      message:
        `simulated: cannot tell the MySQL series of ${image.image} (tag ${image.tag ?? "none"}); ` +
        `the data-store simulation knows ${MYSQL_SERIES.join(", ")}`,
    };
  }
  if (heldBy !== undefined) {
    return {
      start: false,
      reason: "innodb-lock",
      message:
        "[ERROR] [MY-012574] [InnoDB] Unable to lock ./ibdata1 error: 11 " +
        `(held by ${heldBy}; check that you do not already have another mysqld process using the same InnoDB data or log files)`,
    };
  }
  if (dir.kind === "empty") return { start: true, record: version, note: `initialised as MySQL ${version}` };
  if (dir.kind === "unrecorded") {
    return { start: true, record: version, note: `no ${MYSQL_UPGRADE_INFO_FILE}: taken as compatible` };
  }
  const builtBy = versionFromTag(dir.text.trim());
  const builtSeries = seriesOf(builtBy);
  if (builtBy === undefined || builtSeries === undefined) {
    return {
      start: false,
      reason: "unreadable-record",
      message: `simulated: ${MYSQL_UPGRADE_INFO_FILE} holds ${JSON.stringify(dir.text.trim().slice(0, 40))}, not a MySQL version the simulation knows`,
    };
  }
  const from = MYSQL_SERIES.indexOf(builtSeries);
  const to = MYSQL_SERIES.indexOf(series);
  if (to < from) {
    const message =
      to >= MYSQL_SERIES.indexOf("8.0")
        ? `[ERROR] [MY-013171] [InnoDB] Cannot boot server version ${versionId(version)} on data directory built by version ${versionId(builtBy)}. Downgrade is not supported`
        : `[ERROR] InnoDB: Unsupported redo log format. The redo log was created with MySQL ${builtBy}. Please follow the instructions at http://dev.mysql.com/doc/refman/${series}/en/upgrading-downgrading.html`;
    return { start: false, reason: "downgrade", message };
  }
  if (to - from > 1) {
    const message =
      builtSeries === "5.6"
        ? "[ERROR] [MY-013090] [InnoDB] Unsupported redo log format (v0). The redo log was created before MySQL 5.7.9"
        : `[ERROR] [MY-014060] [Server] Invalid MySQL server upgrade: Cannot upgrade from ${versionId(builtBy)} to ${versionId(version)}. Upgrade to next major version is only allowed from the last LTS release, which version ${versionId(builtBy)} is not.`;
    return { start: false, reason: "series-skip", message };
  }
  return {
    start: true,
    record: version,
    note:
      to === from
        ? `MySQL ${builtSeries} data, same series`
        : `upgraded MySQL ${builtSeries} data to ${series}`,
  };
}

/**
 * Whether a KFP API server of `image` starts on MySQL data whose simulated schema record holds `schema` (undefined:
 * no record). KFP 2.15+ migrates a legacy schema one way on start ("runLegacyUpgradeFlow" in
 * backend/src/apiserver/client_manager/client_manager.go, kubeflow/pipelines PR #12013; the website's
 * concepts/metadata.md says this migration cannot be rolled back), so an API server older than 2.15 never becomes
 * Ready on migrated data. A ≥2.15 server that starts records the migrated schema (`record`).
 *
 * The simulated API server does not wait for MySQL to be Ready: real ones crash-loop until MySQL answers and then
 * migrate, which only adds time, and keeping them independent keeps rollout timing simple. What it checks is the
 * schema recorded on the data, whoever wrote it.
 */
export function apiServerStartDecision(
  image: DataStoreImage & { kind: "kfp-api-server" },
  schema: string | undefined,
): StartDecision {
  const { version } = image;
  if (version === undefined) {
    return {
      start: false,
      reason: "unknown-image",
      message: `simulated: cannot tell the KFP version of ${image.image} (tag ${image.tag ?? "none"})`,
    };
  }
  const migrates = compareVersions(version, KFP_ONE_WAY_SCHEMA) >= 0;
  const recorded = schema?.trim();
  if (recorded !== undefined && recorded !== "" && !migrates && compareVersions(version, recorded) < 0) {
    return {
      start: false,
      reason: "schema-newer",
      message:
        `simulated: KFP API server ${version} cannot run on a database migrated by KFP ${recorded}: ` +
        `the ${KFP_ONE_WAY_SCHEMA} schema migration is one-way (kubeflow/pipelines PR #12013)`,
    };
  }
  if (!migrates) return { start: true, record: undefined, note: `KFP ${version}, legacy schema` };
  return { start: true, record: KFP_ONE_WAY_SCHEMA, note: `KFP ${version}, migrated schema` };
}

/** Milliseconds of a Go duration ("500ms", "3s", "1m30s"); undefined when it is not one. */
export function parseGoDuration(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const units: Record<string, number> = {
    ns: 1e-6,
    us: 1e-3,
    µs: 1e-3,
    ms: 1,
    s: 1000,
    m: 60_000,
    h: 3_600_000,
  };
  const parts = [...text.trim().matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text.trim()) return undefined;
  return parts.reduce((sum, p) => sum + Number(p[1]) * (units[p[2] ?? ""] ?? 0), 0);
}

import { describe, expect, it } from "vitest";
import type { DataWriter } from "../../../src/model/data-writer.js";
import { dataVersionRules } from "../../../src/plan/data-version-rules.js";
import type { DataOnVolume } from "../../../src/plan/storage-steps.js";

const MYSQL = "MySQL volume (mysql-pv-claim)";
const STORE = "object store volume (minio-pvc)";

function on(role: DataOnVolume["role"], writer: DataWriter): DataOnVolume {
  return { role, label: role === "mysql" ? MYSQL : STORE, volume: `kfp-${role}`, writer };
}

const w = (kfpVersion: string, mysqlSeries: string, objectStore: DataWriter["objectStore"] = "minio") => ({
  kfpVersion,
  mysqlSeries,
  objectStore,
});

describe("dataVersionRules", () => {
  const cases = [
    {
      name: "the same release",
      volumes: [on("mysql", w("2.14.4", "8.4")), on("objectStore", w("2.14.4", "8.4"))],
      release: { version: "2.14.4", mysqlSeries: "8.4" as const, objectStore: "minio" as const },
      accept: false,
      refusals: [],
      warnings: [],
      oneWay: [] as string[],
    },
    {
      name: "a newer release one MySQL series ahead: one-way",
      volumes: [on("mysql", w("2.5.0", "8.0"))],
      release: { version: "2.14.4", mysqlSeries: "8.4" as const, objectStore: "minio" as const },
      accept: false,
      refusals: [],
      warnings: [],
      oneWay: [`${MYSQL}: MySQL 8.0 → 8.4 upgrades the data directory`],
    },
    {
      name: "an older release (reinstall --tag older than the data)",
      volumes: [on("mysql", w("2.14.4", "8.4"))],
      release: { version: "2.5.0", mysqlSeries: "8.0" as const, objectStore: "minio" as const },
      accept: false,
      refusals: [
        `${MYSQL}: PV kfp-mysql holds data last written by KFP 2.14.4 (MySQL 8.4, MinIO); KFP 2.5.0 is older and cannot run on it (KFP has no down-migration, kubeflow/pipelines#3636): use --tag 2.14.4 or newer`,
      ],
      warnings: [],
      oneWay: [] as string[],
    },
    {
      name: "more than one MySQL series ahead",
      volumes: [on("mysql", w("1.8.5", "5.7"))],
      release: { version: "2.14.4", mysqlSeries: "8.4" as const, objectStore: "minio" as const },
      accept: false,
      refusals: [
        `${MYSQL}: PV kfp-mysql holds data last written by KFP 1.8.5 (MySQL 5.7, MinIO); KFP 2.14.4 runs MySQL 8.4, more than one series ahead of 5.7 (MySQL upgrades one series at a time): install the release that wrote the data (--tag 1.8.5), then \`kfp-upgrade upgrade\` through MySQL 8.0`,
      ],
      warnings: [],
      oneWay: [] as string[],
    },
    {
      name: "crossing 2.15 without the flag",
      volumes: [on("mysql", w("2.14.4", "8.4"))],
      release: { version: "2.16.1", mysqlSeries: "8.4" as const, objectStore: "seaweedfs" as const },
      accept: false,
      refusals: [
        `${MYSQL}: PV kfp-mysql holds data last written by KFP 2.14.4 (MySQL 8.4, MinIO); KFP 2.16.1's API server migrates the database schema of KFP 2.14.4 on start, and that migration cannot be rolled back (kubeflow/pipelines#3636): back up MySQL first, then pass --accept-schema-migration (or install --tag 2.14.4 and \`kfp-upgrade upgrade\`)`,
      ],
      warnings: [],
      oneWay: [] as string[],
    },
    {
      name: "crossing 2.15 with --accept-schema-migration: a warning",
      volumes: [on("mysql", w("2.14.4", "8.4"))],
      release: { version: "2.16.1", mysqlSeries: "8.4" as const, objectStore: "seaweedfs" as const },
      accept: true,
      refusals: [],
      warnings: [
        `${MYSQL}: KFP 2.16.1's API server migrates the database schema of KFP 2.14.4 on start, and that migration cannot be rolled back (kubeflow/pipelines#3636): back up MySQL first (accepted with --accept-schema-migration)`,
      ],
      oneWay: [
        `${MYSQL}: KFP 2.16.1's API server runs the one-way 2.15 database schema migration on data of KFP 2.14.4`,
      ],
    },
    {
      name: "MinIO artifacts under a SeaweedFS release",
      volumes: [on("objectStore", w("2.15.0", "8.4", "minio"))],
      release: { version: "2.16.1", mysqlSeries: "8.4" as const, objectStore: "seaweedfs" as const },
      accept: true,
      refusals: [
        `${STORE}: PV kfp-objectStore holds data last written by KFP 2.15.0 (MySQL 8.4, MinIO); KFP 2.16.1 serves artifacts from SeaweedFS, which cannot read MinIO's data: install a release that runs MinIO (≤2.14, or 2.15 with --variant minio)`,
      ],
      warnings: [],
      oneWay: [] as string[],
    },
  ];
  it.each(cases)("$name", ({ volumes, release, accept, refusals, warnings, oneWay }) => {
    expect(dataVersionRules(volumes, release, { acceptSchemaMigration: accept })).toEqual({
      refusals,
      warnings,
      oneWay,
    });
  });
});

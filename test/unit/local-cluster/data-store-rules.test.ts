import { describe, expect, it } from "vitest";
import {
  apiServerStartDecision,
  classifyImage,
  type DataStoreImage,
  type MysqlDirState,
  mysqlStartDecision,
  parseGoDuration,
  type StartDecision,
} from "../../../local-cluster/data-store-rules.js";

function mysql(image: string): DataStoreImage & { kind: "mysql" } {
  const classified = classifyImage(image);
  if (classified?.kind !== "mysql") throw new Error(`${image} is not a MySQL image`);
  return classified;
}

function apiServer(image: string): DataStoreImage & { kind: "kfp-api-server" } {
  const classified = classifyImage(image);
  if (classified?.kind !== "kfp-api-server") throw new Error(`${image} is not a KFP API server image`);
  return classified;
}

const recorded = (text: string): MysqlDirState => ({ kind: "recorded", text });

describe("classifyImage", () => {
  const cases: { name: string; image: string; expected: unknown }[] = [
    {
      name: "Docker Hub mysql:8.4 is MySQL 8.4 (8.4.0: the tag has no patch level)",
      image: "mysql:8.4",
      expected: { kind: "mysql", tag: "8.4", version: "8.4.0", series: "8.4" },
    },
    {
      name: "KFP's 8.0.26 mirror",
      image: "gcr.io/ml-pipeline/mysql:8.0.26",
      expected: { kind: "mysql", tag: "8.0.26", version: "8.0.26", series: "8.0" },
    },
    {
      name: "KFP 1.8.5's 5.7-debian",
      image: "gcr.io/ml-pipeline/mysql:5.7-debian",
      expected: { kind: "mysql", version: "5.7.0", series: "5.7" },
    },
    { name: "the 0.5.1 era's 5.6", image: "gcr.io/ml-pipeline/mysql:5.6", expected: { series: "5.6" } },
    {
      name: "a registry with a port and a digest",
      image: "localhost:5000/mysql:8.0.36@sha256:abc",
      expected: { kind: "mysql", series: "8.0" },
    },
    {
      name: "an unknown tag is MySQL of no known series",
      image: "mysql:latest",
      expected: { kind: "mysql", version: undefined, series: undefined },
    },
    {
      name: "a series the simulation does not know",
      image: "mysql:9.1",
      expected: { kind: "mysql", version: "9.1.0", series: undefined },
    },
    {
      name: "the 1.x API server",
      image: "gcr.io/ml-pipeline/api-server:1.8.5",
      expected: { kind: "kfp-api-server", version: "1.8.5" },
    },
    {
      name: "the 2.x API server",
      image: "ghcr.io/kubeflow/kfp-api-server:2.15.0",
      expected: { kind: "kfp-api-server", version: "2.15.0" },
    },
    { name: "mysqld-exporter is not MySQL", image: "prom/mysqld-exporter:v0.15.0", expected: undefined },
    {
      name: "a mysql path component that is not the last is not MySQL",
      image: "mysql/proxy:1",
      expected: undefined,
    },
    {
      name: "the API server's other images are not it",
      image: "gcr.io/ml-pipeline/frontend:1.8.5",
      expected: undefined,
    },
    { name: "a plain test image", image: "registry.invalid/e2e/main:1", expected: undefined },
  ];
  it.each(cases)("$name", ({ image, expected }) => {
    const classified = classifyImage(image);
    if (expected === undefined) expect(classified).toBeUndefined();
    else expect(classified).toMatchObject(expected as object);
  });
});

describe("mysqlStartDecision", () => {
  const cases: {
    name: string;
    image: string;
    dir: MysqlDirState;
    heldBy?: string;
    expected: Partial<StartDecision>;
  }[] = [
    {
      name: "an empty directory is initialised and recorded as the server's version",
      image: "mysql:8.4",
      dir: { kind: "empty" },
      expected: { start: true, record: "8.4.0" },
    },
    {
      name: "a directory without a record starts (its series cannot be told) and is recorded",
      image: "gcr.io/ml-pipeline/mysql:5.7-debian",
      dir: { kind: "unrecorded" },
      expected: { start: true, record: "5.7.0" },
    },
    {
      name: "same series, another patch release",
      image: "gcr.io/ml-pipeline/mysql:8.0.26",
      dir: recorded("8.0.36"),
      expected: { start: true, record: "8.0.26" },
    },
    {
      name: "one series up: 5.6 to 5.7",
      image: "gcr.io/ml-pipeline/mysql:5.7-debian",
      dir: recorded("5.6.0"),
      expected: { start: true, record: "5.7.0" },
    },
    {
      name: "one series up: 5.7 to 8.0 records 8.0",
      image: "gcr.io/ml-pipeline/mysql:8.0.26",
      dir: recorded("5.7.44\n"),
      expected: { start: true, record: "8.0.26" },
    },
    {
      name: "one series up: 8.0 to 8.4",
      image: "mysql:8.4",
      dir: recorded("8.0.26"),
      expected: { start: true, record: "8.4.0" },
    },
    {
      name: "8.0 on 8.4 data: InnoDB refuses the downgrade",
      image: "gcr.io/ml-pipeline/mysql:8.0.26",
      dir: recorded("8.4.0"),
      expected: {
        start: false,
        reason: "downgrade",
        message:
          "[ERROR] [MY-013171] [InnoDB] Cannot boot server version 80026 on data directory built by version 80400. Downgrade is not supported",
      },
    },
    {
      name: "5.7 on 8.0 data: the 5.7 InnoDB cannot read the redo log",
      image: "gcr.io/ml-pipeline/mysql:5.7-debian",
      dir: recorded("8.0.26"),
      expected: {
        start: false,
        reason: "downgrade",
        message:
          "[ERROR] InnoDB: Unsupported redo log format. The redo log was created with MySQL 8.0.26. Please follow the instructions at http://dev.mysql.com/doc/refman/5.7/en/upgrading-downgrading.html",
      },
    },
    {
      name: "5.6 on 5.7 data is a downgrade too",
      image: "gcr.io/ml-pipeline/mysql:5.6",
      dir: recorded("5.7.0"),
      expected: { start: false, reason: "downgrade" },
    },
    {
      name: "8.4 on 5.7 data skips 8.0",
      image: "mysql:8.4",
      dir: recorded("5.7.44"),
      expected: {
        start: false,
        reason: "series-skip",
        message:
          "[ERROR] [MY-014060] [Server] Invalid MySQL server upgrade: Cannot upgrade from 50744 to 80400. Upgrade to next major version is only allowed from the last LTS release, which version 50744 is not.",
      },
    },
    {
      name: "8.0 on 5.6 data skips 5.7",
      image: "gcr.io/ml-pipeline/mysql:8.0.26",
      dir: recorded("5.6.0"),
      expected: {
        start: false,
        reason: "series-skip",
        message:
          "[ERROR] [MY-013090] [InnoDB] Unsupported redo log format (v0). The redo log was created before MySQL 5.7.9",
      },
    },
    {
      name: "8.4 on 5.6 data skips two series",
      image: "mysql:8.4",
      dir: recorded("5.6.51"),
      expected: { start: false, reason: "series-skip" },
    },
    {
      name: "a second server on a held directory fails on the InnoDB lock, whatever the versions",
      image: "mysql:8.4",
      dir: recorded("8.4.0"),
      heldBy: "kubeflow/mysql-old",
      expected: {
        start: false,
        reason: "innodb-lock",
        message: expect.stringMatching(
          /^\[ERROR\] \[MY-012574\] \[InnoDB\] Unable to lock \.\/ibdata1 error: 11 \(held by kubeflow\/mysql-old;/,
        ),
      },
    },
    {
      name: "an image of no known series is refused explicitly",
      image: "mysql:latest",
      dir: { kind: "empty" },
      expected: {
        start: false,
        reason: "unknown-image",
        message:
          "simulated: cannot tell the MySQL series of mysql:latest (tag latest); the data-store simulation knows 5.6, 5.7, 8.0, 8.4",
      },
    },
    {
      name: "a record that is not a version is refused explicitly",
      image: "mysql:8.4",
      dir: recorded("garbage"),
      expected: { start: false, reason: "unreadable-record" },
    },
  ];
  it.each(cases)("$name", ({ image, dir, heldBy, expected }) => {
    expect(mysqlStartDecision(mysql(image), dir, heldBy)).toMatchObject(expected);
  });
});

describe("apiServerStartDecision", () => {
  const cases: {
    name: string;
    image: string;
    schema: string | undefined;
    expected: Partial<StartDecision>;
  }[] = [
    {
      name: "2.14.4 on a legacy schema starts and records nothing",
      image: "ghcr.io/kubeflow/kfp-api-server:2.14.4",
      schema: undefined,
      expected: { start: true, record: undefined },
    },
    {
      name: "2.14.4 on the schema 2.15 migrated never starts",
      image: "ghcr.io/kubeflow/kfp-api-server:2.14.4",
      schema: "2.15.0",
      expected: {
        start: false,
        reason: "schema-newer",
        message:
          "simulated: KFP API server 2.14.4 cannot run on a database migrated by KFP 2.15.0: the 2.15.0 schema migration is one-way (kubeflow/pipelines PR #12013)",
      },
    },
    {
      name: "1.8.5 on the migrated schema never starts either",
      image: "gcr.io/ml-pipeline/api-server:1.8.5",
      schema: "2.15.0\n",
      expected: { start: false, reason: "schema-newer" },
    },
    {
      name: "2.15.0 migrates a legacy schema and records it",
      image: "ghcr.io/kubeflow/kfp-api-server:2.15.0",
      schema: undefined,
      expected: { start: true, record: "2.15.0" },
    },
    {
      name: "2.16.1 on the migrated schema starts",
      image: "ghcr.io/kubeflow/kfp-api-server:2.16.1",
      schema: "2.15.0",
      expected: { start: true, record: "2.15.0" },
    },
    {
      name: "an API server of no known version is refused explicitly",
      image: "ghcr.io/kubeflow/kfp-api-server:latest",
      schema: undefined,
      expected: { start: false, reason: "unknown-image" },
    },
  ];
  it.each(cases)("$name", ({ image, schema, expected }) => {
    expect(apiServerStartDecision(apiServer(image), schema)).toMatchObject(expected);
  });
});

describe("parseGoDuration", () => {
  const cases: { name: string; text: string | undefined; ms: number | undefined }[] = [
    { name: "seconds", text: "3s", ms: 3000 },
    { name: "milliseconds", text: "500ms", ms: 500 },
    { name: "minutes and seconds", text: "1m30s", ms: 90_000 },
    { name: "fractions", text: "1.5s", ms: 1500 },
    { name: "no annotation", text: undefined, ms: undefined },
    { name: "not a duration", text: "soon", ms: undefined },
    { name: "trailing garbage", text: "3s later", ms: undefined },
  ];
  it.each(cases)("$name", ({ text, ms }) => {
    expect(parseGoDuration(text)).toBe(ms);
  });
});

import { createCipheriv, createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { MYSQL_UPGRADE_INFO_FILE } from "../../local-cluster/data-store-rules.js";

export interface SeedOptions {
  /** Changes every byte written; two volumes seeded with different seeds have different fingerprints. */
  seed?: string;
}

export interface MysqlSeedOptions extends SeedOptions {
  /**
   * The MySQL version that last ran on the data, e.g. "8.0.26" (test/support/mysql-data.ts `mysqlVersionOf(kfp)`
   * gives a KFP release's): written to `mysql_upgrade_info` as MySQL does, so the data-store simulation checks that
   * every server started on the volume may run on it. Without it the volume has no record and any series starts.
   */
  mysqlVersion?: string;
}

export interface SeedResult {
  root: string;
  files: number;
  bytes: number;
}

const KiB = 1024;

/** Deterministic pseudo-random bytes for (seed, path): AES-256-CTR keystream keyed by their hash. */
function bytesFor(seed: string, path: string, size: number): Buffer {
  const key = createHash("sha256").update(`${seed}\0${path}`).digest();
  const cipher = createCipheriv("aes-256-ctr", key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(size)), cipher.final()]);
}

type Content = number | string;

async function writeTree(root: string, files: Record<string, Content>, seed: string): Promise<SeedResult> {
  let bytes = 0;
  for (const [path, content] of Object.entries(files)) {
    const data = typeof content === "number" ? bytesFor(seed, path, content) : Buffer.from(content);
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), data);
    bytes += data.length;
  }
  return { root, files: Object.keys(files).length, bytes };
}

function uuidFor(seed: string, name: string): string {
  const hex = createHash("sha256").update(`${seed}\0${name}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const MLPIPELINE_TABLES = [
  "db_statuses",
  "default_experiments",
  "experiments",
  "jobs",
  "pipeline_versions",
  "pipelines",
  "resource_references",
  "run_details",
  "run_metrics",
  "tasks",
];

const METADB_TABLES = [
  "Artifact",
  "ArtifactProperty",
  "Association",
  "Attribution",
  "Context",
  "ContextProperty",
  "Event",
  "EventPath",
  "Execution",
  "ExecutionProperty",
  "MLMDEnv",
  "ParentContext",
  "ParentType",
  "Type",
  "TypeProperty",
];

/**
 * A MySQL 8-like datadir (~5 MB): ibdata1, redo logs, undo tablespaces, the mysql system schema and the
 * KFP databases mlpipeline, metadb and cachedb with one .ibd per table. Deterministic for a given seed.
 */
export async function seedMysqlVolume(root: string, options: MysqlSeedOptions = {}): Promise<SeedResult> {
  const seed = options.seed ?? "kfp-mysql";
  const files: Record<string, Content> = {
    "auto.cnf": `[auto]\nserver-uuid=${uuidFor(seed, "server")}\n`,
    ibdata1: 1024 * KiB,
    ib_logfile0: 512 * KiB,
    ib_logfile1: 512 * KiB,
    "#innodb_redo/#ib_redo10": 256 * KiB,
    ib_buffer_pool: "0,1\n0,2\n0,3\n",
    "mysql.ibd": 512 * KiB,
    undo_001: 256 * KiB,
    undo_002: 256 * KiB,
    "mysql/general_log.CSM": 35,
    "mysql/general_log.CSV": "",
    "mysql/slow_log.CSM": 35,
    "mysql/slow_log.CSV": "",
    "performance_schema/accounts_144.sdi": 4 * KiB,
    "sys/sys_config.ibd": 112 * KiB,
    "cachedb/execution_caches.ibd": 128 * KiB,
  };
  for (const table of MLPIPELINE_TABLES) files[`mlpipeline/${table}.ibd`] = 96 * KiB;
  for (const table of METADB_TABLES) files[`metadb/${table}.ibd`] = 48 * KiB;
  if (options.mysqlVersion !== undefined) files[MYSQL_UPGRADE_INFO_FILE] = options.mysqlVersion;
  return writeTree(root, files, seed);
}

/**
 * A Minio (FS mode, as KFP's minio with `subPath: minio` lays it out) tree: `minio/.minio.sys/...` metadata and
 * `minio/mlpipeline/{artifacts,pipelines}/...` objects, ~1 MB. Deterministic for a given seed.
 */
export async function seedMinioVolume(root: string, options: SeedOptions = {}): Promise<SeedResult> {
  const seed = options.seed ?? "kfp-minio";
  const files: Record<string, Content> = {
    "minio/.minio.sys/format.json": `{"version":"1","format":"fs","id":"${uuidFor(seed, "fs")}","fs":{"version":"2"}}`,
    "minio/.minio.sys/config/config.json": '{"version":"33","region":"us-east-1"}\n',
    "minio/.minio.sys/buckets/mlpipeline/.metadata.bin": 512,
  };
  for (let run = 0; run < 3; run++) {
    const runId = uuidFor(seed, `run-${run}`);
    for (const [step, artifact, size] of [
      ["train", "model.tgz", 192 * KiB],
      ["evaluate", "metrics.tgz", 16 * KiB],
      ["preprocess", "main.log", 48 * KiB],
    ] as const) {
      const object = `artifacts/${runId}/${step}-${run}/${artifact}`;
      files[`minio/mlpipeline/${object}`] = size;
      files[`minio/.minio.sys/buckets/mlpipeline/${object}/fs.json`] =
        `{"version":"1.0.2","meta":{"etag":"${uuidFor(seed, object).replaceAll("-", "")}"}}`;
    }
  }
  for (let pipeline = 0; pipeline < 2; pipeline++) {
    files[`minio/mlpipeline/pipelines/${uuidFor(seed, `pipeline-${pipeline}`)}`] =
      `pipelineInfo:\n  name: pipeline-${pipeline}\nschemaVersion: 2.1.0\nsdkVersion: kfp-2.7.0\n`;
  }
  return writeTree(root, files, seed);
}

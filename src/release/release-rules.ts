import { UsageError } from "../errors.js";
import { compareVersions, inRange } from "./compare-versions.js";
import type { Release } from "./release.js";
import type { MysqlSeries, ObjectStore, ReleaseInfo } from "./release-info.js";

export type Variant = Release["variant"];
export type Era = ReleaseInfo["era"];

/** The KFP-built images moved from `gcr.io/ml-pipeline/<n>` to `ghcr.io/kubeflow/kfp-<n>` in 2.4.0 (PR #11526). */
export const GHCR_SINCE = "2.4.0";
/** The first tag with `manifests/kustomize`; before it KFP shipped as the ksonnet `kubeflow/pipeline` package. */
export const KUSTOMIZE_SINCE = "0.1.26";
/** 2.15.0 replaced MinIO with SeaweedFS and moved the API server to GORM v2 with a one-way schema migration. */
export const SEAWEEDFS_SINCE = "2.15.0";
/**
 * KFP 2.18's UI signing-key Secret: shipped without data, filled once by the `ml-pipeline-ui-signing-key-init` Job,
 * read by every UI replica. KFP's guide: preserve it, never prune or force-recreate it, back it up
 * (kubeflow/pipelines docs/operator-guides/upgrade-2.18.md, manifests/kustomize/base/pipeline/ui-signing-key).
 */
export const UI_SIGNING_KEY_SECRET = "ml-pipeline-ui-tensorboard-proxy";

/** One release whose API server changes stored data one way at its first start; no older API server may follow it. */
export interface OneWayApiMigration {
  /** The first release that runs it; a hop from below `since` to `since` or later crosses it. */
  since: string;
  /** What the new API server does to the data, in words for the plan. */
  what: string;
  /** Log lines of the new API server that report the migration's progress, shown while it is waited for. */
  progressLog?: RegExp;
  /** What KFP's own guide says to back up before the hop, named in the plan's back-up advice. */
  backup: readonly string[];
  /** Whether KFP asks that Argo Workflows of the install have finished before the hardened API server starts. */
  drainWorkflows: boolean;
  /** Where the rule comes from. */
  source: string;
}

/**
 * Releases whose API server runs a one-way migration of stored data on its first start, which an older API server
 * (or ScheduledWorkflow controller) writing at the same time could undo or break. A hop into one of them stops the
 * old API server and ScheduledWorkflow controller before the new ones start, and nothing rolls back across it.
 */
export const ONE_WAY_API_MIGRATIONS: readonly OneWayApiMigration[] = [
  {
    since: SEAWEEDFS_SINCE,
    what: "the legacy-schema migration to GORM v2 (column lengths checked first, the tables converted once)",
    backup: ["the MySQL database"],
    drainWorkflows: false,
    source:
      "backend/src/apiserver/validation/length.go at 2.15.0; kubeflow/pipelines#3636 (no down-migration)",
  },
  {
    since: "2.18.0",
    what: "the recurring-run adoption (`recurring_run_adoption id=legacy-2.18`): schedules get API-owned scheduling state, and an old API server can overwrite stored schedule inputs",
    progressLog: /recurring_run_(adoption|migration)\b/,
    backup: ["the MySQL database", `the UI signing-key Secret ${UI_SIGNING_KEY_SECRET}`],
    drainWorkflows: true,
    source:
      "kubeflow/pipelines docs/operator-guides/upgrade-2.18.md (Plan the multi-user rollout, Prepare the UI signing key) and scheduled-service-accounts.md (Upgrade and revocation, Inventory); the drain and the adoption log line from issue 16's summary of the release notes, not verified against upstream",
  },
];

/** The newest one-way API migration a hop from an API server at `from` (null: unknown) to `to` runs, if any. */
export function oneWayApiMigrationCrossed(from: string | null, to: string): string | undefined {
  return oneWayApiMigrationsCrossed(from, to).at(-1)?.since;
}

/** Every one-way API migration between an API server at `from` (null: unknown) and `to`, oldest first. */
export function oneWayApiMigrationsCrossed(from: string | null, to: string): OneWayApiMigration[] {
  return ONE_WAY_API_MIGRATIONS.filter(
    (m) => compareVersions(to, m.since) >= 0 && (from === null || compareVersions(from, m.since) < 0),
  );
}

/** The one-way API migration that starts at `since`. */
export function oneWayApiMigration(since: string): OneWayApiMigration | undefined {
  return ONE_WAY_API_MIGRATIONS.find((m) => m.since === since);
}

/** Only the 2.15 line ships `env/platform-agnostic-minio`; 2.16 dropped it. */
const MINIO_VARIANT = { since: "2.15.0", before: "2.16.0" };

/** MySQL image series by KFP version (`third-party/mysql`, earlier `env/<env>/mysql` and ksonnet `mysql.libsonnet`). */
const MYSQL_SERIES_RANGES: readonly { series: MysqlSeries; before?: string }[] = [
  { series: "5.6", before: "1.5.0" },
  { series: "5.7", before: "2.0.0" },
  { series: "8.0", before: "2.14.0" },
  { series: "8.4" },
];

/**
 * The object-store PVC by version. The ksonnet package called it `minio-pv-claim` until kubeflow/kubeflow#2425
 * (Feb 2019, shipped with 0.1.9) renamed it `minio-pvc`. kfctl 0.7–1.0 installs also used `minio-pv-claim`, but that
 * is a property of the distribution, not of the KFP version, so the cluster snapshot has to tell.
 */
const MINIO_CLAIM_RANGES: readonly { claim: string; before?: string }[] = [
  { claim: "minio-pv-claim", before: "0.1.9" },
  { claim: "minio-pvc" },
];

export const MYSQL_CLAIM = "mysql-pv-claim";
export const SEAWEEDFS_CLAIM = "seaweedfs-pvc";

export function registryFor(version: string): string {
  return compareVersions(version, GHCR_SINCE) >= 0 ? "ghcr.io/kubeflow" : "gcr.io/ml-pipeline";
}

export function eraFor(version: string): Era {
  return compareVersions(version, KUSTOMIZE_SINCE) >= 0 ? "kustomize" : "ksonnet";
}

export function mysqlSeriesFor(version: string): MysqlSeries {
  const range = MYSQL_SERIES_RANGES.find((r) => inRange(version, { before: r.before }));
  return range?.series ?? "8.4";
}

export function hasMinioVariant(version: string): boolean {
  return inRange(version, MINIO_VARIANT);
}

/** Throws when the MinIO variant was asked for a version whose manifests never offered it. */
export function objectStoreFor(version: string, variant: Variant = "default"): ObjectStore {
  const seaweedfsByDefault = compareVersions(version, SEAWEEDFS_SINCE) >= 0;
  if (variant === "minio" && seaweedfsByDefault && !hasMinioVariant(version)) {
    throw new UsageError("VARIANT_UNAVAILABLE", `KFP ${version} has no MinIO variant`, {
      hint: "Only the 2.15 line ships env/platform-agnostic-minio; use 2.15.x to stay on MinIO, or the default SeaweedFS variant",
    });
  }
  return seaweedfsByDefault && variant === "default" ? "seaweedfs" : "minio";
}

export function dataClaimsFor(version: string, variant: Variant = "default"): ReleaseInfo["dataClaims"] {
  const objectStore =
    objectStoreFor(version, variant) === "seaweedfs"
      ? SEAWEEDFS_CLAIM
      : (MINIO_CLAIM_RANGES.find((r) => inRange(version, { before: r.before }))?.claim ?? "minio-pvc");
  return { mysql: MYSQL_CLAIM, objectStore };
}

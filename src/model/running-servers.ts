import { z } from "zod";

/** The MySQL series KFP has shipped, oldest first; a data directory moves forward one of them at a time. */
export const MYSQL_SERIES = ["5.6", "5.7", "8.0", "8.4"] as const;
export const mysqlSeriesSchema = z.enum(MYSQL_SERIES);
export type MysqlSeries = z.infer<typeof mysqlSeriesSchema>;

/** The Deployment that runs MySQL on `mysql-pv-claim` in every KFP release. */
export const MYSQL_DEPLOYMENT = "mysql";
/** The Deployment that runs the KFP API server, which migrates the database schema on start. */
export const API_SERVER_DEPLOYMENT = "ml-pipeline";

/**
 * What runs on the data right now, read from the Deployments (never from the catalogue): the `mysql` image and the
 * MySQL series its tag names, and the API server image with its version.
 */
export const runningServersSchema = z.object({
  mysql: z
    .object({
      image: z.string(),
      /** null: the tag names no series KFP used (`mysql:latest`, a digest only). */
      series: mysqlSeriesSchema.nullable(),
    })
    .nullable(),
  apiServer: z.object({ image: z.string(), version: z.string().nullable() }).nullable(),
});
export type RunningServers = z.infer<typeof runningServersSchema>;

/** `registry:5000/repo/name:tag@sha256:…` → `tag`; null without a tag. */
function tagOf(image: string): string | null {
  const withoutDigest = image.split("@")[0] ?? "";
  const lastSlash = withoutDigest.lastIndexOf("/");
  const lastColon = withoutDigest.lastIndexOf(":");
  return lastColon > lastSlash ? withoutDigest.slice(lastColon + 1) || null : null;
}

/** `gcr.io/ml-pipeline/mysql:5.7-debian` → 5.7, `mysql:8.0.26` → 8.0, `mysql:8.4` → 8.4; null for `mysql:8`, `latest`. */
export function mysqlSeriesOfImage(image: string): MysqlSeries | null {
  const match = /^(\d+\.\d+)(?:$|[.-])/.exec(tagOf(image) ?? "");
  return MYSQL_SERIES.find((series) => series === match?.[1]) ?? null;
}

interface DeploymentLike {
  name: string;
  containers: { name: string; image: string }[];
}

/** Reads the running servers from a namespace's Deployments (as the snapshot records them). */
export function runningServers(deployments: readonly DeploymentLike[]): RunningServers {
  const mysql = deployments.find((d) => d.name === MYSQL_DEPLOYMENT);
  const mysqlContainer =
    mysql?.containers.find((c) => c.name === "mysql") ??
    mysql?.containers.find((c) => /(^|\/)mysql[:@]/.test(c.image)) ??
    mysql?.containers[0];
  const api = deployments.find((d) => d.name === API_SERVER_DEPLOYMENT);
  const apiContainer =
    api?.containers.find((c) => c.name === "ml-pipeline-api-server") ??
    api?.containers.find((c) => /api-server/.test(c.image)) ??
    api?.containers[0];
  return {
    mysql: mysqlContainer
      ? { image: mysqlContainer.image, series: mysqlSeriesOfImage(mysqlContainer.image) }
      : null,
    apiServer: apiContainer
      ? { image: apiContainer.image, version: tagOf(apiContainer.image)?.replace(/^v(?=\d)/, "") ?? null }
      : null,
  };
}

import { z } from "zod";

import { mysqlSeriesSchema } from "../model/running-servers.js";

export { MYSQL_SERIES, type MysqlSeries, mysqlSeriesSchema } from "../model/running-servers.js";

export const objectStoreSchema = z.enum(["minio", "seaweedfs"]);
export type ObjectStore = z.infer<typeof objectStoreSchema>;

/** One KFP Deployment and the container whose image carries the KFP version. */
export const componentSchema = z.object({
  deployment: z.string(),
  container: z.string(),
  /** Image repository without tag, e.g. `ghcr.io/kubeflow/kfp-api-server`. */
  image: z.string(),
  /** true when the image tag equals the KFP version (KFP-built images); false for mysql, minio, argo, mlmd. */
  versioned: z.boolean(),
});
export type Component = z.infer<typeof componentSchema>;

/** What the catalogue knows about one KFP backend release, with or without a manifests bundle. */
export const releaseInfoSchema = z.object({
  version: z.string(),
  /** `gcr.io/ml-pipeline` up to 2.3.x, `ghcr.io/kubeflow` from 2.4.0. */
  registry: z.string(),
  components: z.array(componentSchema),
  objectStore: objectStoreSchema,
  mysqlSeries: mysqlSeriesSchema,
  dataClaims: z.object({ mysql: z.string(), objectStore: z.string() }),
  /** kubeflow/kubeflow `pipelines`-branch commit that `upgrade_kfp.sh` took for this version (0.1.x only). */
  kubeflowCommit: z.string().optional(),
  /** `ksonnet` releases have no kustomize bundle; they can only be reached by the images strategy. */
  era: z.enum(["ksonnet", "kustomize"]),
});
export type ReleaseInfo = z.infer<typeof releaseInfoSchema>;

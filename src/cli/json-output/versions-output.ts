import { z } from "zod";
import { mysqlSeriesSchema, objectStoreSchema } from "../../release/release-info.js";

const dataClaimsSchema = z.object({ mysql: z.string(), objectStore: z.string() });
const eraSchema = z.enum(["ksonnet", "kustomize"]);

/** `versions -o json`: the release catalogue, one entry per backend release. */
export const catalogueOutputSchema = z.array(
  z.object({
    version: z.string(),
    era: eraSchema,
    registry: z.string(),
    mysqlSeries: mysqlSeriesSchema,
    objectStore: objectStoreSchema,
    dataClaims: dataClaimsSchema,
    kubeflowCommit: z.string().optional(),
  }),
);

/** `versions --refresh -o json`: the backend releases upstream lists, with where their facts come from. */
export const refreshedOutputSchema = z.array(
  z.object({
    version: z.string(),
    facts: z.enum(["catalogue", "bundle"]),
    era: eraSchema,
    registry: z.string(),
    mysqlSeries: mysqlSeriesSchema,
    objectStore: objectStoreSchema,
    dataClaims: dataClaimsSchema,
  }),
);

/** `versions --path FROM TO -o json`: the hops an upgrade takes, and why. */
export const upgradePathOutputSchema = z.object({
  from: z.string(),
  to: z.string(),
  hops: z.array(
    z.object({
      from: z.string(),
      to: z.string(),
      mysqlSeries: z.object({ from: mysqlSeriesSchema, to: mysqlSeriesSchema }),
      objectStoreSwitch: z.boolean(),
      needsBundle: z.boolean(),
      hasBundle: z.boolean().nullable(),
      reason: z.string(),
    }),
  ),
  objectStoreSwitch: z.boolean(),
  schemaOneWay: z.boolean(),
});

/** `versions --manifests DIR -o json`: each bundle found there, loaded and validated. */
export const bundlesOutputSchema = z.array(
  z.object({
    version: z.string(),
    variant: z.enum(["default", "minio"]),
    dir: z.string(),
    ok: z.boolean(),
    objects: z.number().int().nonnegative(),
    registry: z.string().optional(),
    mysqlSeries: mysqlSeriesSchema.optional(),
    objectStore: objectStoreSchema.optional(),
    dataClaims: dataClaimsSchema.optional(),
    images: z.array(z.string()),
    warnings: z.array(z.string()),
    error: z.object({ code: z.string(), message: z.string(), details: z.array(z.string()) }).optional(),
  }),
);

/** Every form `kfp-upgrade versions -o json` prints (schema/versions.schema.json). */
export const versionsOutputSchema = z.union([
  catalogueOutputSchema,
  refreshedOutputSchema,
  upgradePathOutputSchema,
  bundlesOutputSchema,
]);

import { z } from "zod";

/** A private registry that mirrors the releases' images: `mirror.local:5000` or `registry.example.com/kfp`. */
export const imageRegistrySchema = z
  .string()
  .regex(
    /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?(\/[a-z0-9._-]+)*$/,
    "expected a registry such as mirror.local:5000 or registry.example.com/kfp (no scheme)",
  );

/** Where release source archives come from: kubeflow/pipelines or a mirror laid out like it. */
export const releaseArchiveSourceSchema = z.url({ protocol: /^https?$/ });

/**
 * Storage for one data volume. Mirrors the ksonnet params: `pvName` (mysqlPvName/minioPvName), `gcpDisk`
 * (mysqlPd/minioPd) or a StorageClass; none of them means the cluster's default StorageClass. As in the old
 * tooling a GCP disk wins over a PV name (the plan says so); a StorageClass together with either is a conflict.
 */
export const volumeStorageSchema = z
  .object({
    pvName: z.string().min(1).optional(),
    gcpDisk: z.string().min(1).optional(),
    storageClass: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((value, ctx) => {
    if (value.storageClass && (value.pvName || value.gcpDisk)) {
      ctx.addIssue({
        code: "custom",
        message: `storageClass "${value.storageClass}" conflicts with ${value.pvName ? `pvName "${value.pvName}"` : `gcpDisk "${value.gcpDisk}"`}: choose one`,
      });
    }
  });
export type VolumeStorage = z.infer<typeof volumeStorageSchema>;

export const platformSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("generic") }).strict(),
  z.object({ type: z.literal("gcp"), project: z.string().min(1), zone: z.string().min(1) }).strict(),
]);
export type Platform = z.infer<typeof platformSchema>;

export const releaseSourceSchema = z
  .object({
    /** Directory of release bundles (`<version>/*.yaml`), relative to the KFAPP directory. */
    manifests: z.string().min(1).optional(),
    /** `minio` picks the `<name>-minio.yaml` files of a bundle (KFP 2.15.0 keeps MinIO that way). */
    variant: z.enum(["default", "minio"]).default("default"),
    /**
     * The object store the user chose when crossing 2.15 (`--object-store`), saved on success: later upgrades keep
     * it (MinIO stays MinIO, or the upgrade is refused naming why) instead of switching silently.
     */
    objectStore: z.enum(["keep-minio", "seaweedfs"]).optional(),
    /**
     * Where releases without a bundle on disk are fetched from: kubeflow/pipelines on GitHub or a mirror laid out
     * like it (`<source>/archive/refs/tags/<tag>.tar.gz`).
     */
    source: releaseArchiveSourceSchema.optional(),
    /** A private registry mirroring every image of the releases: images become `<imageRegistry>/<path>:<tag>`. */
    imageRegistry: imageRegistrySchema.optional(),
  })
  .strict();
export type ReleaseSource = z.infer<typeof releaseSourceSchema>;

export const kfpAppSchema = z
  .object({
    apiVersion: z.literal("kfp-upgrade/v1"),
    kind: z.literal("KfpApp"),
    /** Namespace KFP lives in. */
    namespace: z.string().min(1).default("kubeflow"),
    /** kubeconfig context this app belongs to; runs against another context are refused. */
    context: z.string().min(1).optional(),
    /** Installed (or desired) KFP version, without `v`. */
    version: z.string().min(1).optional(),
    platform: platformSchema.default({ type: "generic" }),
    storage: z
      .object({
        mysql: volumeStorageSchema.default({}),
        objectStore: volumeStorageSchema.default({}),
      })
      .strict()
      .default({ mysql: {}, objectStore: {} }),
    release: releaseSourceSchema.default({ variant: "default" }),
  })
  .strict();
export type KfpApp = z.infer<typeof kfpAppSchema>;
export type KfpAppInput = z.input<typeof kfpAppSchema>;

export const DATA_VOLUMES = ["mysql", "objectStore"] as const;
export type DataVolume = (typeof DATA_VOLUMES)[number];

export function defaultApp(namespace = "kubeflow"): KfpApp {
  return kfpAppSchema.parse({ apiVersion: "kfp-upgrade/v1", kind: "KfpApp", namespace });
}

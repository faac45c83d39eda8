import { z } from "zod";
import { ConfigError } from "../errors.js";
import { formatYamlIssues } from "./format-yaml-issues.js";
import { parseYamlSource } from "./parse-yaml-source.js";

/** What kfp-upgrade needs from a Deployment Manager `gcp_config/storage-kubeflow.yaml` (kfp-facts §1.3). */
export interface GcpStorageConfig {
  /** `name` of the storage.jinja resource. */
  resourceName: string;
  zone: string | undefined;
  /** `undefined` while the file still holds kfctl's placeholder (`generate platform` never ran). */
  createPipelinePersistentStorage: boolean | undefined;
  /** The `usage` of each disk; storage.jinja names a disk `<DM deployment>-<usage>`. */
  diskUsages: string[];
  cloudSql: boolean;
}

const HINT = "Fix gcp_config/storage-kubeflow.yaml, or move it away and write kfp-app.yaml by hand";
const PLACEHOLDER = /^SET_/;

const storageConfigSchema = z.looseObject({
  resources: z
    .array(
      z.looseObject({
        name: z.string(),
        type: z.string(),
        properties: z
          .looseObject({
            zone: z.string().optional(),
            createPipelinePersistentStorage: z.union([z.boolean(), z.string()]).optional(),
            disks: z.array(z.looseObject({ usage: z.string() })).optional(),
            enable_cloudsql: z.union([z.boolean(), z.string()]).optional(),
          })
          .optional(),
      }),
    )
    .min(1),
});

export function parseGcpStorageConfig(source: string, fileName: string): GcpStorageConfig {
  const parsed = storageConfigSchema.safeParse(
    parseYamlSource(source, { fileName, code: "LEGACY_INVALID", hint: HINT }),
    { reportInput: true },
  );
  if (!parsed.success) {
    throw new ConfigError("LEGACY_INVALID", `${fileName} is not a Deployment Manager storage config`, {
      details: formatYamlIssues(parsed.error, { source, fileName }),
      hint: HINT,
    });
  }
  const resources = parsed.data.resources;
  const resource = resources.find((candidate) => candidate.type === "storage.jinja") ?? resources[0];
  const properties = resource?.properties ?? {};
  const create = properties.createPipelinePersistentStorage;
  return {
    resourceName: resource?.name ?? "",
    zone: properties.zone && !PLACEHOLDER.test(properties.zone) ? properties.zone : undefined,
    createPipelinePersistentStorage: typeof create === "boolean" ? create : undefined,
    diskUsages: (properties.disks ?? []).map((disk) => disk.usage),
    cloudSql: properties.enable_cloudsql === true,
  };
}

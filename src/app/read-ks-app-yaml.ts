import { z } from "zod";
import type { LegacyReader } from "./legacy-reader.js";
import { parseYamlSource } from "./parse-yaml-source.js";

export interface KsAppInfo {
  /** The environment to import: `default` (the one kfctl.sh and upgrade_kfp.sh applied), or the only one. */
  environment: string | undefined;
  otherEnvironments: string[];
  /** The environment's destination namespace. */
  namespace: string | undefined;
  /** `version` of the kubeflow/pipeline library: the kubeflow/kubeflow ref `ks pkg install` took. */
  packageRef: string | undefined;
}

const FILE_NAME = "ks_app/app.yaml";

const ksAppYamlSchema = z.looseObject({
  environments: z
    .record(
      z.string(),
      z
        .looseObject({ destination: z.looseObject({ namespace: z.string().optional() }).optional() })
        .nullish(),
    )
    .nullish(),
  libraries: z
    .record(
      z.string(),
      z.looseObject({ name: z.string().optional(), version: z.string().optional() }).nullish(),
    )
    .nullish(),
});

/** What kfp-upgrade needs from ks_app/app.yaml and ks_app/environments/; a missing or odd app.yaml yields nothing. */
export async function readKsAppYaml(reader: LegacyReader): Promise<KsAppInfo> {
  const source = await reader.read(FILE_NAME);
  const document =
    source === undefined
      ? {}
      : parseYamlSource(source, { fileName: FILE_NAME, code: "LEGACY_INVALID", hint: `Fix ${FILE_NAME}` });
  const parsed = ksAppYamlSchema.safeParse(document);
  const yaml = parsed.success ? parsed.data : {};
  const onDisk = await reader.directories("ks_app/environments");
  const environments = [...new Set([...Object.keys(yaml.environments ?? {}), ...onDisk])].sort();
  const environment = environments.includes("default")
    ? "default"
    : environments.length === 1
      ? environments[0]
      : undefined;
  const library = Object.entries(yaml.libraries ?? {}).find(
    ([key, value]) => key === "kubeflow/pipeline" || key === "pipeline" || value?.name === "pipeline",
  )?.[1];
  return {
    environment,
    otherEnvironments: environments.filter((name) => name !== environment),
    namespace: environment ? yaml.environments?.[environment]?.destination?.namespace : undefined,
    packageRef: library?.version,
  };
}

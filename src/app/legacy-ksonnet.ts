import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import {
  type DataVolume,
  type KfpApp,
  type KfpAppInput,
  kfpAppSchema,
  type VolumeStorage,
} from "./kfp-app.js";
import { parseEnvSh } from "./parse-env-sh.js";
import { type GcpStorageConfig, parseGcpStorageConfig } from "./parse-gcp-storage-config.js";
import {
  type JsonnetObject,
  type JsonnetValue,
  jsonnetField,
  parseJsonnetObjects,
} from "./parse-jsonnet-objects.js";
import { parseYamlSource } from "./parse-yaml-source.js";
import { readOptionalFile } from "./read-optional-file.js";
import { storagePrecedenceNotes } from "./storage-precedence-notes.js";

export const LEGACY_PARAMS_FILE = "ks_app/components/params.libsonnet";

export interface LegacyKsonnetImport {
  app: KfpApp;
  /** What was imported from where, and what needs the user's attention. */
  notes: string[];
  /** Files read, relative to the KFAPP directory. */
  files: string[];
  /** The `pipeline` component's literal params after the environment's overrides (`null` = explicitly unset). */
  params: Record<string, string | number | boolean | null>;
  /** The ks environment whose overrides were applied (`default`, the one kfctl.sh and upgrade_kfp.sh used). */
  environment: string | undefined;
  /** `version` of the kubeflow/pipeline package in ks_app/app.yaml: the kubeflow/kubeflow ref upgrade_kfp.sh took. */
  packageRef: string | undefined;
}

export interface LegacyKsonnetDetection {
  /** Absolute path of ks_app/components/params.libsonnet. */
  paramsFile: string;
  /** Whether it has a `pipeline` component; without one there is no KFP to import. */
  hasPipeline: boolean;
}

const COMPONENT = "pipeline";
const STORAGE_PARAMS = {
  mysqlPvName: ["mysql", "pvName"],
  mysqlPd: ["mysql", "gcpDisk"],
  minioPvName: ["objectStore", "pvName"],
  minioPd: ["objectStore", "gcpDisk"],
} as const;
const DM_DISKS = { "metadata-store": "mysql", "artifact-store": "objectStore" } as const;
const VERSION = /^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$/;

/** Is there a ksonnet KFAPP (kfctl.sh, Kubeflow 0.4-0.6) in `dir`? */
export async function detectLegacyKsonnet(dir: string): Promise<LegacyKsonnetDetection | undefined> {
  const paramsFile = path.join(dir, LEGACY_PARAMS_FILE);
  const source = await readOptionalFile(paramsFile);
  if (source === undefined) return undefined;
  return { paramsFile, hasPipeline: pipelineParams(source, LEGACY_PARAMS_FILE) !== undefined };
}

/**
 * Reads a ksonnet KFAPP without evaluating any jsonnet: the `pipeline` component's params, the `default`
 * environment's overrides, ks_app/app.yaml (namespace, package version), env.sh and gcp_config/storage-kubeflow.yaml
 * (project, zone, the Deployment Manager disks), and the vendored package's image tag. Undefined when `dir` holds no
 * ksonnet app with a pipeline component.
 */
export async function importLegacyKsonnet(dir: string): Promise<LegacyKsonnetImport | undefined> {
  const reader = new LegacyReader(dir);
  const componentSource = await reader.read(LEGACY_PARAMS_FILE);
  const component =
    componentSource === undefined ? undefined : pipelineParams(componentSource, LEGACY_PARAMS_FILE);
  if (!component) return undefined;

  const notes: string[] = [];
  const ksApp = await readKsAppYaml(reader);
  const params = new Map(
    component.fields.map((field) => [field.key, located(field.value, LEGACY_PARAMS_FILE)]),
  );
  if (ksApp.environment) {
    const envFile = `ks_app/environments/${ksApp.environment}/params.libsonnet`;
    const envSource = await reader.read(envFile);
    const override = envSource === undefined ? undefined : pipelineOverride(envSource, envFile);
    if (override && !override.plus) params.clear();
    for (const field of override?.object.fields ?? []) params.set(field.key, located(field.value, envFile));
    const overridden = override?.object.fields.map((field) => field.key) ?? [];
    if (overridden.length > 0) {
      notes.push(`environment "${ksApp.environment}" overrides ${overridden.join(", ")} (${envFile})`);
    }
  }
  if (ksApp.otherEnvironments.length > 0) {
    notes.push(
      `ks_app has environments ${ksApp.otherEnvironments.join(", ")} besides "${ksApp.environment}"; only "${ksApp.environment}" (the one kfctl.sh and upgrade_kfp.sh applied) was imported`,
    );
  }

  const literals: LegacyKsonnetImport["params"] = {};
  for (const [key, param] of params) {
    if (param.value.type === "expression" || param.value.type === "object" || param.value.type === "array") {
      if (key in STORAGE_PARAMS || key === "namespace" || key === "apiImage") {
        notes.push(
          `${key} in ${param.file} line ${param.value.line} is not a literal (${abbreviate(param.value)}) and was not imported; set it with \`kfp-upgrade params set ${key === "apiImage" ? "version" : key} VALUE\``,
        );
      }
      continue;
    }
    literals[key] = param.value.type === "null" ? null : param.value.value;
  }

  const envSh = parseEnvSh((await reader.read("env.sh")) ?? "");
  const gcpSource = await reader.read("gcp_config/storage-kubeflow.yaml");
  const gcp =
    gcpSource === undefined
      ? undefined
      : parseGcpStorageConfig(gcpSource, "gcp_config/storage-kubeflow.yaml");
  const isGcp =
    gcp !== undefined || envSh.PLATFORM === "gcp" || (await isDirectory(path.join(dir, "gcp_config")));

  const storage: Record<DataVolume, VolumeStorage> = { mysql: {}, objectStore: {} };
  for (const [param, [volume, field]] of Object.entries(STORAGE_PARAMS)) {
    const value = stringParam(literals[param]);
    if (value) storage[volume][field] = value;
  }
  for (const param of ["nfsPd", "nfsPvName"]) {
    const value = stringParam(literals[param]);
    if (value) {
      notes.push(
        `${param} "${value}" (the NFS variant) was not imported: kfp-upgrade manages mysql-pv-claim and minio-pvc; move the artifacts to a minio PV first`,
      );
    }
  }

  const namespace =
    stringParam(literals.namespace) ?? ksApp.namespace ?? stringParam(envSh.K8S_NAMESPACE) ?? "kubeflow";
  const version = await readVersion(reader, literals, notes);
  if (!version && ksApp.packageRef) {
    notes.push(
      `ks_app/app.yaml pins kubeflow/pipeline at ${ksApp.packageRef}, the ref upgrade_kfp.sh installed; \`kfp-upgrade versions\` maps such commits to KFP versions`,
    );
  }
  const platform = gcpPlatform(isGcp, envSh, gcp, notes);
  const app = kfpAppSchema.parse({
    apiVersion: "kfp-upgrade/v1",
    kind: "KfpApp",
    namespace,
    version,
    platform,
    storage,
  } satisfies KfpAppInput);

  notes.push(...storagePrecedenceNotes(app));
  if (gcp) notes.push(...gcpDiskNotes(gcp, envSh.DEPLOYMENT_NAME, app));
  notes.unshift(`Imported the legacy ksonnet KFAPP from ${reader.files.join(", ")}`);
  return {
    app,
    notes,
    files: reader.files,
    params: literals,
    environment: ksApp.environment,
    packageRef: ksApp.packageRef,
  };
}

interface LocatedValue {
  value: JsonnetValue;
  file: string;
}

function located(value: JsonnetValue, file: string): LocatedValue {
  return { value, file };
}

/** Reads files relative to the KFAPP directory and remembers which ones existed. */
class LegacyReader {
  readonly files: string[] = [];

  constructor(readonly dir: string) {}

  async read(relative: string): Promise<string | undefined> {
    const text = await readOptionalFile(path.join(this.dir, relative));
    if (text !== undefined) this.files.push(relative);
    return text;
  }
}

function pipelineParams(source: string, fileName: string): JsonnetObject | undefined {
  for (const object of parseJsonnetObjects(source, fileName)) {
    const components = jsonnetField(object, "components")?.value;
    const pipeline = components?.type === "object" ? jsonnetField(components, COMPONENT)?.value : undefined;
    if (pipeline?.type === "object") return pipeline;
  }
  return undefined;
}

function pipelineOverride(
  source: string,
  fileName: string,
): { object: JsonnetObject; plus: boolean } | undefined {
  for (const object of parseJsonnetObjects(source, fileName)) {
    const components = jsonnetField(object, "components")?.value;
    const pipeline = components?.type === "object" ? jsonnetField(components, COMPONENT) : undefined;
    if (pipeline?.value.type === "object") return { object: pipeline.value, plus: pipeline.plus };
  }
  return undefined;
}

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

interface KsAppInfo {
  environment: string | undefined;
  otherEnvironments: string[];
  namespace: string | undefined;
  packageRef: string | undefined;
}

async function readKsAppYaml(reader: LegacyReader): Promise<KsAppInfo> {
  const fileName = "ks_app/app.yaml";
  const source = await reader.read(fileName);
  const environmentsOnDisk = await listDirectories(path.join(reader.dir, "ks_app/environments"));
  const parsed = ksAppYamlSchema.safeParse(
    source === undefined
      ? {}
      : parseYamlSource(source, { fileName, code: "LEGACY_INVALID", hint: "Fix ks_app/app.yaml" }),
  );
  const yaml = parsed.success ? parsed.data : {};
  const environments = [...new Set([...Object.keys(yaml.environments ?? {}), ...environmentsOnDisk])].sort();
  const environment = environments.includes("default")
    ? "default"
    : environments.length === 1
      ? environments[0]
      : undefined;
  const library = Object.entries(yaml.libraries ?? {}).find(
    ([key, value]) => key === "kubeflow/pipeline" || value?.name === COMPONENT || key === COMPONENT,
  )?.[1];
  return {
    environment,
    otherEnvironments: environments.filter((name) => name !== environment),
    namespace: environment ? yaml.environments?.[environment]?.destination?.namespace : undefined,
    packageRef: library?.version,
  };
}

async function readVersion(
  reader: LegacyReader,
  params: LegacyKsonnetImport["params"],
  notes: string[],
): Promise<string | undefined> {
  const pinned = imageTag(stringParam(params.apiImage));
  if (pinned) {
    notes.push(
      `version ${pinned} from apiImage, which params.libsonnet pins (upgrade_kfp.sh would not have moved it); kfp-upgrade moves every image to the target release`,
    );
    return pinned;
  }
  for (const file of await vendoredPipelineLibs(reader.dir)) {
    const source = await reader.read(file);
    const tag = source === undefined ? undefined : vendoredApiImageTag(source, file);
    if (tag) {
      notes.push(`version ${tag} from the api-server image in ${file}`);
      return tag;
    }
  }
  notes.push(
    "the installed KFP version was not found in ks_app; set it with `kfp-upgrade params set version X.Y.Z`",
  );
  return undefined;
}

async function vendoredPipelineLibs(dir: string): Promise<string[]> {
  const vendor = "ks_app/vendor";
  const registries = await listDirectories(path.join(dir, vendor));
  const candidates: string[] = [];
  for (const registry of registries) {
    // ksonnet 0.12+ vendors pinned packages as `<name>@<version>`.
    for (const pkg of await listDirectories(path.join(dir, vendor, registry))) {
      if (pkg === COMPONENT || pkg.startsWith(`${COMPONENT}@`)) {
        candidates.push(`${vendor}/${registry}/${pkg}/pipeline.libsonnet`);
      }
    }
  }
  return candidates;
}

function vendoredApiImageTag(source: string, fileName: string): string | undefined {
  for (const object of parseJsonnetObjects(source, fileName)) {
    const params = jsonnetField(object, "params")?.value;
    const apiImage = params?.type === "object" ? jsonnetField(params, "apiImage")?.value : undefined;
    if (apiImage?.type === "string") return imageTag(apiImage.value);
  }
  return undefined;
}

function imageTag(image: string | undefined): string | undefined {
  const tag = image ? /:([^:/@]+)$/.exec(image)?.[1]?.replace(/^v(?=\d)/, "") : undefined;
  return tag && VERSION.test(tag) ? tag : undefined;
}

function gcpPlatform(
  isGcp: boolean,
  envSh: Record<string, string>,
  gcp: GcpStorageConfig | undefined,
  notes: string[],
): KfpAppInput["platform"] {
  if (!isGcp) return { type: "generic" };
  const project = stringParam(envSh.PROJECT);
  const zone = stringParam(envSh.ZONE) ?? gcp?.zone;
  if (project && zone) return { type: "gcp", project, zone };
  const missing = [project ? undefined : "project", zone ? undefined : "zone"].filter(Boolean).join(" and ");
  notes.push(
    `this is a GCP KFAPP but its ${missing} could not be found (env.sh PROJECT/ZONE); the platform stays generic until you run \`kfp-upgrade params set platform gcp/${project ?? "PROJECT"}/${zone ?? "ZONE"}\``,
  );
  return { type: "generic" };
}

function gcpDiskNotes(gcp: GcpStorageConfig, deploymentName: string | undefined, app: KfpApp): string[] {
  if (gcp.createPipelinePersistentStorage === undefined) {
    return [
      "gcp_config/storage-kubeflow.yaml still holds kfctl's placeholder for createPipelinePersistentStorage (`kfctl.sh generate platform` did not finish); no disks were created from it",
    ];
  }
  if (!gcp.createPipelinePersistentStorage) {
    return [
      "gcp_config/storage-kubeflow.yaml does not create the pipeline disks (createPipelinePersistentStorage: false): the disks named by mysqlPd/minioPd must already exist",
    ];
  }
  const dmDeployment = deploymentName ? `${deploymentName}-storage` : undefined;
  const notes: string[] = [];
  for (const usage of gcp.diskUsages) {
    const volume = usage in DM_DISKS ? DM_DISKS[usage as keyof typeof DM_DISKS] : undefined;
    if (!volume || !dmDeployment) continue;
    const disk = `${dmDeployment}-${usage}`;
    const configured = app.storage[volume].gcpDisk;
    if (configured !== disk) {
      notes.push(
        configured
          ? `storage.${volume}: the params use disk "${configured}", not "${disk}" that gcp_config/storage-kubeflow.yaml creates`
          : `storage.${volume}: gcp_config/storage-kubeflow.yaml creates disk "${disk}" but no ${volume === "mysql" ? "mysqlPd" : "minioPd"} param uses it`,
      );
    }
  }
  const owner = dmDeployment
    ? `Deployment Manager deployment "${dmDeployment}"`
    : "a Deployment Manager deployment";
  notes.push(
    `the pipeline disks belong to ${owner} (createPipelinePersistentStorage: true): deleting it, or updating it with createPipelinePersistentStorage: false, can delete the disks and the data on them`,
  );
  return notes;
}

function stringParam(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" && value !== "null" ? value : undefined;
}

function abbreviate(value: JsonnetValue): string {
  const text = value.type === "expression" ? value.text : value.type;
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

async function listDirectories(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

async function isDirectory(dir: string): Promise<boolean> {
  return (await stat(dir).catch(() => undefined))?.isDirectory() ?? false;
}

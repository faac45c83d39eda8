import path from "node:path";
import { findLegacyVersion } from "./find-legacy-version.js";
import { importLegacyGcp } from "./import-legacy-gcp.js";
import {
  type DataVolume,
  type KfpApp,
  type KfpAppInput,
  kfpAppSchema,
  type VolumeStorage,
} from "./kfp-app.js";
import { LegacyReader } from "./legacy-reader.js";
import { parseEnvSh } from "./parse-env-sh.js";
import {
  type JsonnetField,
  type JsonnetObject,
  type JsonnetValue,
  jsonnetField,
  parseJsonnetObjects,
} from "./parse-jsonnet-objects.js";
import { presentString } from "./present-string.js";
import { type KsAppInfo, readKsAppYaml } from "./read-ks-app-yaml.js";
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
/** The params kfp-upgrade imports; only these get a note when they are not literals. */
const IMPORTED_PARAMS = [...Object.keys(STORAGE_PARAMS), "namespace", "apiImage"];

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

  const ksApp = await readKsAppYaml(reader);
  const merged = await mergeEnvironment(reader, component, ksApp);
  const notes = [...merged.notes];
  const literals: LegacyKsonnetImport["params"] = {};
  for (const [key, param] of merged.params) {
    if (param.value.type === "expression" || param.value.type === "object" || param.value.type === "array") {
      if (IMPORTED_PARAMS.includes(key)) {
        notes.push(
          `${key} in ${param.file} line ${param.value.line} is not a literal (${abbreviate(param.value)}) and was not imported; set it with \`kfp-upgrade params set ${key === "apiImage" ? "version" : key} VALUE\``,
        );
      }
      continue;
    }
    literals[key] = param.value.type === "null" ? null : param.value.value;
  }

  const storage: Record<DataVolume, VolumeStorage> = { mysql: {}, objectStore: {} };
  for (const [param, [volume, field]] of Object.entries(STORAGE_PARAMS)) {
    const value = presentString(literals[param]);
    if (value) storage[volume][field] = value;
  }
  for (const param of ["nfsPd", "nfsPvName"]) {
    const value = presentString(literals[param]);
    if (value) {
      notes.push(
        `${param} "${value}" (the NFS variant) was not imported: kfp-upgrade manages mysql-pv-claim and minio-pvc; move the artifacts to a minio PV first`,
      );
    }
  }

  const envSh = parseEnvSh((await reader.read("env.sh")) ?? "");
  const gcp = await importLegacyGcp(reader, envSh, storage);
  const version = await findLegacyVersion(reader, presentString(literals.apiImage));
  notes.push(version.note);
  if (!version.version && ksApp.packageRef) {
    notes.push(
      `ks_app/app.yaml pins kubeflow/pipeline at ${ksApp.packageRef}, the ref upgrade_kfp.sh installed; \`kfp-upgrade versions\` maps such commits to KFP versions`,
    );
  }
  const app = kfpAppSchema.parse({
    apiVersion: "kfp-upgrade/v1",
    kind: "KfpApp",
    namespace:
      presentString(literals.namespace) ??
      ksApp.namespace ??
      presentString(envSh.K8S_NAMESPACE) ??
      "kubeflow",
    version: version.version,
    platform: gcp.platform,
    storage,
  } satisfies KfpAppInput);

  return {
    app,
    notes: [
      `Imported the legacy ksonnet KFAPP from ${reader.files.join(", ")}`,
      ...notes,
      ...storagePrecedenceNotes(app),
      ...gcp.notes,
    ],
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

/** The component's params with the chosen environment's overrides applied, as `ks show` would see them. */
async function mergeEnvironment(
  reader: LegacyReader,
  component: JsonnetObject,
  ksApp: KsAppInfo,
): Promise<{ params: Map<string, LocatedValue>; notes: string[] }> {
  const params = new Map<string, LocatedValue>(
    component.fields.map((field) => [field.key, { value: field.value, file: LEGACY_PARAMS_FILE }]),
  );
  const notes: string[] = [];
  if (ksApp.environment) {
    const envFile = `ks_app/environments/${ksApp.environment}/params.libsonnet`;
    const envSource = await reader.read(envFile);
    const override = envSource === undefined ? undefined : pipelineOverride(envSource, envFile);
    if (override && !override.plus) params.clear();
    for (const field of override?.object.fields ?? [])
      params.set(field.key, { value: field.value, file: envFile });
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
  return { params, notes };
}

function pipelineParams(source: string, fileName: string): JsonnetObject | undefined {
  const pipeline = pipelineField(source, fileName);
  return pipeline?.value.type === "object" ? pipeline.value : undefined;
}

function pipelineOverride(
  source: string,
  fileName: string,
): { object: JsonnetObject; plus: boolean } | undefined {
  const pipeline = pipelineField(source, fileName);
  return pipeline?.value.type === "object" ? { object: pipeline.value, plus: pipeline.plus } : undefined;
}

/** The `pipeline` field of the first `components` object in the file. */
function pipelineField(source: string, fileName: string): JsonnetField | undefined {
  for (const object of parseJsonnetObjects(source, fileName)) {
    const components = jsonnetField(object, "components")?.value;
    const pipeline = components?.type === "object" ? jsonnetField(components, COMPONENT) : undefined;
    if (pipeline?.value.type === "object") return pipeline;
  }
  return undefined;
}

function abbreviate(value: JsonnetValue): string {
  const text = value.type === "expression" ? value.text : value.type;
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

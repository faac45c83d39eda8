import { UsageError } from "../errors.js";
import { formatYamlIssues } from "./format-yaml-issues.js";
import { type KfpApp, kfpAppSchema } from "./kfp-app.js";

/**
 * Params are the `kfp-upgrade params set NAME VALUE` view of kfp-app.yaml. The storage names are the ones
 * `ks param set pipeline …` took, so the old instructions (`mysqlPd`, `minioPd`, …) still work.
 */
export const PARAM_NAMES = [
  "namespace",
  "context",
  "version",
  "mysqlPvName",
  "minioPvName",
  "mysqlPd",
  "minioPd",
  "mysqlStorageClass",
  "minioStorageClass",
  "platform",
  "project",
  "zone",
  "manifests",
  "variant",
  "objectStore",
] as const;
export type ParamName = (typeof PARAM_NAMES)[number];

export interface ParamValue {
  name: ParamName;
  /** The value as `params get` prints it; null when unset. */
  value: string | null;
  /** Where it lives in kfp-app.yaml. */
  path: string;
}

interface ParamDefinition {
  path: string;
  description: string;
  get(app: KfpApp): string | undefined;
  set(app: KfpApp, value: string): void;
  unset(app: KfpApp): void;
}

type Mutable = Record<string, unknown>;
const VERSION = /^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$/;

/** A param stored at a plain path in kfp-app.yaml; unset deletes it, so the schema default (if any) comes back. */
function field(
  path: string,
  description: string,
  normalise: (value: string) => string = (v) => v,
): ParamDefinition {
  const segments = path.split(".");
  const last = segments[segments.length - 1] ?? path;
  const parent = (app: KfpApp, create: boolean): Mutable | undefined => {
    let node: Mutable = app as unknown as Mutable;
    for (const segment of segments.slice(0, -1)) {
      const child = node[segment];
      if (typeof child === "object" && child !== null) node = child as Mutable;
      else if (create) node = node[segment] = {};
      else return undefined;
    }
    return node;
  };
  return {
    path,
    description,
    get: (app) => {
      const value = parent(app, false)?.[last];
      return typeof value === "string" ? value : undefined;
    },
    set: (app, value) => {
      const node = parent(app, true);
      if (node) node[last] = normalise(value);
    },
    unset: (app) => {
      const node = parent(app, false);
      if (node) delete node[last];
    },
  };
}

function gcpField(key: "project" | "zone", description: string): ParamDefinition {
  return {
    path: `platform.${key}`,
    description,
    get: (app) => (app.platform.type === "gcp" ? app.platform[key] : undefined),
    set: (app, value) => {
      if (app.platform.type !== "gcp") {
        // The schema needs both, so a generic app becomes gcp in one step that names both.
        const example = key === "project" ? `gcp/${value}/ZONE` : `gcp/PROJECT/${value}`;
        throw new UsageError(
          "PARAM_NEEDS_GCP",
          `${key} applies to the gcp platform, and this app's platform is generic`,
          {
            hint: `Set the platform with its project and zone at once: \`kfp-upgrade params set platform ${example}\``,
          },
        );
      }
      app.platform[key] = value;
    },
    unset: () => {
      throw new UsageError("PARAM_REQUIRED", `${key} is required while the platform is gcp`, {
        hint: "Run `kfp-upgrade params set platform generic` (or `params unset platform`) to leave GCP",
      });
    },
  };
}

const PARAMS: Record<ParamName, ParamDefinition> = {
  namespace: field("namespace", "Namespace KFP runs in (default kubeflow)"),
  context: field(
    "context",
    "kubeconfig context this app belongs to; runs against another context are refused",
  ),
  version: field("version", "Installed or desired KFP version, e.g. 2.14.3", normaliseVersion),
  mysqlPvName: field("storage.mysql.pvName", "Pre-created PV for mysql-pv-claim (ks: mysqlPvName)"),
  minioPvName: field(
    "storage.objectStore.pvName",
    "Pre-created PV for the object store claim (ks: minioPvName)",
  ),
  mysqlPd: field(
    "storage.mysql.gcpDisk",
    "GCE persistent disk for MySQL; wins over mysqlPvName (ks: mysqlPd)",
  ),
  minioPd: field(
    "storage.objectStore.gcpDisk",
    "GCE persistent disk for the object store; wins over minioPvName (ks: minioPd)",
  ),
  mysqlStorageClass: field("storage.mysql.storageClass", "StorageClass for a new MySQL volume"),
  minioStorageClass: field("storage.objectStore.storageClass", "StorageClass for a new object store volume"),
  platform: {
    path: "platform",
    description: "generic, or gcp/PROJECT/ZONE",
    get: (app) =>
      app.platform.type === "gcp" ? `gcp/${app.platform.project}/${app.platform.zone}` : "generic",
    set: (app, value) => {
      app.platform = parsePlatform(value);
    },
    unset: (app) => {
      app.platform = { type: "generic" };
    },
  },
  project: gcpField("project", "GCP project (platform gcp)"),
  zone: gcpField("zone", "GCP zone of the cluster and disks (platform gcp)"),
  manifests: field(
    "release.manifests",
    "Directory of release bundles (<version>/*.yaml), relative to the app directory",
  ),
  variant: field("release.variant", "Bundle variant: default, or minio (keep MinIO on KFP 2.15)"),
  objectStore: field(
    "release.objectStore",
    "Object store chosen when crossing 2.15: keep-minio or seaweedfs (saved by `upgrade --object-store`)",
  ),
};

/** The param called `name`, or the one stored at that kfp-app.yaml path (`storage.mysql.pvName`). */
export function resolveParamName(name: string): ParamName {
  const known = PARAM_NAMES.find((candidate) => candidate === name || PARAMS[candidate].path === name);
  if (known) return known;
  const close = PARAM_NAMES.find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  throw new UsageError(
    "PARAM_UNKNOWN",
    `unknown param "${name}"${close ? `; did you mean "${close}"?` : ""}`,
    {
      hint: `Known params: ${PARAM_NAMES.join(", ")}`,
    },
  );
}

export function getParam(app: KfpApp, name: string): string | undefined {
  return PARAMS[resolveParamName(name)].get(app);
}

/** A copy of `app` with the param set; refused (UsageError) when the result is not a valid app. */
export function setParam(app: KfpApp, name: string, value: string): KfpApp {
  const param = resolveParamName(name);
  if (value === "") {
    throw new UsageError("PARAM_EMPTY", `${param} cannot be set to an empty value`, {
      hint: `To clear it, run \`kfp-upgrade params unset ${param}\``,
    });
  }
  return change(app, param, (copy) => PARAMS[param].set(copy, value), `cannot set ${param} to "${value}"`);
}

/** A copy of `app` without the param (its default, if it has one). */
export function unsetParam(app: KfpApp, name: string): KfpApp {
  const param = resolveParamName(name);
  return change(app, param, (copy) => PARAMS[param].unset(copy), `cannot unset ${param}`);
}

export function listParams(app: KfpApp): ParamValue[] {
  return PARAM_NAMES.map((name) => ({ name, value: PARAMS[name].get(app) ?? null, path: PARAMS[name].path }));
}

export function describeParam(name: ParamName): string {
  return PARAMS[name].description;
}

function change(app: KfpApp, param: ParamName, mutate: (copy: KfpApp) => void, refusal: string): KfpApp {
  const copy = structuredClone(app);
  mutate(copy);
  const parsed = kfpAppSchema.safeParse(copy, { reportInput: true });
  if (parsed.success) return parsed.data;
  throw new UsageError("PARAM_INVALID", refusal, {
    details: formatYamlIssues(parsed.error, { source: "", fileName: "kfp-app.yaml", schema: kfpAppSchema }),
    hint: conflictHint(param) ?? `See \`kfp-upgrade params list\` for the current values`,
  });
}

function conflictHint(param: ParamName): string | undefined {
  const prefix = param.startsWith("mysql") ? "mysql" : param.startsWith("minio") ? "minio" : undefined;
  if (!prefix) return undefined;
  return param.endsWith("StorageClass")
    ? `A StorageClass provisions a new volume; unset ${prefix}PvName and ${prefix}Pd first (\`kfp-upgrade params unset ${prefix}PvName\`)`
    : `A PV or disk names an existing volume; unset ${prefix}StorageClass first (\`kfp-upgrade params unset ${prefix}StorageClass\`)`;
}

function normaliseVersion(value: string): string {
  // KFP tags have no `v` (kfp-facts §0.2); accept the habit, store the tag.
  const version = value.replace(/^v(?=\d)/, "");
  if (!VERSION.test(version)) {
    throw new UsageError("PARAM_INVALID", `version "${value}" is not a KFP version`, {
      hint: "Use a release version such as 1.8.5 or 2.14.3; `kfp-upgrade versions` lists them",
    });
  }
  return version;
}

function parsePlatform(value: string): KfpApp["platform"] {
  if (value === "generic") return { type: "generic" };
  const [type, project, zone, ...rest] = value.split("/");
  if (type === "gcp" && project && zone && rest.length === 0) return { type: "gcp", project, zone };
  throw new UsageError("PARAM_INVALID", `platform "${value}" is not generic or gcp/PROJECT/ZONE`, {
    hint: "For example: `kfp-upgrade params set platform gcp/my-project/us-east1-d`",
  });
}

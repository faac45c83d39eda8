import { stat } from "node:fs/promises";
import path from "node:path";
import { ConfigError } from "../errors.js";
import { APP_FILE_NAME, appPaths } from "./app-paths.js";
import { formatYamlIssues } from "./format-yaml-issues.js";
import { defaultApp, type KfpApp, kfpAppSchema } from "./kfp-app.js";
import { detectLegacyKsonnet, importLegacyKsonnet, LEGACY_PARAMS_FILE } from "./legacy-ksonnet.js";
import { parseYamlSource } from "./parse-yaml-source.js";
import { readOptionalFile } from "./read-optional-file.js";

export type AppSource = "kfp-app.yaml" | "legacy-ksonnet" | "none";

export interface LoadedApp {
  app: KfpApp;
  source: AppSource;
  /**
   * The file the app came from: `<dir>/kfp-app.yaml`, or `<dir>/ks_app/components/params.libsonnet` for a legacy
   * import. For `none`, the kfp-app.yaml that saveApp would write.
   */
  path: string;
  /** Things the user should know: what was imported, what wins over what, what to do next. */
  notes: string[];
}

/** The last note of a legacy import; a command that saves the import leaves it out. */
export const UNSAVED_IMPORT_NOTE = `Nothing is saved yet: check the values with \`kfp-upgrade params list\`; \`kfp-upgrade params set NAME VALUE\` saves them to ${APP_FILE_NAME}`;

const HINT = "Fix the fields listed above; `kfp-upgrade params list` shows the params and what they mean";

/**
 * The KFAPP in `dir`: kfp-app.yaml if it is there, else an import of a legacy ksonnet KFAPP (nothing is written),
 * else the defaults. A kfp-app.yaml that does not parse or validate is a ConfigError listing every problem with its
 * line.
 */
export async function loadApp(dir: string): Promise<LoadedApp> {
  const paths = appPaths(dir);
  const kind = await stat(paths.dir).then(
    (stats) => (stats.isDirectory() ? "directory" : "file"),
    () => "missing" as const,
  );
  if (kind === "file") {
    throw new ConfigError("APP_DIR_NOT_DIRECTORY", `${paths.dir} is not a directory`, {
      hint: "Pass the KFAPP directory with --app-dir",
    });
  }
  if (kind === "missing") {
    return {
      app: defaultApp(),
      source: "none",
      path: paths.appFile,
      notes: [`${paths.dir} does not exist yet; it is created when the app is saved`],
    };
  }

  const source = await readOptionalFile(paths.appFile);
  if (source !== undefined) {
    const legacy = await detectLegacyKsonnet(paths.dir);
    const notes = legacy?.hasPipeline
      ? [`${LEGACY_PARAMS_FILE} is also here; ${APP_FILE_NAME} is used and the ksonnet app is ignored`]
      : [];
    return { app: parseApp(source), source: "kfp-app.yaml", path: paths.appFile, notes };
  }

  const imported = await importLegacyKsonnet(paths.dir);
  if (imported) {
    return {
      app: imported.app,
      source: "legacy-ksonnet",
      path: path.join(paths.dir, LEGACY_PARAMS_FILE),
      notes: [...imported.notes, UNSAVED_IMPORT_NOTE],
    };
  }
  const legacy = await detectLegacyKsonnet(paths.dir);
  return {
    app: defaultApp(),
    source: "none",
    path: paths.appFile,
    notes: legacy
      ? [`${LEGACY_PARAMS_FILE} has no pipeline component; nothing to import, using the defaults`]
      : [],
  };
}

/** Parses and validates kfp-app.yaml text; every problem is reported at once, each with its line. */
export function parseApp(source: string, fileName = APP_FILE_NAME): KfpApp {
  const document = parseYamlSource(source, { fileName, code: "APP_INVALID", hint: HINT });
  if (document === undefined || document === null) {
    throw new ConfigError("APP_INVALID", `${fileName} is empty`, {
      hint: "Delete it to start from the defaults, or run `kfp-upgrade params set NAME VALUE`",
    });
  }
  const parsed = kfpAppSchema.safeParse(document, { reportInput: true });
  if (parsed.success) return parsed.data;
  const details = formatYamlIssues(parsed.error, { source, fileName, schema: kfpAppSchema });
  throw new ConfigError(
    "APP_INVALID",
    `${fileName} is not valid: ${details.length} problem${details.length === 1 ? "" : "s"}`,
    { details, hint: HINT },
  );
}

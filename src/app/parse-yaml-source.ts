import yaml from "js-yaml";
import { ConfigError } from "../errors.js";

export interface YamlSourceContext {
  /** Shown in messages, e.g. `kfp-app.yaml` or `.kfp-upgrade/volumes/mysql.yaml`. */
  fileName: string;
  /** The ConfigError code for a syntax error, e.g. `APP_INVALID`. */
  code: string;
  hint: string;
}

/** Parses one YAML document; a syntax error becomes a ConfigError naming the file and line. */
export function parseYamlSource(source: string, context: YamlSourceContext): unknown {
  try {
    // JSON_SCHEMA: no YAML 1.1 guesses (`yes` as a boolean, dates as Date objects); the zod schema decides types.
    return yaml.load(source, { filename: context.fileName, schema: yaml.JSON_SCHEMA });
  } catch (error) {
    if (!(error instanceof yaml.YAMLException)) throw error;
    const line = error.mark ? ` (${context.fileName} line ${error.mark.line + 1})` : "";
    throw new ConfigError(context.code, `${context.fileName} is not valid YAML`, {
      details: [`${error.reason}${line}`],
      hint: context.hint,
      cause: error,
    });
  }
}

import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";

const SCHEMA_DIR = fileURLToPath(new URL("../../schema/", import.meta.url));

/**
 * The files in schema/ as a user's validator reads them. ajv, not zod, checks documents against them: the published
 * JSON Schema itself is what is tested, not the zod types it was generated from.
 */
export function publishedSchemaFiles(): Record<string, unknown> {
  return Object.fromEntries(
    readdirSync(SCHEMA_DIR)
      .filter((file) => file.endsWith(".schema.json"))
      .map((file) => [
        file.replace(/\.schema\.json$/, ""),
        JSON.parse(readFileSync(`${SCHEMA_DIR}${file}`, "utf8")),
      ]),
  );
}

const ajv = new Ajv2020({ allErrors: true, strict: false });
// The one format the schemas use (history's timestamps); ajv-formats would be a dependency for this alone.
ajv.addFormat("date-time", { validate: (text: string) => !Number.isNaN(Date.parse(text)) });
const validators = new Map(
  Object.entries(publishedSchemaFiles()).map(([name, schema]) => [
    name,
    ajv.compile(schema as Record<string, unknown>),
  ]),
);

/** The problems of `document` against schema/<name>.schema.json (empty when it validates). */
export function schemaProblems(name: string, document: unknown): string[] {
  const validate = validators.get(name);
  if (!validate) throw new Error(`no schema/${name}.schema.json`);
  if (validate(document)) return [];
  return (validate.errors ?? []).map(
    (error) => `${error.instancePath || "/"} ${error.message ?? ""} ${JSON.stringify(error.params)}`,
  );
}

import { writeFileSync } from "node:fs";
import { publishedJsonSchemas } from "../src/cli/json-output/json-schemas.js";

// `npm run schema`: the documented JSON Schemas of every `-o json` output (the plan, each event, each command's
// document, the error), generated from the zod types into schema/<name>.schema.json.
for (const [name, schema] of Object.entries(publishedJsonSchemas())) {
  writeFileSync(
    new URL(`../schema/${name}.schema.json`, import.meta.url),
    `${JSON.stringify(schema, null, 2)}\n`,
  );
}

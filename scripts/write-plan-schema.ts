import { writeFileSync } from "node:fs";
import { planJsonSchema } from "../src/plan/plan-json-schema.js";

// `npm run schema`: the documented JSON Schema of `-o json` plans, generated from the zod types.
writeFileSync(
  new URL("../schema/plan.schema.json", import.meta.url),
  `${JSON.stringify(planJsonSchema(), null, 2)}\n`,
);

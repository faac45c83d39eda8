import { z } from "zod";
import { planSchema } from "./plan.js";

/** The JSON Schema of a plan as `-o json` prints it (schema/plan.schema.json is generated from this). */
export function planJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(planSchema, { target: "draft-2020-12", unrepresentable: "any" }),
    $id: "https://kfp-upgrade.dev/schema/plan.schema.json",
    title: "kfp-upgrade plan",
  };
}

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { planJsonSchema } from "../../src/plan/plan-json-schema.js";

describe("schema/plan.schema.json", () => {
  it("is the JSON Schema generated from the zod plan types (run `npm run schema` after changing them)", () => {
    const committed = JSON.parse(
      readFileSync(new URL("../../schema/plan.schema.json", import.meta.url), "utf8"),
    );
    expect(committed).toEqual(planJsonSchema());
  });

  it("describes every step kind", () => {
    const text = JSON.stringify(planJsonSchema());
    for (const kind of [
      "applyObjects",
      "setImages",
      "waitRollout",
      "verifyBinding",
      "prune",
      "releaseClaimRef",
    ]) {
      expect(text).toContain(`"${kind}"`);
    }
  });
});

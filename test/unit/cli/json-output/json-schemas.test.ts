import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { publishedJsonSchemas } from "../../../../src/cli/json-output/json-schemas.js";
import { schemaProblems } from "../../../support/published-schemas.js";

const schemaDir = new URL("../../../../schema/", import.meta.url);

describe("schema/*.schema.json", () => {
  it("are exactly the JSON Schemas generated from the zod types (run `npm run schema` after changing them)", () => {
    const generated = publishedJsonSchemas();
    const files = readdirSync(schemaDir).filter((file) => file.endsWith(".schema.json"));
    expect(files.sort()).toEqual(
      Object.keys(generated)
        .map((name) => `${name}.schema.json`)
        .sort(),
    );
    for (const [name, schema] of Object.entries(generated)) {
      const committed = JSON.parse(readFileSync(new URL(`${name}.schema.json`, schemaDir), "utf8"));
      expect(committed, name).toEqual(schema);
    }
  });

  it("publish the plan, every event, the error and each command's document", () => {
    expect(Object.keys(publishedJsonSchemas()).sort()).toEqual(
      [
        "backups",
        "check",
        "completion",
        "diff",
        "error",
        "event",
        "history",
        "params",
        "plan",
        "release",
        "resume",
        "status",
        "versions",
      ].sort(),
    );
    const events = JSON.stringify(publishedJsonSchemas().event);
    for (const type of [
      "plan",
      "step-start",
      "step-progress",
      "step-skip",
      "step-end",
      "warning",
      "rollback",
      "result",
      "error",
    ]) {
      expect(events).toContain(`"const":"${type}"`);
    }
  });

  it("reject what the CLI never prints (they are strict, so drift shows)", () => {
    expect(schemaProblems("event", { type: "step-start", stepId: "a", kind: "prune" })).not.toEqual([]);
    expect(schemaProblems("event", { type: "warning", message: "m", extra: 1 })).not.toEqual([]);
    expect(schemaProblems("event", { type: "warning", message: "m" })).toEqual([]);
    expect(
      schemaProblems("error", { type: "error", code: "X", exitCode: 3, message: "m", details: [] }),
    ).toEqual([]);
  });
});

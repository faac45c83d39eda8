import { describe, expect, it } from "vitest";
import { goneReadiness } from "../../../../src/execute/readiness/gone.js";

describe("goneReadiness", () => {
  const cases = [
    {
      name: "done once the object is gone",
      object: null,
      readiness: { done: true, ok: true, message: "Deleted" },
    },
    {
      name: "waiting while it is still there",
      object: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "ml-pipeline" } },
      readiness: { done: false, ok: false, message: "Waiting for the object to be deleted" },
    },
  ];
  it.each(cases)("$name", ({ object, readiness }) => {
    expect(goneReadiness(object)).toEqual(readiness);
  });
});

import { describe, expect, it } from "vitest";
import { failed, ready, waiting } from "../../../../src/execute/readiness/readiness.js";

describe("readiness verdicts", () => {
  const cases = [
    { name: "waiting is not done and not ok", make: waiting, expected: { done: false, ok: false } },
    { name: "ready is done and ok", make: ready, expected: { done: true, ok: true } },
    { name: "failed is done and not ok", make: failed, expected: { done: true, ok: false } },
  ];
  it.each(cases)("$name, and carries its message", ({ make, expected }) => {
    expect(make("1/2 replicas available")).toEqual({ ...expected, message: "1/2 replicas available" });
  });

  it("keeps an empty message as it is", () => {
    expect(ready("")).toEqual({ done: true, ok: true, message: "" });
  });
});

import { describe, expect, it } from "vitest";
import { PreflightRefusal, UsageError } from "../../../src/errors.js";
import { gatherRefusals } from "../../../src/plan/gather-refusals.js";
import { refuseIfAny } from "../../../src/plan/refuse-if-any.js";

const WHAT = "Cannot upgrade KFP 2.14.4 to 2.18.1";
const one = () => refuseIfAny(["the object store needs a choice"], WHAT, "Fix it.");
const two = () => refuseIfAny(["a", "b"], WHAT, "Fix them.");
const legacy = () => {
  throw new PreflightRefusal("LEGACY_SCHEMA_TOO_LONG", `${WHAT}: 1 value too long`, {
    details: ['experiment "x": name too long. Fix: shorten it'],
    hint: "Shorten it.",
  });
};
const fine = () => undefined;

describe("gatherRefusals", () => {
  it("a run: the first rule that throws stops it, as before", () => {
    expect(() => gatherRefusals([fine, one, legacy], { collect: false, what: WHAT })).toThrow(
      `${WHAT}: the object store needs a choice`,
    );
    expect(gatherRefusals([fine], { collect: false, what: WHAT })).toBeUndefined();
  });

  it("check: every rule runs, and all their problems become one refusal, each once", () => {
    expect(gatherRefusals([one, fine, legacy, one], { collect: true, what: WHAT })).toEqual({
      code: "PREFLIGHT",
      message: `${WHAT}: 2 problems`,
      problems: ["the object store needs a choice", 'experiment "x": name too long. Fix: shorten it'],
      hint: "Fix it. Shorten it.",
    });
  });

  it("check: a single refusal keeps its code and message", () => {
    expect(gatherRefusals([fine, legacy], { collect: true, what: WHAT })).toEqual({
      code: "LEGACY_SCHEMA_TOO_LONG",
      message: `${WHAT}: experiment "x": name too long. Fix: shorten it`,
      problems: ['experiment "x": name too long. Fix: shorten it'],
      hint: "Shorten it.",
    });
    expect(gatherRefusals([two], { collect: true, what: WHAT })?.problems).toEqual(["a", "b"]);
  });

  it("check: nothing refused, no refusal; an error that is no refusal is not swallowed", () => {
    expect(gatherRefusals([fine, fine], { collect: true, what: WHAT })).toBeUndefined();
    const broken = () => {
      throw new UsageError("X", "not a refusal");
    };
    expect(() => gatherRefusals([one, broken], { collect: true, what: WHAT })).toThrow("not a refusal");
  });
});

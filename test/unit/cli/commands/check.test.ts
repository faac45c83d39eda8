import { describe, expect, it } from "vitest";
import { checkExitCode, checkOptionsSchema } from "../../../../src/cli/commands/check.js";
import { parseOptions } from "../../../../src/cli/parse-options.js";

describe("check options", () => {
  it("--to and --tag name the release alike", () => {
    expect(parseOptions(checkOptionsSchema, { to: "2.18.1" })).toEqual({
      to: "2.18.1",
      strategy: "auto",
      adopt: false,
      skipInventory: false,
      waitForWorkflows: false,
      ignoreRunningWorkflows: false,
    });
    expect(parseOptions(checkOptionsSchema, { tag: "2.18.1", objectStore: "seaweedfs" })).toMatchObject({
      to: "2.18.1",
      objectStore: "seaweedfs",
    });
    expect(parseOptions(checkOptionsSchema, { to: "2.18.1", tag: "2.18.1" }).to).toBe("2.18.1");
  });

  it.each([
    {
      name: "neither",
      raw: {},
      message: "--to: name the release to check the upgrade to, e.g. check --to 2.18.1",
    },
    {
      name: "two different releases",
      raw: { to: "2.18.1", tag: "2.17.0" },
      message: "--tag: names 2.17.0, but --to names 2.18.1: give one, e.g. --tag 2.14.4",
    },
  ])("refuses $name as a usage error (exit 2)", ({ raw, message }) => {
    expect(() => parseOptions(checkOptionsSchema, raw)).toThrow(
      expect.objectContaining({ code: "OPTIONS_INVALID", exitCode: 2, message }),
    );
  });
});

describe("check exit codes", () => {
  it.each([
    { verdict: "clear", flag: true, code: 0 },
    { verdict: "refused", flag: true, code: 2 },
    { verdict: "warnings", flag: true, code: 3 },
    { verdict: "clear", flag: false, code: 0 },
    { verdict: "refused", flag: false, code: 0 },
    { verdict: "warnings", flag: false, code: 0 },
  ] as const)("$verdict with --exit-code $flag exits $code", ({ verdict, flag, code }) => {
    expect(checkExitCode(verdict, flag)).toBe(code);
  });
});

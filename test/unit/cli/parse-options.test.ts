import { describe, expect, it } from "vitest";
import { z } from "zod";
import { checkGlobalOptionsSchema, globalOptionsSchema } from "../../../src/cli/global-options.js";
import { parseOptions } from "../../../src/cli/parse-options.js";
import { UsageError } from "../../../src/errors.js";

describe("parseOptions", () => {
  it("returns the validated options with defaults", () => {
    expect(parseOptions(globalOptionsSchema, { timeout: "30", output: "json" })).toEqual({
      appDir: ".",
      dryRun: false,
      serverDryRun: false,
      exitCode: false,
      output: "json",
      yes: false,
      timeout: 30,
      quiet: false,
      verbose: false,
    });
  });

  it("--exit-code goes with --dry-run", () => {
    expect(() => parseOptions(globalOptionsSchema, { exitCode: true })).toThrow(
      expect.objectContaining({
        code: "OPTIONS_INVALID",
        exitCode: 2,
        message:
          "--exit-code: goes with --dry-run, diff or check (a run that applies its plan exits by its outcome), e.g. upgrade --tag 2.14.4 --dry-run=server --exit-code",
      }),
    );
    expect(parseOptions(globalOptionsSchema, { exitCode: true, dryRun: true }).exitCode).toBe(true);
    expect(parseOptions(globalOptionsSchema, { exitCode: true, dryRunMode: "server" }).exitCode).toBe(true);
    // check changes nothing: its --exit-code reports the verdict without --dry-run.
    expect(parseOptions(checkGlobalOptionsSchema, { exitCode: true }).exitCode).toBe(true);
  });

  it.each([
    { name: "--dry-run", raw: { dryRun: true }, expected: { dryRun: true, serverDryRun: false } },
    {
      name: "--dry-run=client",
      raw: { dryRun: true, dryRunMode: "client" },
      expected: { dryRun: true, serverDryRun: false },
    },
    {
      name: "--dry-run=server",
      raw: { dryRun: true, dryRunMode: "server" },
      expected: { dryRun: true, serverDryRun: true },
    },
    { name: "no --dry-run", raw: {}, expected: { dryRun: false, serverDryRun: false } },
  ])("$name", ({ raw, expected }) => {
    expect(parseOptions(globalOptionsSchema, raw)).toEqual(expect.objectContaining(expected));
    expect(parseOptions(globalOptionsSchema, raw)).not.toHaveProperty("dryRunMode");
  });

  it("names a single bad option by its flag, in the message", () => {
    const parse = () => parseOptions(globalOptionsSchema, { timeout: "-5" });
    expect(parse).toThrow(UsageError);
    expect(parse).toThrow(
      expect.objectContaining({
        code: "OPTIONS_INVALID",
        exitCode: 2,
        message: '--timeout: expected a duration such as 90s, 10m or 1h (or whole seconds), got "-5"',
        details: [],
        hint: "Run the command with --help for the accepted values.",
      }),
    );
  });

  it("reports every bad option at once, as kebab-case flags", () => {
    const schema = z.object({ objectStore: z.enum(["keep-minio", "seaweedfs"]), waitForLock: z.boolean() });
    expect(() => parseOptions(schema, { objectStore: "s3", waitForLock: "yes" })).toThrow(
      expect.objectContaining({
        message: "invalid options",
        details: [
          '--object-store: Invalid option: expected one of "keep-minio"|"seaweedfs", e.g. --object-store keep-minio',
          "--wait-for-lock: Invalid input: expected boolean, received string",
        ],
      }),
    );
  });
});

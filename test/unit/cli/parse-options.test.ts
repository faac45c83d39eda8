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
          "--exit-code: goes with --dry-run (a run that applies its plan exits by its outcome) or with check, e.g. upgrade --tag 2.14.4 --dry-run --exit-code",
      }),
    );
    expect(parseOptions(globalOptionsSchema, { exitCode: true, dryRun: true }).exitCode).toBe(true);
    // check changes nothing: its --exit-code reports the verdict without --dry-run.
    expect(parseOptions(checkGlobalOptionsSchema, { exitCode: true }).exitCode).toBe(true);
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

import { describe, expect, it } from "vitest";
import { stepSecondsOf } from "../../../bench/contenders.js";
import { failureLine } from "../../../bench/processes.js";

describe("stepSecondsOf", () => {
  it("sums kfp-upgrade's step durations by kind from its -o json events, skipping other lines", () => {
    const stdout = [
      '{"type":"plan","plan":{}}',
      '{"type":"step-start","stepId":"01","kind":"applyObjects","description":"apply"}',
      '{"type":"step-end","stepId":"01","ok":true,"message":"3 objects applied","durationMs":1500}',
      "not json",
      '{"type":"step-start","stepId":"02","kind":"waitRollout","description":"wait"}',
      '{"type":"step-end","stepId":"02","ok":true,"message":"","durationMs":4000}',
      '{"type":"step-start","stepId":"03","kind":"applyObjects","description":"apply"}',
      '{"type":"step-end","stepId":"03","ok":true,"message":"","durationMs":500}',
    ].join("\n");
    expect(stepSecondsOf(stdout)).toEqual({ applyObjects: 2, waitRollout: 4 });
  });
});

describe("failureLine", () => {
  const run = (stderr: string) => ({
    command: "helm",
    exitCode: 1,
    stdout: "",
    stderr,
    wallMs: 1,
    peakRssKiB: null,
  });

  it("picks the last line that names an error, leaving GNU time's own line out", () => {
    expect(
      failureLine(
        run(
          'Release "kfp" does not exist.\nError: conflict occurred\nhint\nCommand exited with non-zero status 1\n',
        ),
      ),
    ).toBe("Error: conflict occurred");
  });

  it("falls back to the last line, then to the exit code", () => {
    expect(failureLine(run("something odd\n"))).toBe("something odd");
    expect(failureLine(run(""))).toBe("exit 1");
  });
});

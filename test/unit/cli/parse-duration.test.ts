import { describe, expect, it } from "vitest";
import { parseDurationSeconds } from "../../../src/cli/parse-duration.js";

describe("parseDurationSeconds", () => {
  it.each([
    ["600", 600],
    ["90s", 90],
    ["10m", 600],
    ["1h", 3600],
    ["1h30m", 5400],
    ["2m30s", 150],
    ["1.5h", 5400],
    ["0.5s", 1],
    [" 45s ", 45],
  ])("%s is %i seconds", (text, seconds) => {
    expect(parseDurationSeconds(text)).toBe(seconds);
  });

  it.each(["", "0", "0s", "-5", "10ms", "5 minutes", "m", "1d", "10m1h", "s"])("%j is refused", (text) => {
    expect(parseDurationSeconds(text)).toBeUndefined();
  });
});

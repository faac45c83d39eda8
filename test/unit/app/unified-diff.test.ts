import { describe, expect, it } from "vitest";
import { unifiedDiff } from "../../../src/app/unified-diff.js";

const lines = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}`);

describe("unifiedDiff", () => {
  it("is empty for equal texts", () => {
    expect(unifiedDiff("f", "a\nb\n", "a\nb\n")).toBe("");
  });

  it("shows one changed line with three lines of context each side", () => {
    const a = lines(10);
    const b = [...a];
    b[4] = "LINE 5";
    expect(unifiedDiff("f.yaml", a.join("\n"), b.join("\n")).split("\n")).toEqual([
      "--- a/f.yaml",
      "+++ b/f.yaml",
      "@@ -2,7 +2,7 @@",
      " line 2",
      " line 3",
      " line 4",
      "-line 5",
      "+LINE 5",
      " line 6",
      " line 7",
      " line 8",
    ]);
  });

  it("keeps far-apart changes in separate hunks, and clips context at the file's ends", () => {
    const a = lines(20);
    const b = [...a];
    b[0] = "first";
    b[19] = "last";
    expect(unifiedDiff("f", a.join("\n"), b.join("\n")).split("\n")).toEqual([
      "--- a/f",
      "+++ b/f",
      "@@ -1,4 +1,4 @@",
      "-line 1",
      "+first",
      " line 2",
      " line 3",
      " line 4",
      "@@ -17,4 +17,4 @@",
      " line 17",
      " line 18",
      " line 19",
      "-line 20",
      "+last",
    ]);
  });

  it("shows an edit that changes the number of lines as one hunk", () => {
    expect(unifiedDiff("f", "a\nb\nc", "a\nx\ny\nc").split("\n")).toEqual([
      "--- a/f",
      "+++ b/f",
      "@@ -1,3 +1,4 @@",
      " a",
      "-b",
      "+x",
      "+y",
      " c",
    ]);
  });
});

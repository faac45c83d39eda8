import { describe, expect, it } from "vitest";
import { unifiedHunks } from "../../../src/cli/line-diff.js";

const lines = (count: number, change: Record<number, string> = {}) =>
  Array.from({ length: count }, (_, i) => change[i + 1] ?? `line ${i + 1}`).join("\n");

describe("unifiedHunks", () => {
  it.each([
    { name: "equal texts have no hunks", before: lines(5), after: lines(5), hunks: [] },
    {
      name: "a changed line with three lines of context",
      before: lines(10),
      after: lines(10, { 5: "five" }),
      hunks: [
        "@@ -2,7 +2,7 @@",
        " line 2",
        " line 3",
        " line 4",
        "-line 5",
        "+five",
        " line 6",
        " line 7",
        " line 8",
      ],
    },
    {
      name: "an inserted line",
      before: lines(3),
      after: "line 1\nline 1b\nline 2\nline 3",
      hunks: ["@@ -1,3 +1,4 @@", " line 1", "+line 1b", " line 2", " line 3"],
    },
    {
      name: "a created object",
      before: "",
      after: "a: 1\nb: 2\n",
      hunks: ["@@ -0,0 +1,2 @@", "+a: 1", "+b: 2"],
    },
    { name: "a deleted object", before: "a: 1\n", after: "", hunks: ["@@ -1 +0,0 @@", "-a: 1"] },
  ])("$name", ({ before, after, hunks }) => {
    expect(unifiedHunks(before, after)).toEqual(hunks);
  });

  it("splits changes far apart into two hunks", () => {
    const hunks = unifiedHunks(lines(20), lines(20, { 2: "two", 18: "eighteen" }));
    expect(hunks.filter((line) => line.startsWith("@@"))).toEqual(["@@ -1,5 +1,5 @@", "@@ -15,6 +15,6 @@"]);
  });
});

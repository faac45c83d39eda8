import { describe, expect, it } from "vitest";
import { formatCell, formatTable, median, ratio } from "../../../bench/format-table.js";

describe("formatTable", () => {
  it("pads text left-aligned and number columns right-aligned under a rule", () => {
    const table = formatTable(
      ["tool", "wall s", "ok"],
      [
        ["kfp-upgrade", 5.784, "yes"],
        ["kubectl", 12, "no: immutable selector"],
        ["helm", null, "no"],
      ],
    );
    expect(table).toBe(
      [
        "tool         wall s  ok",
        "-----------  ------  ----------------------",
        "kfp-upgrade    5.78  yes",
        "kubectl          12  no: immutable selector",
        "helm              -  no",
      ].join("\n"),
    );
  });
});

describe("cells and ratios", () => {
  it.each([
    { cell: null, text: "-" },
    { cell: 3, text: "3" },
    { cell: 1.005, text: "1.00" },
    { cell: "x", text: "x" },
  ])("formatCell($cell) = $text", ({ cell, text }) => {
    expect(formatCell(cell)).toBe(text);
  });

  it("ratio and median", () => {
    expect(ratio(6, 4)).toBe("1.50x");
    expect(ratio(6, 0)).toBe("-");
    expect(ratio(null, 4)).toBe("-");
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

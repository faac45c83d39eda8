import { describe, expect, it } from "vitest";
import { parseQuantityOrNull as parseQuantity } from "../../../src/model/quantity.js";

const cases: { name: string; input: string | number; expected: number | null }[] = [
  { name: "plain bytes", input: "1024", expected: 1024 },
  { name: "number input", input: 20, expected: 20 },
  { name: "Ki", input: "1Ki", expected: 1024 },
  { name: "Mi", input: "512Mi", expected: 512 * 2 ** 20 },
  { name: "Gi (KFP's 20Gi claims)", input: "20Gi", expected: 20 * 2 ** 30 },
  { name: "Ti", input: "2Ti", expected: 2 * 2 ** 40 },
  { name: "Pi", input: "1Pi", expected: 2 ** 50 },
  { name: "fractional Gi stays an exact integer", input: "0.5Gi", expected: 536870912 },
  { name: "1.5Gi", input: "1.5Gi", expected: 1610612736 },
  { name: "k", input: "1k", expected: 1000 },
  { name: "M", input: "100M", expected: 100_000_000 },
  { name: "G", input: "10G", expected: 10_000_000_000 },
  { name: "T", input: "1T", expected: 1e12 },
  { name: "milli", input: "500m", expected: 0.5 },
  { name: "milli above one", input: "1500m", expected: 1.5 },
  { name: "exponent", input: "1e3", expected: 1000 },
  { name: "upper-case exponent", input: "12E6", expected: 12_000_000 },
  { name: "leading dot", input: ".5Ki", expected: 512 },
  { name: "surrounding spaces", input: " 8Gi ", expected: 8 * 2 ** 30 },
  { name: "zero", input: "0", expected: 0 },
  { name: "empty", input: "", expected: null },
  { name: "unknown suffix", input: "10Gb", expected: null },
  { name: "lower-case binary suffix", input: "10gi", expected: null },
  { name: "words", input: "lots", expected: null },
  { name: "suffix only", input: "Gi", expected: null },
  { name: "NaN number", input: Number.NaN, expected: null },
];

describe("parseQuantity", () => {
  it.each(cases)("$name", ({ input, expected }) => {
    expect(parseQuantity(input)).toBe(expected);
  });
});

import { describe, expect, it } from "vitest";
import { formatBytes, parseQuantity } from "../../../src/model/quantity.js";

const GI = 2 ** 30;

describe("parseQuantity", () => {
  const cases = [
    { name: "binary suffix", quantity: "20Gi", bytes: 20 * GI },
    { name: "fractional binary", quantity: "1.5Ti", bytes: 1.5 * 2 ** 40 },
    { name: "Mi", quantity: "512Mi", bytes: 512 * 2 ** 20 },
    { name: "decimal G (the 200 GB artifact disk)", quantity: "200G", bytes: 200e9 },
    { name: "decimal k", quantity: "3k", bytes: 3000 },
    { name: "milli", quantity: "500m", bytes: 0.5 },
    { name: "plain number", quantity: "1024", bytes: 1024 },
    { name: "exponent", quantity: "1e3", bytes: 1000 },
    { name: "surrounding spaces", quantity: " 20Gi ", bytes: 20 * GI },
    { name: "a number passes through", quantity: 42, bytes: 42 },
  ];
  it.each(cases)("$name", ({ quantity, bytes }) => {
    expect(parseQuantity(quantity)).toBe(bytes);
  });

  const invalid = [
    { name: "unknown suffix", quantity: "20GB" },
    { name: "no number", quantity: "Gi" },
    { name: "empty", quantity: "" },
    { name: "words", quantity: "twenty" },
  ];
  it.each(invalid)("refuses $name", ({ quantity }) => {
    expect(() => parseQuantity(quantity)).toThrow(`not a Kubernetes quantity: "${quantity}"`);
  });
});

describe("formatBytes", () => {
  const cases = [
    { name: "whole Gi", bytes: 20 * GI, text: "20Gi" },
    { name: "whole Ti wins over Gi", bytes: 2 * 2 ** 40, text: "2Ti" },
    { name: "Mi when not a whole Gi", bytes: 1536 * 2 ** 20, text: "1536Mi" },
    { name: "Ki", bytes: 4096, text: "4Ki" },
    { name: "plain bytes when no unit divides", bytes: 1000, text: "1000" },
    { name: "zero", bytes: 0, text: "0" },
  ];
  it.each(cases)("$name", ({ bytes, text }) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it("round-trips whole binary quantities", () => {
    for (const quantity of ["20Gi", "10Gi", "1Ti", "512Mi"])
      expect(formatBytes(parseQuantity(quantity))).toBe(quantity);
  });
});

import { describe, expect, it } from "vitest";
import { compareVersions, inRange, parseVersion } from "../../../src/release/compare-versions.js";

describe("compareVersions", () => {
  const cases = [
    { name: "patch", a: "1.8.5", b: "1.8.4", sign: 1 },
    { name: "numeric, not lexical, minor", a: "2.14.0", b: "2.5.0", sign: 1 },
    { name: "equal", a: "0.1.12", b: "0.1.12", sign: 0 },
    { name: "major wins", a: "1.0.0", b: "0.5.1", sign: 1 },
    { name: "prerelease before its release", a: "2.0.0-rc.2", b: "2.0.0", sign: -1 },
    { name: "numeric prerelease parts", a: "1.7.0-rc.10", b: "1.7.0-rc.9", sign: 1 },
    { name: "alpha before rc", a: "1.7.0-alpha.3", b: "1.7.0-rc.0", sign: -1 },
  ];
  it.each(cases)("$name", ({ a, b, sign }) => {
    expect(Math.sign(compareVersions(a, b))).toBe(sign);
    expect(Math.sign(compareVersions(b, a))).toBe(-sign || 0);
  });

  it("refuses what is not a version, as a bug", () => {
    expect(() => compareVersions("v1.8.5", "1.8.5")).toThrow(/non-version: "v1.8.5"/);
  });
});

describe("parseVersion", () => {
  const cases = [
    { name: "release", input: "2.14.3", parsed: { major: 2, minor: 14, patch: 3, prerelease: [] } },
    {
      name: "prerelease",
      input: "2.0.0-rc.2",
      parsed: { major: 2, minor: 0, patch: 0, prerelease: ["rc", "2"] },
    },
    { name: "a v is not part of a KFP version", input: "v0.1.12", parsed: undefined },
    { name: "two parts", input: "2.14", parsed: undefined },
    { name: "leading zero", input: "01.2.3", parsed: undefined },
  ];
  it.each(cases)("$name", ({ input, parsed }) => {
    expect(parseVersion(input)).toEqual(parsed);
  });
});

describe("inRange", () => {
  const cases = [
    { name: "since is inclusive", version: "2.4.0", range: { since: "2.4.0" }, inside: true },
    { name: "before is exclusive", version: "2.14.0", range: { before: "2.14.0" }, inside: false },
    { name: "no bounds", version: "0.1.0", range: {}, inside: true },
  ];
  it.each(cases)("$name", ({ version, range, inside }) => {
    expect(inRange(version, range)).toBe(inside);
  });
});

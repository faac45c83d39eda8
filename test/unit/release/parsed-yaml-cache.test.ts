import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import {
  isJsonValue,
  parsedYamlCacheDir,
  readParsedYaml,
  writeParsedYaml,
} from "../../../src/release/parsed-yaml-cache.js";

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "kfp-parsed-yaml-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const documents = [
  { index: 1, line: 1, value: { kind: "ConfigMap", metadata: { name: "a" }, data: { n: "1" } } },
  { index: 3, line: 9, value: { kind: "Service", spec: { ports: [{ port: 80 }] } } },
];

describe("parsed-yaml cache", () => {
  it("gives back exactly what was stored for the same text, and nothing for any other text", async () => {
    const dir = tempDir();
    await writeParsedYaml(dir, "text A", documents);
    expect(await readParsedYaml(dir, "text A")).toEqual(documents);
    expect(await readParsedYaml(dir, "text A ")).toBeUndefined();
    expect(readdirSync(dir)).toHaveLength(1);
  });

  it("never stores a file with a value JSON would change (a YAML timestamp, .nan, .inf)", async () => {
    const dir = tempDir();
    for (const value of [new Date(0), Number.NaN, Number.POSITIVE_INFINITY, new Uint8Array([1])]) {
      await writeParsedYaml(dir, `text ${String(value)}`, [
        { index: 1, line: 1, value: { spec: { value } } },
      ]);
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it("treats a damaged or foreign entry as absent", async () => {
    const dir = tempDir();
    await writeParsedYaml(dir, "text B", documents);
    const [entry] = readdirSync(dir);
    writeFileSync(path.join(dir, entry ?? "x"), '{"format": 1, "documents": [');
    expect(await readParsedYaml(dir, "text B")).toBeUndefined();
    writeFileSync(path.join(dir, entry ?? "x"), '{"format": 99, "documents": []}');
    expect(await readParsedYaml(dir, "text B")).toBeUndefined();
  });

  it("writes nothing and throws nothing where the directory cannot be made", async () => {
    const file = path.join(tempDir(), "a-file");
    writeFileSync(file, "");
    await expect(writeParsedYaml(path.join(file, "sub"), "text C", documents)).resolves.toBeUndefined();
  });

  it("lives under XDG_CACHE_HOME when it is absolute, else ~/.cache", () => {
    expect(parsedYamlCacheDir({ XDG_CACHE_HOME: "/x/cache" })).toBe("/x/cache/kfp-upgrade/parsed-yaml");
    expect(parsedYamlCacheDir({ XDG_CACHE_HOME: "relative" })).toMatch(/\.cache\/kfp-upgrade\/parsed-yaml$/);
  });

  it("knows JSON values from the rest", () => {
    expect(isJsonValue({ a: [1, "x", null, true, { b: -0.5 }] })).toBe(true);
    expect(isJsonValue({ a: undefined })).toBe(false);
    expect(isJsonValue([Number.NaN])).toBe(false);
    expect(isJsonValue(new Date())).toBe(false);
  });
});

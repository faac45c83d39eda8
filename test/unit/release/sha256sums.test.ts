import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  checkSha256Sums,
  formatSha256Sums,
  parseSha256Sums,
  sha256,
} from "../../../src/release/sha256sums.js";

function bundle(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "kfp-sums-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

describe("SHA256SUMS", () => {
  it("writes sha256sum's format, names sorted, and reads it back", () => {
    const text = formatSha256Sums(
      new Map([
        ["b.yaml", "b"],
        ["a.yaml", "a"],
      ]),
    );
    expect(text).toBe(`${sha256("a")}  a.yaml\n${sha256("b")}  b.yaml\n`);
    expect(parseSha256Sums(text, "x")).toEqual(
      new Map([
        ["a.yaml", sha256("a")],
        ["b.yaml", sha256("b")],
      ]),
    );
  });

  it("rejects a line that is not <sha256>  <file>, naming the line", () => {
    expect(() => parseSha256Sums(`${sha256("a")}  a.yaml\nnot a sum\n`, "/d/SHA256SUMS")).toThrowError(
      '/d/SHA256SUMS line 2 is not "<sha256>  <file>"',
    );
  });

  it("is null without SHA256SUMS, ok when every file matches", async () => {
    expect(await checkSha256Sums(bundle({ "a.yaml": "a" }))).toBeNull();
    const dir = bundle({ "a.yaml": "a", SHA256SUMS: `${sha256("a")}  a.yaml\n` });
    expect(await checkSha256Sums(dir)).toEqual({ ok: true, problems: [] });
  });

  it("names a changed file, a missing file and an unlisted YAML file", async () => {
    const dir = bundle({
      "a.yaml": "changed",
      "extra.yaml": "x",
      SHA256SUMS: `${sha256("a")}  a.yaml\n${sha256("b")}  b.yaml\n`,
    });
    expect(await checkSha256Sums(dir)).toEqual({
      ok: false,
      problems: [
        `${dir}/a.yaml: sha256 ${sha256("changed")} differs from SHA256SUMS (${sha256("a")})`,
        `${dir}/b.yaml: listed in SHA256SUMS but missing`,
        `${dir}/extra.yaml: not listed in SHA256SUMS`,
      ],
    });
  });

  it("refuses a SHA256SUMS that names a file outside its directory", async () => {
    const dir = bundle({ "a.yaml": "a", SHA256SUMS: `${sha256("a")}  a.yaml\n${sha256("x")}  ../x.yaml\n` });
    expect((await checkSha256Sums(dir))?.problems).toEqual([
      "../x.yaml: SHA256SUMS may only name files of its own directory",
    ]);
  });
});

import { gunzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { readTar } from "../../../../src/release/upstream/read-tar.js";
import { buildReleaseArchive } from "../../../support/release-tree.js";

let tar: Buffer;
beforeAll(async () => {
  tar = gunzipSync(await buildReleaseArchive("2.5.0"));
});

describe("readTar", () => {
  it("reads a git archive: every path under the prefix, files with their bytes, the pax global header skipped", () => {
    const entries = readTar(tar, "a.tar");
    const paths = entries.map((entry) => entry.path);
    expect(paths).toContain("pipelines-2.5.0/");
    expect(paths).toContain("pipelines-2.5.0/README.md");
    expect(paths).toContain("pipelines-2.5.0/manifests/kustomize/env/platform-agnostic/kustomization.yaml");
    expect(paths.every((p) => p.startsWith("pipelines-2.5.0/"))).toBe(true);
    const readme = entries.find((entry) => entry.path === "pipelines-2.5.0/README.md");
    expect(readme?.type).toBe("file");
    expect(Buffer.from(readme?.data ?? []).toString()).toBe("Kubeflow Pipelines 2.5.0 (test tree)\n");
    expect(entries.find((entry) => entry.path === "pipelines-2.5.0/manifests/")?.type).toBe("directory");
  });

  it("refuses a header whose checksum does not match", () => {
    const damaged = Buffer.from(tar);
    // The first header is git's pax global header; the second names the top folder.
    damaged[512 * 2 + 10] = 0x41;
    expect(() => readTar(damaged, "a.tar")).toThrowError(
      /a.tar is not a valid tar archive: header checksum mismatch/,
    );
  });

  it("refuses an archive cut in the middle of an entry", () => {
    const cut = tar.subarray(0, 512 * 9 + 100);
    expect(() => readTar(cut, "a.tar")).toThrowError(/a.tar is not a valid tar archive: (truncated|it ends)/);
  });

  it("reads long names from pax extended headers", () => {
    const name = `top/${"d".repeat(120)}/file.yaml`;
    const pax = paxRecord("path", name);
    const archive = Buffer.concat([
      header("PaxHeader", pax.length, "x"),
      pad(pax),
      header("short-name-ignored", 3, "0"),
      pad(Buffer.from("abc")),
      Buffer.alloc(1024),
    ]);
    const [entry] = readTar(archive, "b.tar");
    expect(entry?.path).toBe(name);
    expect(Buffer.from(entry?.data ?? []).toString()).toBe("abc");
  });
});

function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  let length = body.length + 1;
  while (`${length}${body}`.length !== length) length++;
  return Buffer.from(`${length}${body}`);
}

function pad(data: Buffer): Buffer {
  return Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
}

function header(name: string, size: number, flag: string): Buffer {
  const block = Buffer.alloc(512);
  block.write(name, 0);
  block.write("0000644\0", 100);
  block.write(`${size.toString(8).padStart(11, "0")}\0`, 124);
  block.write(flag, 156);
  block.write("ustar\0", 257);
  block.write("00", 263);
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
  return block;
}

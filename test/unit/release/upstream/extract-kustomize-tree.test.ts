import { existsSync, mkdtempSync, readFileSync, readlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { extractKustomizeTree } from "../../../../src/release/upstream/extract-kustomize-tree.js";
import type { TarEntry } from "../../../../src/release/upstream/read-tar.js";

const file = (p: string, text = "x"): TarEntry => ({
  path: p,
  type: "file",
  mode: 0o644,
  linkTarget: "",
  data: Buffer.from(text),
});
const link = (p: string, target: string): TarEntry => ({
  path: p,
  type: "symlink",
  mode: 0o777,
  linkTarget: target,
  data: Buffer.alloc(0),
});
const dest = () => mkdtempSync(path.join(tmpdir(), "kfp-extract-"));

describe("extractKustomizeTree", () => {
  it("writes only manifests/kustomize, without the top folder; symlinks inside the tree are kept", async () => {
    const out = dest();
    const tree = await extractKustomizeTree(
      [
        file("pipelines-2.5.0/README.md"),
        file("pipelines-2.5.0/manifests/kustomize/base/kustomization.yaml", "resources: []\n"),
        link("pipelines-2.5.0/manifests/kustomize/env/base", "../base"),
      ],
      out,
      "a.tar.gz",
    );
    expect(tree).toEqual({
      topFolder: "pipelines-2.5.0",
      root: path.join(out, "manifests/kustomize"),
      files: 1,
    });
    expect(readFileSync(path.join(out, "manifests/kustomize/base/kustomization.yaml"), "utf8")).toBe(
      "resources: []\n",
    );
    expect(readlinkSync(path.join(out, "manifests/kustomize/env/base"))).toBe("../base");
    expect(existsSync(path.join(out, "README.md"))).toBe(false);
  });

  it("refuses more than one top folder", async () => {
    await expect(
      extractKustomizeTree([file("a/manifests/kustomize/x"), file("b/y")], dest(), "a.tar.gz"),
    ).rejects.toMatchObject({
      code: "ARCHIVE_LAYOUT",
      message: expect.stringContaining("has 2 top-level entries"),
    });
  });

  it("refuses paths and symlinks that leave manifests/kustomize", async () => {
    await expect(
      extractKustomizeTree([file("p/manifests/kustomize/../../../../etc/x")], dest(), "a.tar.gz"),
    ).rejects.toMatchObject({ code: "ARCHIVE_LAYOUT" });
    await expect(
      extractKustomizeTree(
        [file("p/manifests/kustomize/a"), link("p/manifests/kustomize/b", "../../../etc")],
        dest(),
        "a.tar.gz",
      ),
    ).rejects.toMatchObject({
      code: "ARCHIVE_LAYOUT",
      message: expect.stringContaining("leaves manifests/kustomize"),
    });
  });

  it("refuses an archive without manifests/kustomize", async () => {
    await expect(extractKustomizeTree([file("p/README.md")], dest(), "a.tar.gz")).rejects.toMatchObject({
      code: "ARCHIVE_LAYOUT",
      message: "a.tar.gz has no manifests/kustomize/ under p/",
    });
  });
});

import { mkdir, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { writeFileAtomic } from "../../../src/app/write-file-atomic.js";
import { appDir } from "../../support/app-dir.js";

describe("writeFileAtomic", () => {
  it("creates missing directories and replaces an existing file", async () => {
    const file = path.join(appDir(), "a", "b", "state.json");
    await writeFileAtomic(file, "one\n");
    await writeFileAtomic(file, "two\n");
    expect(await readFile(file, "utf8")).toBe("two\n");
    expect(await readdir(path.dirname(file))).toEqual(["state.json"]);
  });

  it("removes its temp file when the rename fails, and leaves the target alone", async () => {
    const dir = appDir();
    const target = path.join(dir, "occupied");
    await mkdir(path.join(target, "child"), { recursive: true });
    await expect(writeFileAtomic(target, "data")).rejects.toMatchObject({
      code: expect.stringMatching(/^E/),
    });
    expect(await readdir(dir)).toEqual(["occupied"]);
    expect(await readdir(target)).toEqual(["child"]);
  });
});

import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { kfappFiles } from "../../../src/app/kfapp-files.js";
import { appDir } from "../../support/app-dir.js";

describe("kfappFiles", () => {
  it("reads and writes files by their path in the KFAPP directory", async () => {
    const dir = appDir({ "gcp_config/storage-kubeflow.yaml": "a: 1 # kept\n" });
    const files = kfappFiles(dir);
    expect(await files.read("gcp_config/storage-kubeflow.yaml")).toBe("a: 1 # kept\n");
    expect(await files.read("gcp_config/missing.yaml")).toBeUndefined();
    await files.write("gcp_config/storage-kubeflow.yaml", "a: 2 # kept\n");
    expect(await readFile(path.join(dir, "gcp_config/storage-kubeflow.yaml"), "utf8")).toBe("a: 2 # kept\n");
  });

  it("refuses a path that leads out of the directory", async () => {
    const files = kfappFiles(appDir());
    for (const file of ["../outside.yaml", "/etc/passwd", "gcp_config/../../x"]) {
      await expect(files.read(file)).rejects.toMatchObject({ code: "APP_FILE_OUTSIDE" });
      await expect(files.write(file, "x")).rejects.toMatchObject({ code: "APP_FILE_OUTSIDE" });
    }
  });
});

import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadApp } from "../../../../src/app/load-app.js";
import { params } from "../../../../src/cli/commands/params.js";
import { appDir, appDirFromFixture } from "../../../support/app-dir.js";

const APP =
  "apiVersion: kfp-upgrade/v1\nkind: KfpApp\nnamespace: kfp\nstorage:\n  mysql:\n    pvName: mysql-pv\n";

describe("params set", () => {
  it("writes kfp-app.yaml and says what it set", async () => {
    const dir = appDir({ "kfp-app.yaml": APP });
    const file = path.join(dir, "kfp-app.yaml");
    await expect(
      params({ action: "set", name: "minioPvName", value: "minio-pv", appDir: dir }),
    ).resolves.toEqual({
      data: { name: "minioPvName", value: "minio-pv", file, importedFrom: null },
      text: `Set minioPvName = minio-pv in ${file}`,
    });
    await expect(loadApp(dir)).resolves.toMatchObject({
      app: {
        namespace: "kfp",
        storage: { mysql: { pvName: "mysql-pv" }, objectStore: { pvName: "minio-pv" } },
      },
    });
  });

  it("keeps the user's comments, key order and quoting; only the value set changes", async () => {
    const commented = [
      "# our KFP on the shared cluster",
      "kind: KfpApp",
      "apiVersion: kfp-upgrade/v1",
      "",
      "# the team's namespace (moved in 2024)",
      "namespace: kfp # not kubeflow",
      'version: "2.14.3"',
      "release:",
      "  variant: default",
      "platform:",
      "  type: generic",
      "storage:",
      "  mysql:",
      "    pvName: mysql-pv # made by hand, see the runbook",
      "  objectStore: {} # a fresh volume for now",
      "",
    ].join("\n");
    const dir = appDir({ "kfp-app.yaml": commented });
    const file = path.join(dir, "kfp-app.yaml");
    await params({ action: "set", name: "namespace", value: "x", appDir: dir });
    const renamed = commented.replace("namespace: kfp # not kubeflow", "namespace: x # not kubeflow");
    expect(await readFile(file, "utf8")).toBe(renamed);
    await params({ action: "set", name: "minioPvName", value: "minio-pv", appDir: dir });
    expect(await readFile(file, "utf8")).toBe(
      renamed.replace("objectStore: {} #", "objectStore: { pvName: minio-pv } #"),
    );
    await params({ action: "unset", name: "minioPvName", appDir: dir });
    await expect(loadApp(dir)).resolves.toMatchObject({
      app: { namespace: "x", storage: { mysql: { pvName: "mysql-pv" }, objectStore: {} } },
    });
    expect(await readFile(file, "utf8")).toContain("    pvName: mysql-pv # made by hand, see the runbook\n");
  });

  it("says which of a PD and a PV name wins", async () => {
    const dir = appDir({ "kfp-app.yaml": APP });
    const result = await params({ action: "set", name: "mysqlPd", value: "db-disk", appDir: dir });
    expect(result.text).toBe(
      [
        `Set mysqlPd = db-disk in ${path.join(dir, "kfp-app.yaml")}`,
        "",
        "Notes:",
        '  - storage.mysql: gcpDisk "db-disk" (mysqlPd) wins over pvName "mysql-pv" (mysqlPvName), as in ksonnet; both are kept',
      ].join("\n"),
    );
  });

  it("imports a legacy ksonnet KFAPP first, and says so", async () => {
    const dir = appDirFromFixture("ksonnet-kfapp");
    const file = path.join(dir, "kfp-app.yaml");
    const result = await params({ action: "set", name: "minioPvName", value: "kfp-minio-pv-3", appDir: dir });
    expect(result.data).toEqual({
      name: "minioPvName",
      value: "kfp-minio-pv-3",
      file,
      importedFrom: path.join(dir, "ks_app/components/params.libsonnet"),
    });
    expect(result.text.split("\n").slice(0, 3)).toEqual([
      `Set minioPvName = kfp-minio-pv-3 in ${file}`,
      `${file} was created from the ksonnet app:`,
      "  - Imported the legacy ksonnet KFAPP from ks_app/components/params.libsonnet, ks_app/app.yaml, ks_app/environments/default/params.libsonnet, env.sh, ks_app/vendor/kubeflow/pipeline/pipeline.libsonnet",
    ]);
    await expect(loadApp(dir)).resolves.toMatchObject({
      source: "kfp-app.yaml",
      app: {
        namespace: "kfp",
        version: "0.1.16",
        storage: { mysql: { pvName: "kfp-mysql-pv" }, objectStore: { pvName: "kfp-minio-pv-3" } },
      },
    });
  });

  it("refuses a conflict and writes nothing", async () => {
    const dir = appDir({ "kfp-app.yaml": APP });
    await expect(
      params({ action: "set", name: "mysqlStorageClass", value: "ssd", appDir: dir }),
    ).rejects.toMatchObject({ code: "PARAM_INVALID", exitCode: 2 });
    expect(await readFile(path.join(dir, "kfp-app.yaml"), "utf8")).toBe(APP);
  });

  const usage = [
    {
      name: "set without a value",
      options: { action: "set", name: "mysqlPd" },
      message: "params set needs a value",
    },
    { name: "get without a name", options: { action: "get" }, message: "params get needs a name" },
    {
      name: "an unknown param",
      options: { action: "get", name: "pvName" },
      message: 'unknown param "pvName"',
    },
  ] as const;

  it.each(usage)("refuses $name", async ({ options, message }) => {
    await expect(params({ ...options, appDir: appDir() })).rejects.toMatchObject({ exitCode: 2, message });
  });
});

describe("params unset", () => {
  it("removes the param and names the default it falls back to", async () => {
    const dir = appDir({ "kfp-app.yaml": APP });
    const file = path.join(dir, "kfp-app.yaml");
    await expect(params({ action: "unset", name: "namespace", appDir: dir })).resolves.toMatchObject({
      data: { name: "namespace", value: "kubeflow", file },
      text: `Unset namespace in ${file} (now kubeflow, the default)`,
    });
    await expect(params({ action: "unset", name: "mysqlPvName", appDir: dir })).resolves.toMatchObject({
      text: `Unset mysqlPvName in ${file}`,
    });
  });
});

describe("params get", () => {
  const cases = [
    { name: "a set param prints its value", param: "mysqlPvName", data: "mysql-pv", text: "mysql-pv" },
    { name: "an unset param prints nothing", param: "mysqlPd", data: null, text: "" },
    { name: "a default prints the default", param: "variant", data: "default", text: "default" },
  ];

  it.each(cases)("$name", async ({ param, data, text }) => {
    const dir = appDir({ "kfp-app.yaml": APP });
    await expect(params({ action: "get", name: param, appDir: dir })).resolves.toEqual({
      data: { name: param, value: data },
      text,
    });
  });
});

describe("params list", () => {
  it("prints a table of every param and returns them as data", async () => {
    const dir = appDir({ "kfp-app.yaml": APP });
    const result = await params({ action: "list", appDir: dir });
    expect(result.data).toHaveLength(15);
    expect(result.data).toContainEqual({
      name: "mysqlPvName",
      value: "mysql-pv",
      path: "storage.mysql.pvName",
    });
    expect(result.text).toBe(`Params in ${path.join(dir, "kfp-app.yaml")}:

NAME               VALUE     PATH
namespace          kfp       namespace
context            -         context
version            -         version
mysqlPvName        mysql-pv  storage.mysql.pvName
minioPvName        -         storage.objectStore.pvName
mysqlPd            -         storage.mysql.gcpDisk
minioPd            -         storage.objectStore.gcpDisk
mysqlStorageClass  -         storage.mysql.storageClass
minioStorageClass  -         storage.objectStore.storageClass
platform           generic   platform
project            -         platform.project
zone               -         platform.zone
manifests          -         release.manifests
variant            default   release.variant
objectStore        -         release.objectStore`);
  });

  it("lists an imported ksonnet app with its notes, and writes nothing", async () => {
    const dir = appDirFromFixture("ksonnet-kfapp-gcp");
    const result = await params({ action: "list", appDir: dir });
    expect(result.text.split("\n")[0]).toBe(
      `Params imported from the ksonnet app (${path.join(dir, "ks_app/components/params.libsonnet")}), not saved yet:`,
    );
    expect(result.text).toContain("mysqlPd            kf-demo-storage-metadata-store  storage.mysql.gcpDisk");
    expect(result.text).toContain("Notes:\n  - Imported the legacy ksonnet KFAPP from");
    await expect(loadApp(dir)).resolves.toMatchObject({ source: "legacy-ksonnet" });
  });

  it("says when there is no kfp-app.yaml", async () => {
    const dir = appDir();
    const result = await params({ action: "list", appDir: dir });
    expect(result.text.split("\n")[0]).toBe(`No kfp-app.yaml in ${dir}; these are the defaults:`);
  });
});

import { describe, expect, it } from "vitest";
import { defaultApp, type KfpApp } from "../../../src/app/kfp-app.js";
import { loadApp } from "../../../src/app/load-app.js";
import {
  getParam,
  listParams,
  PARAM_NAMES,
  resolveParamName,
  setParam,
  unsetParam,
} from "../../../src/app/params.js";
import { saveApp } from "../../../src/app/save-app.js";
import { appDir } from "../../support/app-dir.js";

const gcpApp: KfpApp = {
  ...defaultApp(),
  platform: { type: "gcp", project: "my-project", zone: "us-east1-d" },
};

describe("setParam and getParam", () => {
  const cases = [
    { name: "namespace", value: "kfp", path: { namespace: "kfp" } },
    { name: "context", value: "gke_p_z_c", path: { context: "gke_p_z_c" } },
    { name: "version", value: "2.14.3", path: { version: "2.14.3" } },
    { name: "mysqlPvName", value: "mysql-pv", path: { storage: { mysql: { pvName: "mysql-pv" } } } },
    { name: "minioPvName", value: "minio-pv", path: { storage: { objectStore: { pvName: "minio-pv" } } } },
    {
      name: "mysqlPd",
      value: "kf-storage-metadata-store",
      path: { storage: { mysql: { gcpDisk: "kf-storage-metadata-store" } } },
    },
    {
      name: "minioPd",
      value: "kf-storage-artifact-store",
      path: { storage: { objectStore: { gcpDisk: "kf-storage-artifact-store" } } },
    },
    { name: "mysqlStorageClass", value: "ssd", path: { storage: { mysql: { storageClass: "ssd" } } } },
    {
      name: "minioStorageClass",
      value: "standard",
      path: { storage: { objectStore: { storageClass: "standard" } } },
    },
    {
      name: "platform",
      value: "gcp/other-project/europe-west1-b",
      path: { platform: { type: "gcp", project: "other-project", zone: "europe-west1-b" } },
    },
    {
      name: "project",
      value: "other-project",
      path: { platform: { type: "gcp", project: "other-project", zone: "us-east1-d" } },
    },
    {
      name: "zone",
      value: "us-central1-a",
      path: { platform: { type: "gcp", project: "my-project", zone: "us-central1-a" } },
    },
    { name: "manifests", value: "./bundles", path: { release: { manifests: "./bundles" } } },
    { name: "variant", value: "minio", path: { release: { variant: "minio" } } },
    { name: "objectStore", value: "keep-minio", path: { release: { objectStore: "keep-minio" } } },
  ];

  it("covers every param", () => {
    expect(cases.map((c) => c.name).sort()).toEqual([...PARAM_NAMES].sort());
  });

  it.each(cases)("$name", ({ name, value, path }) => {
    const app = setParam(gcpApp, name, value);
    expect(app).toMatchObject(path);
    expect(getParam(app, name)).toBe(value);
  });

  it("leaves the app it was given alone", () => {
    const app = defaultApp();
    setParam(app, "mysqlPd", "disk");
    expect(app).toEqual(defaultApp());
  });

  it("accepts the kfp-app.yaml path as the name", () => {
    expect(getParam(setParam(defaultApp(), "storage.mysql.pvName", "pv-1"), "mysqlPvName")).toBe("pv-1");
  });

  it("stores a version without its v", () => {
    expect(setParam(defaultApp(), "version", "v0.1.12").version).toBe("0.1.12");
  });

  it("keeps a PD next to a PV name (the PD wins in the plan)", () => {
    const app = setParam(setParam(defaultApp(), "mysqlPvName", "mysql-pv"), "mysqlPd", "disk");
    expect(app.storage.mysql).toEqual({ pvName: "mysql-pv", gcpDisk: "disk" });
  });

  it("reads platform as generic or gcp/PROJECT/ZONE", () => {
    expect(getParam(defaultApp(), "platform")).toBe("generic");
    expect(getParam(gcpApp, "platform")).toBe("gcp/my-project/us-east1-d");
    expect(getParam(defaultApp(), "project")).toBeUndefined();
  });
});

describe("unsetParam", () => {
  const cases = [
    { name: "mysqlPd", before: setParam(defaultApp(), "mysqlPd", "disk"), after: undefined },
    { name: "namespace", before: setParam(defaultApp(), "namespace", "kfp"), after: "kubeflow" },
    { name: "variant", before: setParam(defaultApp(), "variant", "minio"), after: "default" },
    { name: "platform", before: gcpApp, after: "generic" },
    { name: "version", before: setParam(defaultApp(), "version", "1.8.5"), after: undefined },
  ];

  it.each(cases)("$name goes back to its default", ({ name, before, after }) => {
    const app = unsetParam(before, name);
    expect(getParam(app, name)).toBe(after);
    expect(app.storage.mysql).toEqual({});
  });
});

describe("params that are refused", () => {
  const cases = [
    {
      name: "an unknown param lists the known ones",
      run: () => setParam(defaultApp(), "mysqlDisk", "x"),
      error: {
        code: "PARAM_UNKNOWN",
        exitCode: 2,
        message: 'unknown param "mysqlDisk"',
        hint: `Known params: ${PARAM_NAMES.join(", ")}`,
      },
    },
    {
      name: "a param in the wrong case suggests the right one",
      run: () => getParam(defaultApp(), "mysqlpd"),
      error: { code: "PARAM_UNKNOWN", message: 'unknown param "mysqlpd"; did you mean "mysqlPd"?' },
    },
    {
      name: "a StorageClass next to a PV name",
      run: () => setParam(setParam(defaultApp(), "mysqlPvName", "mysql-pv"), "mysqlStorageClass", "ssd"),
      error: {
        name: "UsageError",
        code: "PARAM_INVALID",
        exitCode: 2,
        message: 'cannot set mysqlStorageClass to "ssd"',
        details: ['storage.mysql: storageClass "ssd" conflicts with pvName "mysql-pv": choose one'],
        hint: "A StorageClass provisions a new volume; unset mysqlPvName and mysqlPd first (`kfp-upgrade params unset mysqlPvName`)",
      },
    },
    {
      name: "a PD next to a StorageClass",
      run: () => setParam(setParam(defaultApp(), "minioStorageClass", "ssd"), "minioPd", "disk"),
      error: {
        code: "PARAM_INVALID",
        details: ['storage.objectStore: storageClass "ssd" conflicts with gcpDisk "disk": choose one'],
        hint: "A PV or disk names an existing volume; unset minioStorageClass first (`kfp-upgrade params unset minioStorageClass`)",
      },
    },
    {
      name: "an unknown variant",
      run: () => setParam(defaultApp(), "variant", "seaweedfs"),
      error: {
        code: "PARAM_INVALID",
        details: ['release.variant: expected one of "default"|"minio", got "seaweedfs"'],
      },
    },
    {
      name: "a version that is not a release",
      run: () => setParam(defaultApp(), "version", "latest"),
      error: { code: "PARAM_INVALID", message: 'version "latest" is not a KFP version' },
    },
    {
      name: "an empty value",
      run: () => setParam(defaultApp(), "namespace", ""),
      error: { code: "PARAM_EMPTY", hint: "To clear it, run `kfp-upgrade params unset namespace`" },
    },
    {
      name: "a project on a generic platform",
      run: () => setParam(defaultApp(), "project", "my-project"),
      error: {
        code: "PARAM_NEEDS_GCP",
        hint: "Set the platform with its project and zone at once: `kfp-upgrade params set platform gcp/my-project/ZONE`",
      },
    },
    {
      name: "a platform that is neither generic nor gcp/PROJECT/ZONE",
      run: () => setParam(defaultApp(), "platform", "gcp/my-project"),
      error: {
        code: "PARAM_INVALID",
        message: 'platform "gcp/my-project" is not generic or gcp/PROJECT/ZONE',
      },
    },
    {
      name: "unsetting the zone of a gcp platform",
      run: () => unsetParam(gcpApp, "zone"),
      error: { code: "PARAM_REQUIRED", message: "zone is required while the platform is gcp" },
    },
  ];

  it.each(cases)("$name", ({ run, error }) => {
    expect(run).toThrow(expect.objectContaining(error));
  });
});

describe("listParams", () => {
  it("lists every param with its value and path, in a stable order", () => {
    const app = setParam(gcpApp, "mysqlPd", "disk");
    expect(listParams(app)).toEqual([
      { name: "namespace", value: "kubeflow", path: "namespace" },
      { name: "context", value: null, path: "context" },
      { name: "version", value: null, path: "version" },
      { name: "mysqlPvName", value: null, path: "storage.mysql.pvName" },
      { name: "minioPvName", value: null, path: "storage.objectStore.pvName" },
      { name: "mysqlPd", value: "disk", path: "storage.mysql.gcpDisk" },
      { name: "minioPd", value: null, path: "storage.objectStore.gcpDisk" },
      { name: "mysqlStorageClass", value: null, path: "storage.mysql.storageClass" },
      { name: "minioStorageClass", value: null, path: "storage.objectStore.storageClass" },
      { name: "platform", value: "gcp/my-project/us-east1-d", path: "platform" },
      { name: "project", value: "my-project", path: "platform.project" },
      { name: "zone", value: "us-east1-d", path: "platform.zone" },
      { name: "manifests", value: null, path: "release.manifests" },
      { name: "variant", value: "default", path: "release.variant" },
      { name: "objectStore", value: null, path: "release.objectStore" },
    ]);
  });

  it("resolves names and paths to the same param", () => {
    expect(PARAM_NAMES.map((name) => resolveParamName(name))).toEqual([...PARAM_NAMES]);
    expect(listParams(defaultApp()).map((param) => resolveParamName(param.path))).toEqual([...PARAM_NAMES]);
  });
});

describe("params round trip through kfp-app.yaml", () => {
  const cases = listParams(setParam(gcpApp, "version", "1.8.5")).map((param) => param.name);

  it.each(cases.map((name) => ({ name })))("$name: set, save, load, get", async ({ name }) => {
    const value =
      {
        namespace: "kfp",
        context: "ctx",
        version: "2.5.0",
        platform: "gcp/p/z",
        project: "p2",
        zone: "z2",
        variant: "minio",
        objectStore: "seaweedfs",
      }[name as string] ?? `${name.toLowerCase()}-value`;
    const dir = appDir();
    await saveApp(dir, setParam(gcpApp, name, value));
    const loaded = await loadApp(dir);
    expect(loaded.source).toBe("kfp-app.yaml");
    expect(getParam(loaded.app, name)).toBe(value);
  });
});

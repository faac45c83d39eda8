import path from "node:path";
import { describe, expect, it } from "vitest";
import { defaultApp } from "../../../src/app/kfp-app.js";
import { loadApp } from "../../../src/app/load-app.js";
import { appDir } from "../../support/app-dir.js";

const HEADER = "apiVersion: kfp-upgrade/v1\nkind: KfpApp\n";

describe("loadApp", () => {
  it("reads kfp-app.yaml and fills in the defaults", async () => {
    const dir = appDir({
      "kfp-app.yaml": `${HEADER}namespace: kfp\nversion: 1.8.5\nstorage:\n  mysql:\n    pvName: mysql-pv\n`,
    });
    await expect(loadApp(dir)).resolves.toEqual({
      app: {
        ...defaultApp(),
        namespace: "kfp",
        version: "1.8.5",
        storage: { mysql: { pvName: "mysql-pv" }, objectStore: {} },
      },
      source: "kfp-app.yaml",
      path: path.join(dir, "kfp-app.yaml"),
      notes: [],
    });
  });

  it("returns the defaults, source none, for an empty directory", async () => {
    const dir = appDir();
    await expect(loadApp(dir)).resolves.toEqual({
      app: defaultApp(),
      source: "none",
      path: path.join(dir, "kfp-app.yaml"),
      notes: [],
    });
  });

  it("returns the defaults for a directory that does not exist yet, and says it will be created", async () => {
    const dir = path.join(appDir(), "new-app");
    await expect(loadApp(dir)).resolves.toMatchObject({
      source: "none",
      notes: [`${dir} does not exist yet; it is created when the app is saved`],
    });
  });

  it("refuses a --app-dir that is a file", async () => {
    const dir = appDir({ "not-a-dir": "x" });
    await expect(loadApp(path.join(dir, "not-a-dir"))).rejects.toMatchObject({
      code: "APP_DIR_NOT_DIRECTORY",
      exitCode: 3,
    });
  });

  it("prefers kfp-app.yaml over a legacy ksonnet app, and says so", async () => {
    const dir = appDir({
      "kfp-app.yaml": HEADER,
      "ks_app/components/params.libsonnet": "{ components: { pipeline: { mysqlPd: 'd' } } }",
    });
    await expect(loadApp(dir)).resolves.toMatchObject({
      source: "kfp-app.yaml",
      app: { storage: { mysql: {} } },
      notes: [
        "ks_app/components/params.libsonnet is also here; kfp-app.yaml is used and the ksonnet app is ignored",
      ],
    });
  });

  it("imports a legacy ksonnet app without writing anything", async () => {
    const dir = appDir({
      "ks_app/components/params.libsonnet": "{ components: { pipeline: { mysqlPd: 'd' } } }",
    });
    const loaded = await loadApp(dir);
    expect(loaded).toMatchObject({
      source: "legacy-ksonnet",
      path: path.join(dir, "ks_app/components/params.libsonnet"),
      app: { storage: { mysql: { gcpDisk: "d" } } },
    });
    expect(loaded.notes.at(-1)).toBe(
      "Nothing is saved yet: check the values with `kfp-upgrade params list`; `kfp-upgrade params set NAME VALUE` saves them to kfp-app.yaml",
    );
    await expect(loadApp(dir)).resolves.toMatchObject({ source: "legacy-ksonnet" });
  });

  it("uses the defaults when the ksonnet app has no pipeline component", async () => {
    const dir = appDir({
      "ks_app/components/params.libsonnet": "{ components: { argo: { name: 'argo' } } }",
    });
    await expect(loadApp(dir)).resolves.toEqual({
      app: defaultApp(),
      source: "none",
      path: path.join(dir, "kfp-app.yaml"),
      notes: [
        "ks_app/components/params.libsonnet has no pipeline component; nothing to import, using the defaults",
      ],
    });
  });
});

describe("loadApp with a bad kfp-app.yaml", () => {
  const cases = [
    {
      name: "a number where a PV name belongs",
      yaml: `${HEADER}storage:\n  mysql:\n    pvName: 7\n`,
      details: ["storage.mysql.pvName: expected string, received number (kfp-app.yaml line 5)"],
    },
    {
      name: "the wrong apiVersion",
      yaml: "apiVersion: v1\nkind: KfpApp\n",
      details: ['apiVersion: expected "kfp-upgrade/v1", got "v1" (kfp-app.yaml line 1)'],
    },
    {
      name: "a missing apiVersion",
      yaml: "kind: KfpApp\n",
      details: ['apiVersion: required (expected "kfp-upgrade/v1")'],
    },
    {
      name: "a misspelt field, with the right spelling",
      yaml: `${HEADER}storage:\n  objectStore:\n    # the PV made by hand\n    pvname: minio-pv\n`,
      details: ['storage.objectStore.pvname: unknown field; did you mean "pvName"? (kfp-app.yaml line 6)'],
    },
    {
      name: "an unknown top-level field, with the known ones",
      yaml: `${HEADER}namespace: kubeflow\nreplicas: 3\n`,
      details: [
        "replicas: unknown field (known: apiVersion, kind, namespace, context, version, platform, storage, release) (kfp-app.yaml line 4)",
      ],
    },
    {
      name: "a StorageClass together with a PV name",
      yaml: `${HEADER}storage:\n  mysql: {}\n  objectStore:\n    pvName: minio-pv\n    storageClass: fast\n`,
      details: [
        'storage.objectStore: storageClass "fast" conflicts with pvName "minio-pv": choose one (kfp-app.yaml line 5)',
      ],
    },
    {
      name: "a gcp platform without a zone",
      yaml: `${HEADER}platform:\n  type: gcp\n  project: my-project\n`,
      details: ["platform.zone: required (expected string) (kfp-app.yaml line 3)"],
    },
    {
      name: "an unknown platform",
      yaml: `${HEADER}platform:\n  type: aws\n`,
      details: ['platform.type: expected one of "generic"|"gcp", got "aws" (kfp-app.yaml line 4)'],
    },
    {
      name: "a gcp-only field on a generic platform",
      yaml: `${HEADER}platform:\n  type: generic\n  project: my-project\n`,
      details: ["platform.project: unknown field here (kfp-app.yaml line 5)"],
    },
    {
      name: "an unknown bundle variant",
      yaml: `${HEADER}release:\n  manifests: ./bundles\n  variant: seaweedfs\n`,
      details: ['release.variant: expected one of "default"|"minio", got "seaweedfs" (kfp-app.yaml line 5)'],
    },
    {
      name: "an empty namespace",
      yaml: `${HEADER}namespace:\n`,
      details: ["namespace: expected string, received null (kfp-app.yaml line 3)"],
    },
    {
      name: "a list where the storage map belongs",
      yaml: `${HEADER}storage:\n  - mysql\n`,
      details: ["storage: expected object, received array (kfp-app.yaml line 3)"],
    },
    {
      name: "a field inside a flow mapping (the line of the mapping)",
      yaml: `${HEADER}storage: {mysql: {gcpDisk: 12}}\n`,
      details: ["storage.mysql.gcpDisk: expected string, received number (kfp-app.yaml line 3)"],
    },
    {
      name: "a document that is not a mapping",
      yaml: "just some text\n",
      details: ["(root): expected object, received string"],
    },
    {
      name: "every problem at once",
      yaml: `apiVersion: kfp-upgrade/v2\nkind: KfpApp\nversion: 2\nplatform:\n  type: gcp\n  zone: us-east1-d\n`,
      details: [
        'apiVersion: expected "kfp-upgrade/v1", got "kfp-upgrade/v2" (kfp-app.yaml line 1)',
        "version: expected string, received number (kfp-app.yaml line 3)",
        "platform.project: required (expected string) (kfp-app.yaml line 4)",
      ],
    },
  ];

  it.each(cases)("$name", async ({ yaml, details }) => {
    const dir = appDir({ "kfp-app.yaml": yaml });
    await expect(loadApp(dir)).rejects.toMatchObject({
      name: "ConfigError",
      code: "APP_INVALID",
      exitCode: 3,
      message: `kfp-app.yaml is not valid: ${details.length} problem${details.length === 1 ? "" : "s"}`,
      details,
      hint: "Fix the fields listed above; `kfp-upgrade params list` shows the params and what they mean",
    });
  });
});

describe("loadApp with kfp-app.yaml that is not YAML", () => {
  const cases = [
    {
      name: "a duplicated key",
      yaml: `${HEADER}namespace: a\nnamespace: b\n`,
      detail: "duplicated mapping key (kfp-app.yaml line 4)",
    },
    {
      name: "an unclosed quote",
      yaml: `${HEADER}namespace: "kubeflow\nversion: 1.8.5\n`,
      detail: "unexpected end of the stream within a double quoted scalar (kfp-app.yaml line 5)",
    },
    {
      name: "a key indented wrongly",
      yaml: `${HEADER}storage:\n  mysql:\n    pvName: a\n   gcpDisk: b\n`,
      detail: "bad indentation of a mapping entry (kfp-app.yaml line 6)",
    },
  ];

  it.each(cases)("$name", async ({ yaml, detail }) => {
    const dir = appDir({ "kfp-app.yaml": yaml });
    await expect(loadApp(dir)).rejects.toMatchObject({
      code: "APP_INVALID",
      exitCode: 3,
      message: "kfp-app.yaml is not valid YAML",
      details: [detail],
    });
  });

  it("calls an empty file empty", async () => {
    const dir = appDir({ "kfp-app.yaml": "# nothing yet\n" });
    await expect(loadApp(dir)).rejects.toMatchObject({
      code: "APP_INVALID",
      message: "kfp-app.yaml is empty",
    });
  });
});

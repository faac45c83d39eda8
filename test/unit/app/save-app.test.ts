import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { defaultApp, type KfpApp } from "../../../src/app/kfp-app.js";
import { loadApp } from "../../../src/app/load-app.js";
import { renderApp, saveApp } from "../../../src/app/save-app.js";
import { appDir } from "../../support/app-dir.js";

const full: KfpApp = {
  release: { variant: "minio", manifests: "./bundles" },
  storage: {
    objectStore: { storageClass: "standard" },
    mysql: { gcpDisk: "kf-storage-metadata-store", pvName: "old-pv" },
  },
  platform: { zone: "us-east1-d", project: "my-project", type: "gcp" },
  version: "2.14.3",
  context: "gke_my-project_us-east1-d_kf",
  namespace: "kfp",
  kind: "KfpApp",
  apiVersion: "kfp-upgrade/v1",
};

describe("renderApp", () => {
  it("writes the header, then the fields in schema order whatever order they came in", () => {
    expect(renderApp(full)).toBe(`# kfp-upgrade KFAPP: the desired state of this Kubeflow Pipelines install.
# Edit it by hand or with \`kfp-upgrade params set NAME VALUE\`; \`kfp-upgrade params list\` shows every param.
# kfp-upgrade rewrites this file when it saves it: comments other than this header are not kept.
apiVersion: kfp-upgrade/v1
kind: KfpApp
namespace: kfp
context: gke_my-project_us-east1-d_kf
version: 2.14.3
platform:
  type: gcp
  project: my-project
  zone: us-east1-d
storage:
  mysql:
    pvName: old-pv
    gcpDisk: kf-storage-metadata-store
  objectStore:
    storageClass: standard
release:
  manifests: ./bundles
  variant: minio
`);
  });

  it("keeps the release source and the image mirror, so later runs fetch and pull from the same places", async () => {
    const dir = appDir();
    const app: KfpApp = {
      ...defaultApp(),
      release: {
        variant: "default",
        source: "https://mirror.example.com/kubeflow/pipelines",
        imageRegistry: "mirror.local:5000",
      },
    };
    expect(renderApp(app)).toContain(
      "release:\n  variant: default\n  source: https://mirror.example.com/kubeflow/pipelines\n  imageRegistry: mirror.local:5000\n",
    );
    await saveApp(dir, app);
    expect((await loadApp(dir)).app.release).toEqual(app.release);
  });

  it("leaves unset fields out", () => {
    expect(renderApp(defaultApp())).toContain(
      "namespace: kubeflow\nplatform:\n  type: generic\nstorage:\n  mysql: {}\n  objectStore: {}\nrelease:\n  variant: default\n",
    );
  });

  it("quotes a version YAML would read as a number", () => {
    expect(renderApp({ ...defaultApp(), version: "1.10" })).toContain("version: '1.10'\n");
  });
});

describe("saveApp", () => {
  it("round-trips through loadApp", async () => {
    const dir = appDir();
    await expect(saveApp(dir, full)).resolves.toBe(path.join(dir, "kfp-app.yaml"));
    await expect(loadApp(dir)).resolves.toMatchObject({ app: full, source: "kfp-app.yaml", notes: [] });
  });

  it("replaces the file in one rename and leaves no temp file behind", async () => {
    const dir = appDir({ "kfp-app.yaml": "apiVersion: kfp-upgrade/v1\nkind: KfpApp\nnamespace: old\n" });
    await saveApp(dir, { ...defaultApp(), namespace: "new" });
    expect(await readdir(dir)).toEqual(["kfp-app.yaml"]);
    expect(await readFile(path.join(dir, "kfp-app.yaml"), "utf8")).toContain("namespace: new\n");
  });

  it("creates the directory", async () => {
    const dir = path.join(appDir(), "new", "app");
    await saveApp(dir, defaultApp());
    await expect(loadApp(dir)).resolves.toMatchObject({ source: "kfp-app.yaml" });
  });

  it("refuses to write an invalid app", async () => {
    const dir = appDir();
    const app = {
      ...defaultApp(),
      storage: { mysql: { pvName: "pv", storageClass: "sc" }, objectStore: {} },
    };
    await expect(saveApp(dir, app)).rejects.toMatchObject({
      code: "APP_INVALID",
      details: ['storage.mysql: storageClass "sc" conflicts with pvName "pv": choose one'],
    });
    expect(await readdir(dir)).toEqual([]);
  });
});

import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { defaultApp, type KfpApp } from "../../../src/app/kfp-app.js";
import { loadApp } from "../../../src/app/load-app.js";
import { renderApp, saveApp, updateAppText } from "../../../src/app/save-app.js";
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
# When kfp-upgrade saves it, it changes only the values that changed: comments and key order are kept.
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

describe("updateAppText", () => {
  const OLD_HEADER = `# kfp-upgrade KFAPP: the desired state of this Kubeflow Pipelines install.
# Edit it by hand or with \`kfp-upgrade params set NAME VALUE\`; \`kfp-upgrade params list\` shows every param.
# kfp-upgrade rewrites this file when it saves it: comments other than this header are not kept.
`;

  it("changes nothing when the app says what the file says", () => {
    const source = renderApp(full);
    expect(updateAppText(source, full)).toBe(source);
  });

  it("says in an old file's header that comments are now kept", () => {
    const source = `${OLD_HEADER}apiVersion: kfp-upgrade/v1\nkind: KfpApp\nnamespace: kubeflow # ours\n`;
    expect(updateAppText(source, { ...defaultApp(), namespace: "kfp" })).toBe(
      `${renderApp(defaultApp()).split("\n").slice(0, 3).join("\n")}\napiVersion: kfp-upgrade/v1\nkind: KfpApp\nnamespace: kfp # ours\nplatform:\n  type: generic\nstorage:\n  mysql: {}\n  objectStore: {}\nrelease:\n  variant: default\n`,
    );
  });

  it("removes a key the app no longer has, keeping the comments of the others", () => {
    const source = renderApp(full).replace("pvName: old-pv", "pvName: old-pv # the ksonnet PV");
    const app: KfpApp = { ...full, storage: { ...full.storage, mysql: { pvName: "old-pv" } } };
    const updated = updateAppText(source, app);
    expect(updated).toContain("  mysql:\n    pvName: old-pv # the ksonnet PV\n  objectStore:");
    expect(updated).not.toContain("gcpDisk");
  });

  it("quotes a new value YAML would read as a number", () => {
    const source = "apiVersion: kfp-upgrade/v1\nkind: KfpApp\nversion: 2.14.3 # installed\n";
    expect(updateAppText(source, { ...defaultApp(), version: "1.10" })).toContain(
      'version: "1.10" # installed\n',
    );
  });
});

import path from "node:path";
import { describe, expect, it } from "vitest";
import { defaultApp } from "../../../src/app/kfp-app.js";
import { detectLegacyKsonnet, importLegacyKsonnet } from "../../../src/app/legacy-ksonnet.js";
import { appDir, appDirFromFixture, FIXTURES_DIR } from "../../support/app-dir.js";

const PARAMS_FILE = "ks_app/components/params.libsonnet";
const pipeline = (fields: string) => `{\n  components: {\n    pipeline: {\n${fields}\n    },\n  },\n}\n`;

describe("importLegacyKsonnet on the fixtures", () => {
  it("imports the PV-name KFAPP, with the default environment's override", async () => {
    const imported = await importLegacyKsonnet(path.join(FIXTURES_DIR, "ksonnet-kfapp"));
    expect(imported).toEqual({
      app: {
        ...defaultApp(),
        namespace: "kfp",
        version: "0.1.16",
        storage: { mysql: { pvName: "kfp-mysql-pv" }, objectStore: { pvName: "kfp-minio-pv-2" } },
      },
      notes: [
        "Imported the legacy ksonnet KFAPP from ks_app/components/params.libsonnet, ks_app/app.yaml, ks_app/environments/default/params.libsonnet, env.sh, ks_app/vendor/kubeflow/pipeline/pipeline.libsonnet",
        'environment "default" overrides minioPvName (ks_app/environments/default/params.libsonnet)',
        "version 0.1.16 from the api-server image in ks_app/vendor/kubeflow/pipeline/pipeline.libsonnet",
      ],
      files: [
        "ks_app/components/params.libsonnet",
        "ks_app/app.yaml",
        "ks_app/environments/default/params.libsonnet",
        "env.sh",
        "ks_app/vendor/kubeflow/pipeline/pipeline.libsonnet",
      ],
      params: { name: "pipeline", mysqlPvName: "kfp-mysql-pv", minioPvName: "kfp-minio-pv-2" },
      environment: "default",
      packageRef: "6064e9a75e51f4f725d02e1bad853a7ae10861ea",
    });
  });

  it("imports the GCP KFAPP: platform, disks, and the PD winning over the PV name", async () => {
    const imported = await importLegacyKsonnet(path.join(FIXTURES_DIR, "ksonnet-kfapp-gcp"));
    expect(imported).toEqual({
      app: {
        ...defaultApp(),
        namespace: "kubeflow",
        version: "0.1.12",
        platform: { type: "gcp", project: "my-kf-project", zone: "us-east1-d" },
        storage: {
          mysql: { pvName: "old-mysql-pv", gcpDisk: "kf-demo-storage-metadata-store" },
          objectStore: { gcpDisk: "kf-demo-storage-artifact-store" },
        },
      },
      notes: [
        "Imported the legacy ksonnet KFAPP from ks_app/components/params.libsonnet, ks_app/app.yaml, ks_app/environments/default/params.libsonnet, env.sh, gcp_config/storage-kubeflow.yaml, ks_app/vendor/kubeflow/pipeline/pipeline.libsonnet",
        "version 0.1.12 from the api-server image in ks_app/vendor/kubeflow/pipeline/pipeline.libsonnet",
        'storage.mysql: gcpDisk "kf-demo-storage-metadata-store" (mysqlPd) wins over pvName "old-mysql-pv" (mysqlPvName), as in ksonnet; both are kept',
        'the pipeline disks belong to Deployment Manager deployment "kf-demo-storage" (createPipelinePersistentStorage: true): deleting it, or updating it with createPipelinePersistentStorage: false, can delete the disks and the data on them',
      ],
      files: [
        "ks_app/components/params.libsonnet",
        "ks_app/app.yaml",
        "ks_app/environments/default/params.libsonnet",
        "env.sh",
        "gcp_config/storage-kubeflow.yaml",
        "ks_app/vendor/kubeflow/pipeline/pipeline.libsonnet",
      ],
      params: {
        name: "pipeline",
        mysqlPvName: "old-mysql-pv",
        mysqlPd: "kf-demo-storage-metadata-store",
        minioPd: "kf-demo-storage-artifact-store",
      },
      environment: "default",
      packageRef: "a1afdd6c4b297b56dd103a8bb939ddeae67c2c92",
    });
  });
});

interface ImportCase {
  name: string;
  files: Record<string, string>;
  expected: Record<string, unknown> | undefined;
}

describe("importLegacyKsonnet on variations", () => {
  const cases: ImportCase[] = [
    {
      name: "no ksonnet app at all",
      files: {},
      expected: undefined,
    },
    {
      name: "a ksonnet app without a pipeline component",
      files: { [PARAMS_FILE]: "{ components: { argo: { name: 'argo' } } }" },
      expected: undefined,
    },
    {
      name: "only params.libsonnet: defaults everywhere else, and a request for the version",
      files: { [PARAMS_FILE]: pipeline("      mysqlPd: 'db-disk',") },
      expected: {
        app: { namespace: "kubeflow", version: undefined, storage: { mysql: { gcpDisk: "db-disk" } } },
        notes: [
          "Imported the legacy ksonnet KFAPP from ks_app/components/params.libsonnet",
          "the installed KFP version was not found in ks_app; set it with `kfp-upgrade params set version X.Y.Z`",
        ],
      },
    },
    {
      name: "an apiImage pinned in params.libsonnet (v0.4-style) wins over the vendored package",
      files: {
        [PARAMS_FILE]: pipeline("      apiImage: 'gcr.io/ml-pipeline/api-server:0.1.7',"),
        "ks_app/vendor/kubeflow/pipeline/pipeline.libsonnet":
          "{ params:: { apiImage: 'gcr.io/ml-pipeline/api-server:0.1.16' } }",
      },
      expected: {
        app: { version: "0.1.7" },
        notes: [
          "Imported the legacy ksonnet KFAPP from ks_app/components/params.libsonnet",
          "version 0.1.7 from apiImage, which params.libsonnet pins (upgrade_kfp.sh would not have moved it); kfp-upgrade moves every image to the target release",
        ],
      },
    },
    {
      name: "a package vendored as pipeline@<ref>, and the ref named when no image tag is found",
      files: {
        [PARAMS_FILE]: pipeline("      name: 'pipeline',"),
        "ks_app/app.yaml":
          "libraries:\n  kubeflow/pipeline:\n    name: pipeline\n    version: e6a363a51a4963a624758c931b5a13e56d98d8e0\n",
        "ks_app/vendor/kubeflow/pipeline@e6a363a5/pipeline.libsonnet":
          "{ params:: { apiImage: 'my-mirror/api-server:latest' } }",
      },
      expected: {
        app: { version: undefined },
        notes: [
          "Imported the legacy ksonnet KFAPP from ks_app/components/params.libsonnet, ks_app/app.yaml, ks_app/vendor/kubeflow/pipeline@e6a363a5/pipeline.libsonnet",
          "the installed KFP version was not found in ks_app; set it with `kfp-upgrade params set version X.Y.Z`",
          "ks_app/app.yaml pins kubeflow/pipeline at e6a363a51a4963a624758c931b5a13e56d98d8e0, the ref upgrade_kfp.sh installed; `kfp-upgrade versions` maps such commits to KFP versions",
        ],
      },
    },
    {
      name: "a param that is an expression is not imported, and the note says how to set it",
      files: {
        [PARAMS_FILE]: pipeline("      mysqlPvName: params.global.pv,\n      minioPvName: 'minio-pv',"),
      },
      expected: {
        app: { storage: { mysql: {}, objectStore: { pvName: "minio-pv" } } },
        notes: [
          "Imported the legacy ksonnet KFAPP from ks_app/components/params.libsonnet",
          "mysqlPvName in ks_app/components/params.libsonnet line 4 is not a literal (params.global.pv) and was not imported; set it with `kfp-upgrade params set mysqlPvName VALUE`",
          "the installed KFP version was not found in ks_app; set it with `kfp-upgrade params set version X.Y.Z`",
        ],
      },
    },
    {
      name: "null and 'null' mean unset, as ksonnet's defaults do",
      files: { [PARAMS_FILE]: pipeline("      mysqlPd: null,\n      minioPd: 'null',") },
      expected: { app: { storage: { mysql: {}, objectStore: {} } } },
    },
    {
      name: "an environment that replaces the component (no +:) drops the component's params",
      files: {
        [PARAMS_FILE]: pipeline("      mysqlPd: 'from-component',\n      minioPd: 'also-from-component',"),
        "ks_app/environments/default/params.libsonnet":
          "local params = std.extVar('__ksonnet/params');\nlocal envParams = params + { components+: { pipeline: { minioPd: 'from-env' } } };\n{}",
      },
      expected: { app: { storage: { mysql: {}, objectStore: { gcpDisk: "from-env" } } } },
    },
    {
      name: "several environments: default is imported, and the others are named",
      files: {
        [PARAMS_FILE]: pipeline("      mysqlPd: 'disk',"),
        "ks_app/app.yaml":
          "environments:\n  default:\n    destination:\n      namespace: kf-prod\n  staging:\n    destination:\n      namespace: kf-staging\n",
      },
      expected: {
        app: { namespace: "kf-prod" },
        notes: [
          "Imported the legacy ksonnet KFAPP from ks_app/components/params.libsonnet, ks_app/app.yaml",
          'ks_app has environments staging besides "default"; only "default" (the one kfctl.sh and upgrade_kfp.sh applied) was imported',
          "the installed KFP version was not found in ks_app; set it with `kfp-upgrade params set version X.Y.Z`",
        ],
      },
    },
    {
      name: "the NFS variant is named and not imported",
      files: { [PARAMS_FILE]: pipeline("      nfsPd: 'nfs-disk',") },
      expected: {
        notes: [
          "Imported the legacy ksonnet KFAPP from ks_app/components/params.libsonnet",
          'nfsPd "nfs-disk" (the NFS variant) was not imported: kfp-upgrade manages mysql-pv-claim and minio-pvc; move the artifacts to a minio PV first',
          "the installed KFP version was not found in ks_app; set it with `kfp-upgrade params set version X.Y.Z`",
        ],
      },
    },
  ];

  it.each(cases)("$name", async ({ files, expected }) => {
    const imported = await importLegacyKsonnet(appDir(files));
    if (expected === undefined) expect(imported).toBeUndefined();
    else expect(imported).toMatchObject(expected);
  });
});

interface GcpCase {
  name: string;
  files: Record<string, string>;
  platform: Record<string, string>;
  note: string;
}

describe("importLegacyKsonnet on GCP variations", () => {
  const cases: GcpCase[] = [
    {
      name: "no env.sh: the platform stays generic and the note asks for project and zone",
      files: { "env.sh": "" },
      platform: { type: "generic" },
      note: "this is a GCP KFAPP but its project could not be found (env.sh PROJECT/ZONE); the platform stays generic until you run `kfp-upgrade params set platform gcp/PROJECT/us-east1-d`",
    },
    {
      name: "no env.sh: the Deployment Manager deployment is read off the disk names",
      files: { "env.sh": "" },
      platform: { type: "generic" },
      note: 'the pipeline disks belong to Deployment Manager deployment "kf-demo-storage" (createPipelinePersistentStorage: true): deleting it, or updating it with createPipelinePersistentStorage: false, can delete the disks and the data on them',
    },
    {
      name: "disks that the params do not use",
      files: {
        [PARAMS_FILE]: pipeline("      mysqlPd: 'reused-metadata-disk',"),
      },
      platform: { type: "gcp", project: "my-kf-project", zone: "us-east1-d" },
      note: 'storage.objectStore: gcp_config/storage-kubeflow.yaml creates disk "kf-demo-storage-artifact-store" but no minioPd param uses it',
    },
    {
      name: "a reinstall config that creates no disks",
      files: {
        "gcp_config/storage-kubeflow.yaml":
          "resources:\n- name: kubeflow\n  type: storage.jinja\n  properties:\n    zone: us-east1-d\n    createPipelinePersistentStorage: false\n",
      },
      platform: { type: "gcp" },
      note: "gcp_config/storage-kubeflow.yaml does not create the pipeline disks (createPipelinePersistentStorage: false): the disks named by mysqlPd/minioPd must already exist",
    },
    {
      name: "a config that still holds kfctl's placeholder",
      files: {
        "gcp_config/storage-kubeflow.yaml":
          "resources:\n- name: kubeflow\n  type: storage.jinja\n  properties:\n    zone: SET_THE_ZONE\n    createPipelinePersistentStorage: SET_CREATE_PIPELINE_PERSISTENT_STORAGE\n",
      },
      platform: { type: "gcp", zone: "us-east1-d" },
      note: "gcp_config/storage-kubeflow.yaml still holds kfctl's placeholder for createPipelinePersistentStorage (`kfctl.sh generate platform` did not finish); no disks were created from it",
    },
  ];

  it.each(cases)("$name", async ({ files, platform, note }) => {
    const imported = await importLegacyKsonnet(appDirFromFixture("ksonnet-kfapp-gcp", files));
    expect(imported?.app.platform).toMatchObject(platform);
    expect(imported?.notes).toContain(note);
  });

  it("refuses a storage-kubeflow.yaml that is not a Deployment Manager config, naming the field", async () => {
    const dir = appDirFromFixture("ksonnet-kfapp-gcp", {
      "gcp_config/storage-kubeflow.yaml": "resources: []\n",
    });
    await expect(importLegacyKsonnet(dir)).rejects.toMatchObject({
      code: "LEGACY_INVALID",
      exitCode: 3,
      message: "gcp_config/storage-kubeflow.yaml is not a Deployment Manager storage config",
      details: [
        "resources: Too small: expected array to have >=1 items (gcp_config/storage-kubeflow.yaml line 1)",
      ],
    });
  });

  it("refuses a params.libsonnet that does not parse, naming the line", async () => {
    const dir = appDir({ [PARAMS_FILE]: "{\n  components: {\n    pipeline: { mysqlPd: 'x },\n  },\n}\n" });
    await expect(importLegacyKsonnet(dir)).rejects.toMatchObject({
      code: "LEGACY_INVALID",
      message: "ks_app/components/params.libsonnet line 3: unterminated string",
    });
  });
});

describe("detectLegacyKsonnet", () => {
  const cases: {
    name: string;
    files: Record<string, string>;
    expected: { hasPipeline: boolean } | undefined;
  }[] = [
    { name: "nothing", files: {}, expected: undefined },
    { name: "a pipeline component", files: { [PARAMS_FILE]: pipeline("") }, expected: { hasPipeline: true } },
    {
      name: "no pipeline component",
      files: { [PARAMS_FILE]: "{ components: {} }" },
      expected: { hasPipeline: false },
    },
  ];

  it.each(cases)("$name", async ({ files, expected }) => {
    const dir = appDir(files);
    const detected = await detectLegacyKsonnet(dir);
    if (expected === undefined) expect(detected).toBeUndefined();
    else expect(detected).toEqual({ ...expected, paramsFile: path.join(dir, PARAMS_FILE) });
  });
});

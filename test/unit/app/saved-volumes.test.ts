import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  loadVolumeDefinitions,
  saveVolumeDefinition,
  stripVolumeDefinition,
} from "../../../src/app/saved-volumes.js";
import { appDir } from "../../support/app-dir.js";

const boundPv = {
  apiVersion: "v1",
  kind: "PersistentVolume",
  metadata: {
    name: "kfp-mysql-pv",
    uid: "0b7c3f1e-8d2a-4c55-9f7e-1a2b3c4d5e6f",
    resourceVersion: "48213",
    creationTimestamp: "2019-04-10T08:00:00Z",
    generation: 1,
    selfLink: "/api/v1/persistentvolumes/kfp-mysql-pv",
    managedFields: [{ manager: "kube-controller-manager", operation: "Update" }],
    finalizers: ["kubernetes.io/pv-protection"],
    labels: { app: "mysql-pv" },
    annotations: { "pv.kubernetes.io/bound-by-controller": "yes", "team/owner": "ml-platform" },
  },
  spec: {
    capacity: { storage: "20Gi" },
    accessModes: ["ReadWriteOnce"],
    persistentVolumeReclaimPolicy: "Retain",
    gcePersistentDisk: { pdName: "kf-demo-storage-metadata-store", fsType: "ext4" },
    claimRef: { kind: "PersistentVolumeClaim", namespace: "kubeflow", name: "mysql-pv-claim", uid: "c1d2" },
  },
  status: { phase: "Bound" },
};

const stripped = {
  apiVersion: "v1",
  kind: "PersistentVolume",
  metadata: {
    name: "kfp-mysql-pv",
    labels: { app: "mysql-pv" },
    annotations: { "team/owner": "ml-platform" },
  },
  spec: {
    capacity: { storage: "20Gi" },
    accessModes: ["ReadWriteOnce"],
    persistentVolumeReclaimPolicy: "Retain",
    gcePersistentDisk: { pdName: "kf-demo-storage-metadata-store", fsType: "ext4" },
  },
};

describe("stripVolumeDefinition", () => {
  it("drops what the API server owns, the old claimRef and the status, and leaves the input alone", () => {
    const input = structuredClone(boundPv);
    expect(stripVolumeDefinition(input)).toEqual(stripped);
    expect(input).toEqual(boundPv);
  });
});

describe("saved volumes", () => {
  it("saves each role's PV, stripped, and loads them back", async () => {
    const dir = appDir();
    await expect(saveVolumeDefinition(dir, "mysql", boundPv)).resolves.toBe(
      path.join(dir, ".kfp-upgrade/volumes/mysql.yaml"),
    );
    const minio = { ...stripped, metadata: { name: "kfp-minio-pv" } };
    await saveVolumeDefinition(dir, "objectStore", minio);
    await expect(loadVolumeDefinitions(dir)).resolves.toEqual({ mysql: stripped, objectStore: minio });
    const text = await readFile(path.join(dir, ".kfp-upgrade/volumes/mysql.yaml"), "utf8");
    expect(text).not.toMatch(/uid|resourceVersion|claimRef|status|managedFields/);
  });

  it("loads nothing when nothing was saved", async () => {
    await expect(loadVolumeDefinitions(appDir())).resolves.toEqual({});
  });

  const bad = [
    {
      name: "not a PersistentVolume",
      yaml: "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: mysql-pv-claim\nspec: {}\n",
      details: [
        'kind: expected "PersistentVolume", got "PersistentVolumeClaim" (.kfp-upgrade/volumes/mysql.yaml line 2)',
      ],
    },
    {
      name: "no name",
      yaml: "apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  labels: {}\nspec: {}\n",
      details: ["metadata.name: required (expected string) (.kfp-upgrade/volumes/mysql.yaml line 3)"],
    },
    {
      name: "the wrong apiVersion",
      yaml: "apiVersion: v2\nkind: PersistentVolume\nmetadata:\n  name: pv\nspec: {}\n",
      details: ['apiVersion: expected "v1", got "v2" (.kfp-upgrade/volumes/mysql.yaml line 1)'],
    },
  ];

  it.each(bad)("refuses a saved file with $name", async ({ yaml, details }) => {
    const dir = appDir({ ".kfp-upgrade/volumes/mysql.yaml": yaml });
    await expect(loadVolumeDefinitions(dir)).rejects.toMatchObject({
      code: "SAVED_VOLUME_INVALID",
      exitCode: 3,
      message: ".kfp-upgrade/volumes/mysql.yaml is not a PersistentVolume definition",
      details,
    });
  });

  it("refuses a saved file that is not YAML, naming the line", async () => {
    const dir = appDir({
      ".kfp-upgrade/volumes/objectStore.yaml": "apiVersion: v1\nkind: [PersistentVolume\n",
    });
    await expect(loadVolumeDefinitions(dir)).rejects.toMatchObject({
      code: "SAVED_VOLUME_INVALID",
      message: ".kfp-upgrade/volumes/objectStore.yaml is not valid YAML",
      details: [
        "unexpected end of the stream within a flow collection (.kfp-upgrade/volumes/objectStore.yaml line 3)",
      ],
    });
  });

  it("refuses to save something that is not a PV", async () => {
    await expect(saveVolumeDefinition(appDir(), "mysql", { kind: "PersistentVolume" })).rejects.toMatchObject(
      {
        code: "INTERNAL",
      },
    );
  });
});

import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, onTestFinished } from "vitest";
import type { Defer } from "./derived-manifests.js";
import { e2eCluster, eventually, kubectl, kubectlJson, uniqueName } from "./e2e-cluster.js";
import { expectMysqlCanStart, mysqlVersionOf, serverOverlapsOn } from "./mysql-data.js";
import { runCli, SHARED_MANIFESTS } from "./run-cli.js";
import { seedMinioVolume, seedMysqlVolume } from "./seed-volume.js";
import { volumeFingerprint } from "./volume-fingerprint.js";

// A KFP install on seeded, pre-created PVs, made by the built CLI itself, for tests that break something mid-run
// and then check that the data survived: the same PV UIDs and byte-identical volume contents.

export interface DataPv {
  name: string;
  /** The directory behind the hostPath PV. */
  path: string;
  uid: string;
}

export interface DataPvOptions {
  /** e.g. "20Gi" (what KFP's claims request) */
  capacity: string;
  accessModes?: string[];
  seed?: (dir: string) => Promise<unknown>;
  defer?: Defer;
}

/**
 * A Retain hostPath PV over a fresh directory (filled by `seed`), removed with its directory through `defer`. Like
 * `createHostPathPv`, but usable from a `beforeAll` hook.
 */
export async function createDataPv(name: string, options: DataPvOptions): Promise<DataPv> {
  const dir = path.join(e2eCluster().hostPathRoot, name);
  await mkdir(dir, { recursive: true });
  const defer = options.defer ?? onTestFinished;
  defer(async () => {
    await kubectl(["delete", "persistentvolume", name, "--ignore-not-found", "--wait=false"]);
    await eventually(`persistentvolume/${name} deleted`, async () =>
      (await kubectl(["get", "persistentvolume", name, "--ignore-not-found", "-o", "name"])).trim() === ""
        ? true
        : undefined,
    );
    await rm(dir, { recursive: true, force: true });
  });
  if (options.seed) await options.seed(dir);
  const created = await kubectlJson<{ metadata: { uid: string } }>(["create", "-f", "-"], {
    input: JSON.stringify({
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: { name },
      spec: {
        capacity: { storage: options.capacity },
        accessModes: options.accessModes ?? ["ReadWriteOnce"],
        persistentVolumeReclaimPolicy: "Retain",
        storageClassName: "",
        hostPath: { path: dir, type: "Directory" },
      },
    }),
  });
  return { name, path: dir, uid: created.metadata.uid };
}

/** A namespace name whose namespace (however it came to exist) is deleted and waited for through `defer`. */
export function namespaceName(prefix: string, defer: Defer = onTestFinished): string {
  const namespace = uniqueName(prefix);
  defer(() => deleteNamespaceAndWait(namespace));
  return namespace;
}

export async function deleteNamespaceAndWait(namespace: string): Promise<void> {
  await kubectl(["delete", "namespace", namespace, "--ignore-not-found", "--wait=false"]);
  await eventually(
    `namespace/${namespace} gone`,
    async () =>
      (await kubectl(["get", "namespace", namespace, "--ignore-not-found", "-o", "name"])).trim() === ""
        ? true
        : undefined,
    { timeoutSeconds: 150, intervalMs: 500 },
  );
}

/** A temporary KFAPP directory, removed through `defer`. */
export async function tempAppDir(defer: Defer = onTestFinished): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "kfp-app-"));
  defer(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** PV name -> its UID now and a fingerprint of its directory (null: the directory is gone). */
export type DataState = Record<string, { uid: string | null; fingerprint: string | null }>;

export interface InstalledKfp {
  namespace: string;
  appDir: string;
  manifests: string;
  mysql: DataPv;
  objectStore: DataPv;
  /** The data volumes right after seeding, before the CLI ever ran: what every later state is compared with. */
  seeded: DataState;
}

export interface InstallOptions {
  prefix: string;
  /** Deploys the first release, then upgrades through the others, e.g. `["1.8.5", "2.0.5"]`. */
  versions: [string, ...string[]];
  /** Manifests directory (default the shared bundles); it is saved in the app, so later runs use it too. */
  manifests?: string;
  /**
   * The MySQL version recorded in the seeded data directory (`mysql_upgrade_info`), so the data-store simulation
   * checks the install's MySQL against it. Default: the version of the first release's MySQL image; null: none.
   */
  mysqlVersion?: string | null;
  defer?: Defer;
}

/**
 * Seeds a MySQL and a MinIO directory, wraps them in Retain PVs, and lets the built CLI deploy KFP onto them into a
 * new namespace (then upgrade through `versions`). Everything is removed through `defer`: the namespace first
 * (waited for, so the next test's before/after comparison of the cluster does not see it go), then the PVs.
 */
export async function installKfp(options: InstallOptions): Promise<InstalledKfp> {
  const defer = options.defer ?? onTestFinished;
  const manifests = options.manifests ?? SHARED_MANIFESTS;
  // Cleanups run in registration order or reversed depending on the hook; one cleanup fixes the order.
  const cleanups: (() => Promise<void> | void)[] = [];
  defer(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  const mysqlVersion =
    options.mysqlVersion === undefined
      ? mysqlVersionOf(options.versions[0], manifests)
      : (options.mysqlVersion ?? undefined);
  const mysql = await createDataPv(uniqueName(`${options.prefix}-mysql`), {
    capacity: "20Gi",
    seed: (dir) => seedMysqlVolume(dir, mysqlVersion === undefined ? {} : { mysqlVersion }),
    defer: (cleanup) => cleanups.push(cleanup),
  });
  const objectStore = await createDataPv(uniqueName(`${options.prefix}-minio`), {
    capacity: "20Gi",
    seed: seedMinioVolume,
    defer: (cleanup) => cleanups.push(cleanup),
  });
  const namespace = namespaceName(options.prefix, (cleanup) => cleanups.push(cleanup));
  const appDir = await tempAppDir((cleanup) => cleanups.push(cleanup));
  const installed: InstalledKfp = {
    namespace,
    appDir,
    manifests,
    mysql,
    objectStore,
    seeded: {
      [mysql.name]: { uid: mysql.uid, fingerprint: await volumeFingerprint(mysql.path) },
      [objectStore.name]: { uid: objectStore.uid, fingerprint: await volumeFingerprint(objectStore.path) },
    },
  };
  const [first, ...rest] = options.versions;
  const runs = [
    ["deploy", "--tag", first, "--mysql-pv", mysql.name, "--minio-pv", objectStore.name],
    ...rest.map((version) => ["upgrade", "--tag", version]),
  ];
  for (const args of runs) {
    const run = await runCli([...args, "--manifests", manifests, "-n", namespace], { appDir });
    if (run.exitCode !== 0) {
      throw new Error(`setup: kfp-upgrade ${args.join(" ")} exited ${run.exitCode}:\n${run.stderr}`);
    }
  }
  return installed;
}

/** The install's data volumes now, in the shape of `installed.seeded`. */
export async function dataState(installed: InstalledKfp): Promise<DataState> {
  const state: DataState = {};
  for (const volume of [installed.mysql, installed.objectStore]) {
    const pv = await kubectlJson<{ items: { metadata: { uid: string } }[] }>([
      "get",
      "persistentvolumes",
      "--field-selector",
      `metadata.name=${volume.name}`,
    ]);
    state[volume.name] = {
      uid: pv.items[0]?.metadata.uid ?? null,
      fingerprint: await volumeFingerprint(volume.path),
    };
  }
  return state;
}

/** claim name -> `<phase> <volumeName>` for the data claims of the namespace, e.g. "Bound kfp-mysql-1a2b". */
export async function dataClaims(namespace: string): Promise<Record<string, string>> {
  const list = await kubectlJson<{
    items: { metadata: { name: string }; spec: { volumeName?: string }; status: { phase?: string } }[];
  }>(["get", "persistentvolumeclaims", "-n", namespace]);
  return Object.fromEntries(
    list.items.map((claim) => [
      claim.metadata.name,
      `${claim.status.phase ?? "?"} ${claim.spec.volumeName ?? "-"}`,
    ]),
  );
}

/**
 * The data survived and is attached: the same bytes, each claim Bound to its own PV, MySQL would start on it (the
 * data-store simulation's rules) and no two MySQL servers ever ran on it at once.
 */
export async function expectDataIntactAndBound(
  kfp: InstalledKfp,
  /** The object store's claim: `seaweedfs-pvc` for an install deployed at 2.15 or later. */
  objectStoreClaim = "minio-pvc",
): Promise<void> {
  expect(await dataState(kfp)).toEqual(kfp.seeded);
  await expectMysqlCanStart({ namespace: kfp.namespace, dir: kfp.mysql.path });
  expect(await serverOverlapsOn(kfp.mysql.path)).toEqual([]);
  expect(await dataClaims(kfp.namespace)).toEqual({
    [objectStoreClaim]: `Bound ${kfp.objectStore.name}`,
    "mysql-pv-claim": `Bound ${kfp.mysql.name}`,
  });
}

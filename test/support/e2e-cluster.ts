import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { inject, onTestFinished } from "vitest";
import { waitFor } from "../../local-cluster/kube-rest.js";
import { attachCluster, deadProcessLogs, type LocalCluster } from "../../local-cluster/local-cluster.js";

/** What test/e2e/global-setup.ts hands every e2e test through vitest's provide/inject. */
export interface E2eClusterInfo {
  kubeconfigPath: string;
  stateDir: string;
  apiServerUrl: string;
  /** Test-created hostPath PVs go here (under /tmp, removed with the cluster). */
  hostPathRoot: string;
  /** Dynamically provisioned volumes appear here: /tmp/hostpath_pv/<uuid>. */
  provisionedRoot: string;
  kubernetesVersion: string;
  /** kubectl built with the control plane, so its version matches the server's. */
  kubectlPath: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    e2eCluster: E2eClusterInfo;
  }
}

/** The run's shared cluster. */
export function e2eCluster(): E2eClusterInfo {
  return inject("e2eCluster");
}

/** A handle on the shared cluster's processes (stopApiServer/startApiServer, logsTail) from inside a test. */
export async function sharedCluster(): Promise<LocalCluster> {
  const { stateDir } = e2eCluster();
  const cluster = await attachCluster(stateDir);
  if (!cluster) throw new Error(`no cluster recorded in ${stateDir}`);
  return cluster;
}

/** `prefix-<8 hex>`, a valid DNS-1123 name. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString("hex")}`;
}

export interface KubectlOptions {
  /** Written to stdin (e.g. for `apply -f -`). */
  input?: string;
  /** Defaults to the shared cluster's. */
  kubeconfigPath?: string;
}

/** kubectl (KUBECTL, else the one built with the control plane) against the shared cluster; resolves stdout. */
export function kubectl(args: readonly string[], options: KubectlOptions = {}): Promise<string> {
  const kubeconfig = options.kubeconfigPath ?? e2eCluster().kubeconfigPath;
  const binary = process.env.KUBECTL ?? e2eCluster().kubectlPath;
  return new Promise((resolve, reject) => {
    const child = execFile(
      binary,
      [`--kubeconfig=${kubeconfig}`, ...args],
      { maxBuffer: 64 * 1024 * 1024, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error)
          reject(new Error(`kubectl ${args.join(" ")}: ${stderr.trim() || error.message}`, { cause: error }));
        else resolve(stdout);
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** `kubectl ... -o json`, parsed. */
export async function kubectlJson<T = unknown>(
  args: readonly string[],
  options: KubectlOptions = {},
): Promise<T> {
  return JSON.parse(await kubectl([...args, "-o", "json"], options)) as T;
}

/** Polls until `check` returns something other than undefined (throws on timeout, naming `what`). */
export function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  options: { timeoutSeconds?: number; intervalMs?: number; onTimeout?: () => Promise<string> } = {},
): Promise<T> {
  return waitFor(what, check, {
    timeoutMs: (options.timeoutSeconds ?? 60) * 1000,
    intervalMs: options.intervalMs ?? 250,
    ...(options.onTimeout ? { onTimeout: options.onTimeout } : {}),
  });
}

/**
 * For a failure message: the shared cluster's processes (which have died), and the last lines of the logs of those
 * that died (the cluster's directory, logs included, goes at teardown).
 */
export async function clusterProcessReport(lines = 40): Promise<string> {
  const { processes, tails } = await deadProcessLogs(await sharedCluster(), lines);
  const summary = `cluster processes: ${processes.map((p) => `${p.name} ${p.running ? "running" : "DEAD"}`).join(", ")}`;
  return tails ? `${summary}\n${tails}` : summary;
}

/** A fresh namespace for the current test, deleted (without waiting) when the test finishes. */
export async function createTestNamespace(prefix = "e2e"): Promise<string> {
  const name = uniqueName(prefix);
  await kubectl(["create", "namespace", name]);
  onTestFinished(async () => {
    await kubectl(["delete", "namespace", name, "--wait=false", "--ignore-not-found"]);
  });
  return name;
}

export interface HostPathPvOptions {
  /** e.g. "1Gi" */
  capacity: string;
  accessModes?: string[];
  reclaimPolicy?: "Retain" | "Delete";
  /** Default "" (no class), so only claims that name this PV or ask for no class bind it. */
  storageClassName?: string;
  labels?: Record<string, string>;
  /** Fill the directory before the PV exists, e.g. `(dir) => seedMysqlVolume(dir)`. */
  seed?: (dir: string) => Promise<unknown>;
}

export interface HostPathPv {
  name: string;
  /** The directory on this machine that the PV points at. */
  path: string;
  uid: string;
}

/**
 * Creates `<hostPathRoot>/<name>` and a hostPath PV `name` pointing at it (the name is used as is: PVs are
 * cluster-scoped, so pass `uniqueName(...)`). When the test finishes the PV is deleted and the directory removed.
 */
export async function createHostPathPv(name: string, options: HostPathPvOptions): Promise<HostPathPv> {
  const path = join(e2eCluster().hostPathRoot, name);
  await mkdir(path, { recursive: true });
  if (options.seed) await options.seed(path);
  const pv = {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name, labels: options.labels ?? {} },
    spec: {
      capacity: { storage: options.capacity },
      accessModes: options.accessModes ?? ["ReadWriteOnce"],
      persistentVolumeReclaimPolicy: options.reclaimPolicy ?? "Retain",
      storageClassName: options.storageClassName ?? "",
      hostPath: { path, type: "Directory" },
    },
  };
  const created = JSON.parse(
    await kubectl(["create", "-f", "-", "-o", "json"], { input: JSON.stringify(pv) }),
  ) as {
    metadata: { uid: string };
  };
  onTestFinished(async () => {
    await kubectl(["delete", "persistentvolume", name, "--wait=false", "--ignore-not-found"]);
    await rm(path, { recursive: true, force: true });
  });
  return { name, path, uid: created.metadata.uid };
}

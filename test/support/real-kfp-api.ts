import { mkdir, readdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { onTestFinished } from "vitest";
import {
  REAL_SERVERS_ANNOTATION,
  type RealServerEvent,
  readRealServerEvents,
  realServersDir,
} from "../../local-cluster/real-kfp-servers.js";
import type { Defer } from "./derived-manifests.js";
import {
  clusterProcessReport,
  e2eCluster,
  eventually,
  kubectl,
  kubectlJson,
  uniqueName,
} from "./e2e-cluster.js";
import { type DataPv, namespaceName, tempAppDir } from "./installed-kfp.js";
import { runCli, SHARED_MANIFESTS } from "./run-cli.js";

// The real KFP API server of the local cluster (local-cluster/real-kfp-servers.ts), reached the way the product
// reaches it: through kube-apiserver's service proxy, with the admin kubeconfig.

/**
 * An empty Retain hostPath PV that opts in to the real servers: the pods whose claims bind it get a real MariaDB /
 * S3 server on its directory, and their namespace's ml-pipeline pod a real KFP API server.
 */
export async function createRealDataPv(name: string, defer: Defer = onTestFinished): Promise<DataPv> {
  const dir = path.join(e2eCluster().hostPathRoot, name);
  await mkdir(dir, { recursive: true });
  defer(async () => {
    await kubectl(["delete", "persistentvolume", name, "--ignore-not-found", "--wait=false"]);
    await eventually(`persistentvolume/${name} deleted`, async () =>
      (await kubectl(["get", "persistentvolume", name, "--ignore-not-found", "-o", "name"])).trim() === ""
        ? true
        : undefined,
    );
    await rm(dir, { recursive: true, force: true });
  });
  const created = await kubectlJson<{ metadata: { uid: string } }>(["create", "-f", "-"], {
    input: JSON.stringify({
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: { name, annotations: { [REAL_SERVERS_ANNOTATION]: "true" } },
      spec: {
        capacity: { storage: "20Gi" },
        accessModes: ["ReadWriteOnce"],
        persistentVolumeReclaimPolicy: "Retain",
        storageClassName: "",
        hostPath: { path: dir, type: "Directory" },
      },
    }),
  });
  return { name, path: dir, uid: created.metadata.uid };
}

export interface RealKfpInstall {
  namespace: string;
  appDir: string;
  mysql: DataPv;
  objectStore: DataPv;
}

/**
 * `kfp-upgrade deploy --tag VERSION` onto two new real-server PVs in a new namespace, then waits for the real KFP
 * API server to answer. Everything is removed through `defer`: the namespace first (it holds the PVs), then the PVs.
 * Throws with the CLI's stderr and the servers' logs when the deploy fails.
 */
export async function deployOnRealPvs(options: {
  prefix: string;
  version: string;
  manifests?: string;
  defer: Defer;
}): Promise<RealKfpInstall> {
  const { prefix, defer } = options;
  const mysql = await createRealDataPv(uniqueName(`${prefix}-mysql`), defer);
  const objectStore = await createRealDataPv(uniqueName(`${prefix}-minio`), defer);
  const appDir = await tempAppDir(defer);
  const namespace = namespaceName(prefix, defer);
  const deploy = await runCli(
    [
      "deploy",
      "--tag",
      options.version,
      "--mysql-pv",
      mysql.name,
      "--minio-pv",
      objectStore.name,
      "--manifests",
      options.manifests ?? SHARED_MANIFESTS,
      "-n",
      namespace,
    ],
    { appDir },
  );
  if (deploy.exitCode !== 0)
    throw new Error(
      `setup: deploy exited ${deploy.exitCode}:\n${deploy.stderr}\n${await realServerLogsTail(namespace)}`,
    );
  await waitForKfpApi(namespace);
  return { namespace, appDir, mysql, objectStore };
}

/** `/api/v1/namespaces/NS/services/ml-pipeline:8888/proxy` + `apiPath`. */
export function kfpProxyPath(namespace: string, apiPath: string): string {
  return `/api/v1/namespaces/${namespace}/services/ml-pipeline:8888/proxy${apiPath}`;
}

export interface KfpApiOptions {
  kubeconfigPath?: string;
}

/** GET through the service proxy, parsed. */
export async function kfpGet<T>(namespace: string, apiPath: string, options: KfpApiOptions = {}): Promise<T> {
  return JSON.parse(await kubectl(["get", "--raw", kfpProxyPath(namespace, apiPath)], options)) as T;
}

/** POST a JSON body through the service proxy, parsed. */
export async function kfpPost<T>(
  namespace: string,
  apiPath: string,
  body: unknown,
  options: KfpApiOptions = {},
): Promise<T> {
  return JSON.parse(
    await kubectl(["create", "--raw", kfpProxyPath(namespace, apiPath), "-f", "-"], {
      ...options,
      input: JSON.stringify(body),
    }),
  ) as T;
}

/** Waits until the namespace's KFP API server answers its health check through the service proxy. */
export async function waitForKfpApi(
  namespace: string,
  options: KfpApiOptions & { timeoutSeconds?: number } = {},
): Promise<void> {
  await eventually(
    `KFP API server of ${namespace} healthy through the service proxy`,
    async () => {
      // healthz is answered by the HTTP server itself; a list goes through its gRPC gateway, which dials the RPC
      // port lazily and backs off when that was not listening yet.
      await kfpGet(namespace, "/apis/v1beta1/healthz", options);
      await kfpGet(namespace, "/apis/v2beta1/experiments?page_size=1", options);
      return true;
    },
    {
      timeoutSeconds: options.timeoutSeconds ?? 150,
      intervalMs: 1000,
      onTimeout: async () => `${await clusterProcessReport()}\n${await realServerLogsTail(namespace)}`,
    },
  );
}

export interface V2Experiment {
  experiment_id: string;
  display_name: string;
  description?: string;
  created_at?: string;
  namespace?: string;
  storage_state?: string;
}

/** Every experiment, following next_page_token. */
export async function listExperiments(
  namespace: string,
  options: KfpApiOptions = {},
): Promise<V2Experiment[]> {
  const all: V2Experiment[] = [];
  let token = "";
  do {
    const page = await kfpGet<{ experiments?: V2Experiment[]; next_page_token?: string }>(
      namespace,
      `/apis/v2beta1/experiments?page_size=50${token ? `&page_token=${encodeURIComponent(token)}` : ""}`,
      options,
    );
    all.push(...(page.experiments ?? []));
    token = page.next_page_token ?? "";
  } while (token !== "");
  return all;
}

/** The real-server events of the shared cluster for pods of `namespace`. */
export async function realServerEvents(namespace: string): Promise<RealServerEvent[]> {
  return (await readRealServerEvents(e2eCluster().stateDir)).filter((event) =>
    event.pod.startsWith(`${namespace}/`),
  );
}

/** The last lines of every real server's log of `namespace`, for a failure message (the cluster dir goes at teardown). */
export async function realServerLogsTail(namespace: string, lines = 25): Promise<string> {
  const dir = realServersDir(e2eCluster().stateDir);
  const files = (await readdir(dir).catch(() => [] as string[])).filter(
    (file) => file.startsWith(`${namespace}_`) && file.endsWith(".log"),
  );
  const parts: string[] = [];
  for (const file of files) {
    const text = await readFile(path.join(dir, file), "utf8").catch(() => "");
    parts.push(`==> ${file} <==\n${text.split("\n").slice(-lines).join("\n")}`);
  }
  return parts.join("\n");
}

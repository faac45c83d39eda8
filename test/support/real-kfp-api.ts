import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { onTestFinished } from "vitest";
import {
  REAL_SERVERS_ANNOTATION,
  type RealServerEvent,
  readRealServerEvents,
} from "../../local-cluster/real-kfp-servers.js";
import type { Defer } from "./derived-manifests.js";
import { e2eCluster, eventually, kubectl, kubectlJson } from "./e2e-cluster.js";
import type { DataPv } from "./installed-kfp.js";

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
      const health = await kfpGet<{ commit_sha?: string }>(namespace, "/apis/v1beta1/healthz", options);
      return health ? true : undefined;
    },
    { timeoutSeconds: options.timeoutSeconds ?? 150, intervalMs: 1000 },
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

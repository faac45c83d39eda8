import { existsSync, readFileSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { get as httpGet } from "node:http";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type BinaryDirs, cachedBinaries, ensureBinaries } from "./build-binaries.js";
import { generatePki, type Pki, pkiPaths, writeAdminKubeconfig } from "./generate-pki.js";
import { createKubeRest, type KubeRest, waitFor } from "./kube-rest.js";
import { clusterStages, type KwokStage, loadUpstreamStages, stagesToYaml } from "./kwok-stages.js";
import {
  currentProcessIdentity,
  freePorts,
  isRunning,
  isRunningSync,
  killNow,
  type RecordedProcess,
  rssKiB,
  spawnDetached,
  stopProcess,
} from "./process-control.js";
import { devClusterStateDir, e2eClusterStateDirs } from "./state-dirs.js";

/** Where the in-tree hostPath provisioner of kube-controller-manager puts volumes; hard-coded upstream. */
export const PROVISIONED_ROOT = "/tmp/hostpath_pv";

/** Name of the default StorageClass (provisioner kubernetes.io/host-path, reclaimPolicy Delete). */
export const DEFAULT_STORAGE_CLASS = "standard";

export const PROCESS_NAMES = [
  "etcd",
  "kube-apiserver",
  "kube-controller-manager",
  "kube-scheduler",
  "kwok",
  "data-store-simulator",
] as const;
export type ProcessName = (typeof PROCESS_NAMES)[number];

export interface NodeSpec {
  name: string;
  zone: string;
}

export const DEFAULT_NODES: readonly NodeSpec[] = [
  { name: "kwok-node-a", zone: "zone-a" },
  { name: "kwok-node-b", zone: "zone-b" },
];

export interface StartClusterOptions {
  /**
   * Everything of this cluster lives here: pki, kubeconfig, etcd data, logs, state.json, test volumes.
   * Keep it under /tmp: the hostPath deleter only removes paths matching /tmp/.+
   */
  stateDir: string;
  /** Fake kwok nodes; default two nodes in zone-a and zone-b. */
  nodes?: readonly NodeSpec[];
  /** Extra kwok stages, added to (or replacing by name) the default set. */
  extraStages?: readonly KwokStage[];
  /** Build missing binaries first (needs Go and the module proxy). Default false: use the cache or fail. */
  build?: boolean;
  timeoutMs?: number;
  log?: (line: string) => void;
}

/** state.json: everything needed to find, stop or restart the cluster from another process. */
export interface ClusterState {
  schema: 1;
  stateDir: string;
  kubeconfigPath: string;
  apiServerUrl: string;
  hostPathRoot: string;
  provisionedRoot: string;
  kubernetesVersion: string;
  ports: { etcdClient: number; etcdPeer: number; apiServer: number };
  /** The control plane's binaries (helm, a tool the tests use, is not recorded). */
  binaries: Record<Exclude<keyof BinaryDirs, "helm">, string>;
  processes: Partial<Record<ProcessName, RecordedProcess>>;
  startedAt: string;
  startSeconds?: number;
  /** The process that called startCluster (test runner, CLI); `reap` leaves clusters whose owner still runs. */
  owner?: { pid: number; startTime?: string };
}

export interface ProcessStatus {
  name: ProcessName;
  pid: number;
  binary: string;
  running: boolean;
  rssKiB: number | undefined;
}

export interface LocalCluster {
  stateDir: string;
  kubeconfigPath: string;
  /** https://127.0.0.1:<port> */
  apiServerUrl: string;
  /** Directory for test-created hostPath PVs (createHostPathPv); under stateDir, removed by stop(). */
  hostPathRoot: string;
  /** Where dynamically provisioned volumes appear: /tmp/hostpath_pv/<uuid>, shared by all clusters on the host. */
  provisionedRoot: string;
  kubernetesVersion: string;
  /** kubectl built with the control plane (same version). */
  kubectlPath: string;
  /** Seconds startCluster took (undefined for a cluster attached without that record). */
  startSeconds: number | undefined;
  /** Stops every process by recorded pid, removes provisioned volumes of this cluster and the state dir. */
  stop(): Promise<void>;
  /**
   * Stops kube-apiserver only; etcd and its data stay. SIGTERM makes it stop listening at once, but it then
   * waits up to 60s for connected clients (the controllers' watches) to go, so after `graceMs` (default 3000)
   * it gets SIGKILL. `graceMs: 0` is a plain crash.
   */
  stopApiServer(options?: { graceMs?: number }): Promise<void>;
  /**
   * Starts kube-apiserver again with the same flags and port, and waits for /readyz. The controllers and kwok
   * reconnect on their own, but client-go backs off (up to ~60s after a few restarts in two minutes); pass
   * `restartControllers: true` to restart them too when a test needs them responsive at once.
   */
  startApiServer(options?: { restartControllers?: boolean }): Promise<void>;
  /** Restarts kube-controller-manager, kube-scheduler and kwok with the same flags (fresh informers). */
  restartControllers(): Promise<void>;
  /** Restarts kwok with the default stages plus `extra` (a stage named like a default replaces it). */
  setKwokStages(extra: readonly KwokStage[]): Promise<void>;
  /** The last `lines` lines of each component log, for failure messages. */
  logsTail(lines?: number): Promise<string>;
  processes(): Promise<ProcessStatus[]>;
  /** A minimal HTTPS client with admin credentials. */
  rest(): Promise<KubeRest>;
}

const STATE_FILE = "state.json";

function statePath(stateDir: string): string {
  return join(stateDir, STATE_FILE);
}

async function readState(stateDir: string): Promise<ClusterState | undefined> {
  const text = await readFile(statePath(stateDir), "utf8").catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as ClusterState);
}

async function writeState(state: ClusterState): Promise<void> {
  const tmp = `${statePath(state.stateDir)}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`);
  await rename(tmp, statePath(state.stateDir));
}

async function updateState(stateDir: string, change: (state: ClusterState) => void): Promise<ClusterState> {
  const state = await readState(stateDir);
  if (!state) throw new Error(`${statePath(stateDir)}: no cluster state`);
  change(state);
  await writeState(state);
  return state;
}

function etcdArgs(state: ClusterState): string[] {
  const peer = `http://127.0.0.1:${state.ports.etcdPeer}`;
  const client = `http://127.0.0.1:${state.ports.etcdClient}`;
  return [
    "--name=e2e",
    `--data-dir=${join(state.stateDir, "etcd")}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=e2e=${peer}`,
    "--initial-cluster-state=new",
    // Throwaway test data: skipping fsync makes a big difference on small CI disks.
    "--unsafe-no-fsync",
    "--log-level=warn",
  ];
}

function apiServerArgs(state: ClusterState, pki: Pki): string[] {
  return [
    `--etcd-servers=http://127.0.0.1:${state.ports.etcdClient}`,
    "--bind-address=127.0.0.1",
    // Mandatory without a default route (the test netns has only lo).
    "--advertise-address=127.0.0.1",
    `--secure-port=${state.ports.apiServer}`,
    `--cert-dir=${join(state.stateDir, "apiserver-certs")}`,
    `--tls-cert-file=${pki.apiServerCert}`,
    `--tls-private-key-file=${pki.apiServerKey}`,
    `--client-ca-file=${pki.caCert}`,
    "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
    `--service-account-key-file=${pki.serviceAccountPub}`,
    `--service-account-signing-key-file=${pki.serviceAccountKey}`,
    "--authorization-mode=Node,RBAC",
    "--service-cluster-ip-range=10.96.0.0/16",
    "--allow-privileged=true",
    // 127.0.0.1 is not a valid Endpoints address; without this the reconciler logs errors forever.
    "--endpoint-reconciler-type=none",
    "--profiling=false",
  ];
}

function controllerManagerArgs(state: ClusterState, pki: Pki): string[] {
  return [
    `--kubeconfig=${state.kubeconfigPath}`,
    "--controllers=*",
    "--use-service-account-credentials=true",
    `--service-account-private-key-file=${pki.serviceAccountKey}`,
    `--root-ca-file=${pki.caCert}`,
    "--service-cluster-ip-range=10.96.0.0/16",
    // Dynamic provisioning into /tmp/hostpath_pv/<uuid>, and rm -rf on reclaimPolicy Delete.
    "--enable-hostpath-provisioner=true",
    "--pvclaimbinder-sync-period=5s",
    "--kube-api-qps=100",
    "--kube-api-burst=200",
    "--leader-elect=false",
    "--secure-port=0",
    "--profiling=false",
  ];
}

function schedulerArgs(state: ClusterState): string[] {
  return [
    `--kubeconfig=${state.kubeconfigPath}`,
    "--leader-elect=false",
    "--secure-port=0",
    "--profiling=false",
    "--kube-api-qps=100",
    "--kube-api-burst=200",
  ];
}

function kwokArgs(state: ClusterState): string[] {
  return [
    `--kubeconfig=${state.kubeconfigPath}`,
    `--config=${join(state.stateDir, "kwok", "stages.yaml")}`,
    "--manage-all-nodes=true",
    // Anything dialling a "kubelet" hits loopback and is refused at once.
    "--node-ip=127.0.0.1",
    "--cidr=10.244.0.0/16",
    "--node-lease-duration-seconds=40",
  ];
}

/**
 * The data-store simulator (data-store-simulator.ts) runs on this Node with tsx's loader, resolved from this
 * checkout so it works whatever the working directory.
 */
function simulatorArgs(state: ClusterState): string[] {
  const tsxLoader = createRequire(import.meta.url).resolve("tsx");
  const script = fileURLToPath(new URL("./data-store-simulator.ts", import.meta.url));
  return ["--import", pathToFileURL(tsxLoader).href, script, state.stateDir];
}

function binaryPath(state: ClusterState, name: ProcessName): string {
  switch (name) {
    case "data-store-simulator":
      return process.execPath;
    case "etcd":
      return join(state.binaries.etcd, "etcd");
    case "kwok":
      return join(state.binaries.kwok, "kwok");
    case "kube-apiserver":
    case "kube-controller-manager":
    case "kube-scheduler":
      return join(state.binaries.kubernetes, name);
    default:
      return name satisfies never;
  }
}

async function launch(stateDir: string, name: ProcessName, args: string[]): Promise<RecordedProcess> {
  const state = await readState(stateDir);
  if (!state) throw new Error(`${statePath(stateDir)}: no cluster state`);
  const recorded = spawnDetached(name, binaryPath(state, name), args, join(stateDir, "logs", `${name}.log`));
  await updateState(stateDir, (s) => {
    s.processes[name] = recorded;
  });
  return recorded;
}

function httpOk(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpGet(url, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(false));
  });
}

async function assertAlive(stateDir: string, name: ProcessName): Promise<void> {
  const state = await readState(stateDir);
  const recorded = state?.processes[name];
  if (recorded && !(await isRunning(recorded))) {
    throw new Error(`${name} (pid ${recorded.pid}) exited; see ${recorded.logPath}`);
  }
}

async function waitApiServerReady(stateDir: string, rest: KubeRest, timeoutMs: number): Promise<void> {
  await waitFor(
    "kube-apiserver /readyz",
    async () => {
      await assertAlive(stateDir, "kube-apiserver");
      const res = await rest.request("GET", "/readyz");
      return res.statusCode === 200 ? true : undefined;
    },
    { timeoutMs, intervalMs: 250 },
  );
}

async function createBootstrapObjects(rest: KubeRest, nodes: readonly NodeSpec[]): Promise<void> {
  await rest.expect(
    "POST",
    "/apis/storage.k8s.io/v1/storageclasses",
    {
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: {
        name: DEFAULT_STORAGE_CLASS,
        annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
      },
      provisioner: "kubernetes.io/host-path",
      reclaimPolicy: "Delete",
      volumeBindingMode: "Immediate",
    },
    [409],
  );
  for (const node of nodes) {
    await rest.expect(
      "POST",
      "/api/v1/nodes",
      {
        apiVersion: "v1",
        kind: "Node",
        metadata: {
          name: node.name,
          labels: {
            "kubernetes.io/hostname": node.name,
            "kubernetes.io/os": "linux",
            "kubernetes.io/arch": "amd64",
            "topology.kubernetes.io/region": "local",
            "topology.kubernetes.io/zone": node.zone,
            type: "kwok",
          },
          annotations: { "kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0" },
        },
        status: {
          allocatable: { cpu: "64", memory: "256Gi", pods: "500" },
          capacity: { cpu: "64", memory: "256Gi", pods: "500" },
        },
      },
      [409],
    );
  }
}

interface NodeList {
  items: { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } }[];
}

async function waitClusterUsable(
  stateDir: string,
  rest: KubeRest,
  nodes: readonly NodeSpec[],
  timeoutMs: number,
) {
  await waitFor(
    `${nodes.length} kwok node(s) Ready`,
    async () => {
      await assertAlive(stateDir, "kwok");
      await assertAlive(stateDir, "data-store-simulator");
      const list = (await rest.expect("GET", "/api/v1/nodes")) as NodeList;
      const ready = list.items.filter((node) =>
        node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
      );
      return ready.length >= nodes.length ? true : undefined;
    },
    { timeoutMs },
  );
  // The serviceaccount and root-ca-cert-publisher controllers ran: kube-controller-manager is working.
  await waitFor(
    "kube-controller-manager (default ServiceAccount and kube-root-ca.crt)",
    async () => {
      await assertAlive(stateDir, "kube-controller-manager");
      const sa = await rest.request("GET", "/api/v1/namespaces/default/serviceaccounts/default");
      const cm = await rest.request("GET", "/api/v1/namespaces/default/configmaps/kube-root-ca.crt");
      return sa.statusCode === 200 && cm.statusCode === 200 ? true : undefined;
    },
    { timeoutMs },
  );
}

/**
 * kwok takes over a node only once the node's Lease (held by the previous kwok's random identity) expires, which
 * stalls every pod for up to --node-lease-duration-seconds. After stopping kwok, drop those Leases so a new kwok
 * acquires the nodes at once.
 */
async function releaseNodeLeases(rest: KubeRest): Promise<void> {
  const path = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases";
  const list = (await rest.expect("GET", path)) as { items: { metadata: { name: string } }[] };
  for (const lease of list.items)
    await rest.expect("DELETE", `${path}/${lease.metadata.name}`, undefined, [404]);
}

async function restartKwok(stateDir: string, rest: KubeRest, args: string[]): Promise<void> {
  const state = await readState(stateDir);
  const recorded = state?.processes.kwok;
  if (recorded) await stopProcess(recorded);
  await releaseNodeLeases(rest);
  await launch(stateDir, "kwok", args);
  await waitFor(
    "kwok to hold every node's Lease",
    async () => {
      await assertAlive(stateDir, "kwok");
      const nodes = (await rest.expect("GET", "/api/v1/nodes")) as NodeList;
      const leases = (await rest.expect(
        "GET",
        "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases",
      )) as {
        items: { metadata: { name: string }; spec?: { holderIdentity?: string } }[];
      };
      const held = new Set(leases.items.filter((l) => l.spec?.holderIdentity).map((l) => l.metadata.name));
      return nodes.items.every((node) => held.has(node.metadata.name)) ? true : undefined;
    },
    { timeoutMs: 30_000 },
  );
}

async function writeKwokStages(state: ClusterState, extra: readonly KwokStage[]): Promise<void> {
  const upstream = await loadUpstreamStages(state.binaries.kwok);
  await writeFile(join(state.stateDir, "kwok", "stages.yaml"), stagesToYaml(clusterStages(upstream, extra)));
}

async function tailFile(path: string, lines: number): Promise<string> {
  const text = await readFile(path, "utf8").catch(() => "");
  return text
    .split("\n")
    .slice(-lines - 1)
    .join("\n");
}

async function logsTail(stateDir: string, lines = 30): Promise<string> {
  const dir = join(stateDir, "logs");
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith(".log")).sort();
  const parts: string[] = [];
  for (const file of files)
    parts.push(`==> ${join(dir, file)} <==\n${await tailFile(join(dir, file), lines)}`);
  return parts.join("\n");
}

interface PvList {
  items: { metadata: { annotations?: Record<string, string> }; spec?: { hostPath?: { path?: string } } }[];
}

async function hostPathsOfPvs(state: ClusterState): Promise<{ path: string; provisioned: boolean }[]> {
  const apiServer = state.processes["kube-apiserver"];
  if (!apiServer || !(await isRunning(apiServer))) return [];
  const rest = await createKubeRest(state.apiServerUrl, pkiPaths(join(state.stateDir, "pki")));
  const res = await rest.request("GET", "/api/v1/persistentvolumes").catch(() => undefined);
  if (res?.statusCode !== 200) return [];
  return (res.body as PvList).items.flatMap((pv) => {
    const path = pv.spec?.hostPath?.path;
    if (path === undefined) return [];
    const provisioned =
      pv.metadata.annotations?.["pv.kubernetes.io/provisioned-by"] === "kubernetes.io/host-path";
    return [{ path, provisioned }];
  });
}

/**
 * Provisioned volumes live outside the state dir (/tmp/hostpath_pv); remove the ones this cluster made, except
 * those a PV of another running cluster points at (a test may have "reinstalled" them into a second cluster).
 */
async function removeProvisionedVolumes(state: ClusterState): Promise<void> {
  const candidates = (await hostPathsOfPvs(state))
    .filter((pv) => pv.provisioned && pv.path.startsWith(`${state.provisionedRoot}/`))
    .map((pv) => pv.path);
  if (candidates.length === 0) return;
  const inUse = new Set<string>();
  for (const dir of [devClusterStateDir(), ...(await e2eClusterStateDirs())]) {
    if (dir === state.stateDir) continue;
    const other = await readState(dir).catch(() => undefined);
    if (other) for (const pv of await hostPathsOfPvs(other)) inUse.add(pv.path);
  }
  for (const path of candidates) if (!inUse.has(path)) await rm(path, { recursive: true, force: true });
}

const STOP_ORDER: readonly ProcessName[][] = [
  ["data-store-simulator", "kwok", "kube-scheduler", "kube-controller-manager"],
  ["kube-apiserver"],
  ["etcd"],
];

/**
 * Stops the cluster recorded in `stateDir` (by pid) and removes the directory. Idempotent: false when there
 * was nothing to stop. Refuses to delete a non-empty directory that holds no state.json.
 */
export async function stopClusterAt(stateDir: string): Promise<boolean> {
  const state = await readState(stateDir);
  if (!state) {
    const entries = await readdir(stateDir).catch(() => undefined);
    if (entries === undefined) return false;
    if (entries.length > 0) throw new Error(`${stateDir} holds no ${STATE_FILE}; not removing it`);
    await rm(stateDir, { recursive: true, force: true });
    return false;
  }
  await removeProvisionedVolumes(state).catch(() => undefined);
  for (const group of STOP_ORDER) {
    await Promise.all(
      group.map((name) => {
        const recorded = state.processes[name];
        return recorded ? stopProcess(recorded) : Promise.resolve();
      }),
    );
  }
  await rm(stateDir, { recursive: true, force: true });
  return true;
}

/**
 * True when the process that started the cluster in `stateDir` may still be using it: it is running, or the
 * state does not say who it is (then nobody can tell, so assume yes).
 */
export async function clusterOwnerRunning(stateDir: string): Promise<boolean> {
  const state = await readState(stateDir);
  if (!state) return false;
  return state.owner === undefined || isRunningSync({ ...state.owner, binary: "" });
}

/** For `process.on("exit")`: SIGKILLs every recorded process synchronously. Leaves the directory. */
export function killClusterNow(stateDir: string): void {
  const path = statePath(stateDir);
  if (!existsSync(path)) return;
  const state = JSON.parse(readFileSync(path, "utf8")) as ClusterState;
  for (const recorded of Object.values(state.processes)) {
    if (isRunningSync(recorded)) killNow(recorded.pid);
  }
}

function handle(state: ClusterState): LocalCluster {
  const { stateDir } = state;
  const pki = pkiPaths(join(stateDir, "pki"));
  const rest = () => createKubeRest(state.apiServerUrl, pki);
  const restartControllers = async () => {
    const current = await readState(stateDir);
    if (!current) throw new Error(`${statePath(stateDir)}: no cluster state`);
    const names = ["kube-controller-manager", "kube-scheduler"] as const;
    await Promise.all(
      names.map((name) => {
        const recorded = current.processes[name];
        return recorded ? stopProcess(recorded) : Promise.resolve();
      }),
    );
    for (const name of names) {
      const recorded = current.processes[name];
      if (recorded) await launch(stateDir, name, recorded.args);
    }
    await restartKwok(stateDir, await rest(), kwokArgs(current));
  };
  return {
    stateDir,
    kubeconfigPath: state.kubeconfigPath,
    apiServerUrl: state.apiServerUrl,
    hostPathRoot: state.hostPathRoot,
    provisionedRoot: state.provisionedRoot,
    kubernetesVersion: state.kubernetesVersion,
    kubectlPath: join(state.binaries.kubernetes, "kubectl"),
    startSeconds: state.startSeconds,
    rest,
    async stop() {
      await stopClusterAt(stateDir);
    },
    async stopApiServer(options = {}) {
      const current = await readState(stateDir);
      const recorded = current?.processes["kube-apiserver"];
      if (recorded) await stopProcess(recorded, options.graceMs ?? 3000);
    },
    async startApiServer(options = {}) {
      const current = await readState(stateDir);
      if (!current) throw new Error(`${statePath(stateDir)}: no cluster state`);
      const recorded = current.processes["kube-apiserver"];
      if (recorded && (await isRunning(recorded)))
        throw new Error(`kube-apiserver is already running (pid ${recorded.pid})`);
      await launch(stateDir, "kube-apiserver", apiServerArgs(current, pki));
      await waitApiServerReady(stateDir, await rest(), 120_000);
      if (options.restartControllers) await restartControllers();
    },
    restartControllers: () => restartControllers(),
    async setKwokStages(extra) {
      const current = await readState(stateDir);
      if (!current) throw new Error(`${statePath(stateDir)}: no cluster state`);
      await writeKwokStages(current, extra);
      await restartKwok(stateDir, await rest(), kwokArgs(current));
    },
    logsTail: (lines) => logsTail(stateDir, lines),
    async processes() {
      const current = (await readState(stateDir)) ?? state;
      const result: ProcessStatus[] = [];
      for (const name of PROCESS_NAMES) {
        const recorded = current.processes[name];
        if (!recorded) continue;
        const running = await isRunning(recorded);
        result.push({
          name,
          pid: recorded.pid,
          binary: recorded.binary,
          running,
          rssKiB: running ? await rssKiB(recorded.pid) : undefined,
        });
      }
      return result;
    },
  };
}

/**
 * The processes of `cluster` that are no longer running, with the last `lines` of each one's log (for a failure
 * message or the teardown: the cluster's directory, logs included, is removed when it stops).
 */
export async function deadProcessLogs(
  cluster: LocalCluster,
  lines = 40,
): Promise<{ processes: ProcessStatus[]; dead: ProcessName[]; tails: string }> {
  const processes = await cluster.processes();
  const dead = processes.filter((p) => !p.running).map((p) => p.name);
  if (dead.length === 0) return { processes, dead, tails: "" };
  const tails = (await cluster.logsTail(lines))
    .split(/(?=^==> )/m)
    .filter((part) => dead.some((name) => part.includes(`/${name}.log <==`)))
    .map((part) => part.replace(/\n$/, ""))
    .join("\n");
  return { processes, dead, tails };
}

/** A handle on the cluster recorded in `stateDir`, or undefined when none is recorded. */
export async function attachCluster(stateDir: string): Promise<LocalCluster | undefined> {
  const state = await readState(stateDir);
  return state ? handle(state) : undefined;
}

/** True when every recorded process runs and the apiserver answers /readyz. */
export async function isClusterUp(cluster: LocalCluster): Promise<boolean> {
  const processes = await cluster.processes();
  if (processes.length !== PROCESS_NAMES.length || processes.some((p) => !p.running)) return false;
  const res = await (await cluster.rest()).request("GET", "/readyz").catch(() => undefined);
  return res?.statusCode === 200;
}

/**
 * Starts etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok and the data-store simulator (the
 * kubelet of MySQL and KFP API server pods, data-store-simulation.ts) on free 127.0.0.1 ports, creates the
 * default StorageClass and the fake nodes, and resolves once nodes are Ready and the controllers work.
 */
export async function startCluster(options: StartClusterOptions): Promise<LocalCluster> {
  const started = performance.now();
  const log = options.log ?? (() => undefined);
  const timeoutMs = options.timeoutMs ?? 120_000;
  const nodes = options.nodes ?? DEFAULT_NODES;
  const { stateDir } = options;
  if (!stateDir.includes("/tmp/")) {
    throw new Error(
      `stateDir ${stateDir} must contain /tmp/: the hostPath deleter only removes /tmp/.+ paths`,
    );
  }
  const previous = await attachCluster(stateDir);
  if (previous) {
    if (await isClusterUp(previous)) throw new Error(`a cluster is already running in ${stateDir}`);
    await previous.stop();
  }
  const binaries = options.build ? await ensureBinaries({ log }) : await cachedBinaries();
  const entries = await readdir(stateDir).catch(() => [] as string[]);
  if (entries.length > 0) throw new Error(`${stateDir} is not empty; refusing to start a cluster there`);
  for (const dir of ["logs", "pki", "etcd", "volumes", "kwok"]) {
    await mkdir(join(stateDir, dir), { recursive: true, mode: 0o700 });
  }
  const [etcdClient, etcdPeer, apiServer] = await freePorts(3);
  if (etcdClient === undefined || etcdPeer === undefined || apiServer === undefined)
    throw new Error("no free ports");
  const apiServerUrl = `https://127.0.0.1:${apiServer}`;
  const state: ClusterState = {
    schema: 1,
    stateDir,
    kubeconfigPath: join(stateDir, "kubeconfig"),
    apiServerUrl,
    hostPathRoot: join(stateDir, "volumes"),
    provisionedRoot: PROVISIONED_ROOT,
    kubernetesVersion: binaries.kubernetes.info.version,
    ports: { etcdClient, etcdPeer, apiServer },
    binaries: {
      kubernetes: binaries.kubernetes.dir,
      etcd: binaries.etcd.dir,
      kwok: binaries.kwok.dir,
      "kfp-api-server": binaries["kfp-api-server"].dir,
    },
    processes: {},
    startedAt: new Date().toISOString(),
    owner: currentProcessIdentity(),
  };
  await writeState(state);
  try {
    const pki = await generatePki(join(stateDir, "pki"));
    await writeAdminKubeconfig(state.kubeconfigPath, pki, apiServerUrl);
    await writeKwokStages(state, options.extraStages ?? []);

    await launch(stateDir, "etcd", etcdArgs(state));
    await waitFor(
      "etcd /health",
      async () => {
        await assertAlive(stateDir, "etcd");
        return (await httpOk(`http://127.0.0.1:${etcdClient}/health`)) ? true : undefined;
      },
      { timeoutMs },
    );
    log(`etcd ready after ${seconds(started)}s`);

    const rest = await createKubeRest(apiServerUrl, pki);
    await launch(stateDir, "kube-apiserver", apiServerArgs(state, pki));
    await waitApiServerReady(stateDir, rest, timeoutMs);
    log(`kube-apiserver ready after ${seconds(started)}s`);

    await launch(stateDir, "kube-controller-manager", controllerManagerArgs(state, pki));
    await launch(stateDir, "kube-scheduler", schedulerArgs(state));
    await launch(stateDir, "kwok", kwokArgs(state));
    await launch(stateDir, "data-store-simulator", simulatorArgs(state));
    await createBootstrapObjects(rest, nodes);
    await waitClusterUsable(stateDir, rest, nodes, timeoutMs);
    const startSeconds = seconds(started);
    log(`cluster ready after ${startSeconds}s`);
    const final = await updateState(stateDir, (s) => {
      s.startSeconds = startSeconds;
    });
    return handle(final);
  } catch (error) {
    const tails = await logsTail(stateDir, 40);
    await stopClusterAt(stateDir).catch(() => undefined);
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`starting the local cluster in ${stateDir} failed: ${message}\n${tails}`, {
      cause: error,
    });
  }
}

function seconds(since: number): number {
  return Math.round((performance.now() - since) / 100) / 10;
}

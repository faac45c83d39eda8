// Real processes beside the simulated pods, so that what the KFP API serves is decided by what kfp-upgrade did.
// Runs in the data-store simulator's process (data-store-simulator.ts), inside the test network namespace, and
// follows the pods: when a `mysql` pod's data container runs (the simulation decided MySQL starts on its
// directory), it starts MariaDB on the hostPath directory of the PV the pod's claim is bound to, listening on the
// pod's IP; the same for the object store (`minio`/`seaweedfs` pod: an S3 server, object-store-server.ts) and for
// the `ml-pipeline` pod (KFP's API server 2.0.5, built from the module proxy, pointed at the `mysql` pod's IP, with
// in-cluster credentials in a private mount namespace). Each pod IP is added to the namespace's loopback device so
// kube-apiserver's service proxy reaches it. A server stops when its pod goes.
//
// Opt-in per volume: only pods whose data claim is bound to a PV annotated REAL_SERVERS_ANNOTATION get real
// servers (other tests seed directories MariaDB must never touch). The product never imports this file.

import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { appendFile, chmod, copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { connect } from "node:net";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { KFP_API_SERVER_CONFIG_DIR } from "./build-binaries.js";
import { logChildOutput } from "./child-log.js";
import { classifyImage } from "./data-store-rules.js";
import type { SimPod } from "./data-store-simulation.js";
import type { KubeRest } from "./kube-rest.js";
import { freePorts } from "./process-control.js";

const execFileAsync = promisify(execFile);

/** On a PersistentVolume: "true" makes the pods that mount it (and their namespace's API server) real. */
export const REAL_SERVERS_ANNOTATION = "local-cluster.kfp-upgrade/real-servers";
/** The only KFP release whose API server builds from the module proxy; it stands in for every other. */
export const REAL_KFP_API_SERVER_VERSION = "2.0.5";
/** The commit tagged 2.0.5, whose pseudo-version local-cluster/kfp-api-server/go.mod requires. */
export const REAL_KFP_API_SERVER_COMMIT = "c5658f09ec38";

export const MYSQL_PORT = 3306;
export const KFP_HTTP_PORT = 8888;
const OBJECT_STORE_PORTS = { minio: 9000, seaweedfs: 8333 } as const;
/** A real server that exits while its pod still runs is started again after this long (a kubelet restart). */
const RESTART_DELAY_MS = 3000;

export type RealServerKind = "mysql" | "object-store" | "kfp-api-server";

export interface RealServerEvent {
  time: string;
  /** started / exited (on its own) / stopped (its pod went) / skipped (cannot run here: why in message). */
  type: "started" | "exited" | "stopped" | "skipped";
  kind: RealServerKind;
  /** namespace/name */
  pod: string;
  uid: string;
  image: string;
  ip?: string;
  dir?: string;
  pid?: number;
  exitCode?: number | null;
  message?: string;
}

/** `<stateDir>/real-kfp-servers/`: events.jsonl, one log per server, the API servers' credential dirs. */
export function realServersDir(stateDir: string): string {
  return join(stateDir, "real-kfp-servers");
}

export function realServerEventLog(stateDir: string): string {
  return join(realServersDir(stateDir), "events.jsonl");
}

export async function readRealServerEvents(stateDir: string): Promise<RealServerEvent[]> {
  const text = await readFile(realServerEventLog(stateDir), "utf8").catch(() => "");
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as RealServerEvent);
}

// --- shapes read from the API ------------------------------------------------------------------------------------

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
    fieldRef?: { fieldPath: string };
  };
}
interface PodContainer {
  name: string;
  image: string;
  env?: EnvVar[];
  ports?: { containerPort: number }[];
  volumeMounts?: { name: string; mountPath: string; subPath?: string }[];
}
type Pod = SimPod & {
  spec: SimPod["spec"] & { containers: PodContainer[]; serviceAccountName?: string };
  status?: NonNullable<SimPod["status"]> & { podIP?: string };
};
interface PersistentVolume {
  metadata: { name: string; annotations?: Record<string, string> };
  spec?: { hostPath?: { path?: string }; local?: { path?: string } };
}

interface Candidate {
  kind: RealServerKind;
  pod: Pod;
  container: PodContainer;
  ip: string;
}

interface Running {
  kind: RealServerKind;
  pod: string;
  uid: string;
  image: string;
  namespace: string;
  ip: string;
  port: number;
  dir?: string;
  child: ChildProcess;
  exited: boolean;
  stopping: boolean;
  exitedAt?: number;
}

export interface RealServersOptions {
  rest: KubeRest;
  stateDir: string;
  apiServerUrl: string;
  caCertPath: string;
  /** The cached build of KFP's API server (its binary and config/); undefined: not built, ml-pipeline stays simulated. */
  kfpApiServerDir: string | undefined;
  log?: (line: string) => void;
}

export function objectStoreKind(image: string): keyof typeof OBJECT_STORE_PORTS | undefined {
  if (/(^|\/)minio(:[^/@]*)?(@.*)?$/.test(image)) return "minio";
  if (/(^|\/)seaweedfs(:[^/@]*)?(@.*)?$/.test(image)) return "seaweedfs";
  return undefined;
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 1000 });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(false));
  });
}

function podName(pod: Pod): string {
  return `${pod.metadata.namespace}/${pod.metadata.name}`;
}

function containerRunning(pod: Pod, name: string): boolean {
  return pod.status?.containerStatuses?.find((s) => s.name === name)?.state?.running !== undefined;
}

export class RealKfpServers {
  private readonly servers = new Map<string, Running>();
  /** What was already logged as skipped (pod uid + reason), so a tick does not repeat it. */
  private readonly skipped = new Set<string>();
  private readonly log: (line: string) => void;
  private mariadbd: string | null | undefined;

  constructor(private readonly options: RealServersOptions) {
    this.log = options.log ?? (() => undefined);
  }

  /** One pass over the pods: start what should run, stop what should not. */
  async tick(): Promise<void> {
    const list = (await this.options.rest.expect("GET", "/api/v1/pods")) as { items: Pod[] };
    const wanted = new Map<string, Candidate>();
    for (const pod of list.items) {
      const candidate = this.candidate(pod);
      if (candidate) wanted.set(pod.metadata.uid, candidate);
    }
    for (const [uid, server] of this.servers) {
      const candidate = wanted.get(uid);
      if (candidate === undefined || candidate.ip !== server.ip)
        await this.stop(uid, server, "its pod is gone");
    }
    // Data stores first: the API server starts only once its namespace's database and object store run.
    const order: RealServerKind[] = ["mysql", "object-store", "kfp-api-server"];
    for (const kind of order) {
      for (const candidate of wanted.values()) {
        if (candidate.kind !== kind) continue;
        const server = this.servers.get(candidate.pod.metadata.uid);
        if (server && !server.exited) continue;
        if (server?.exitedAt !== undefined && Date.now() < server.exitedAt + RESTART_DELAY_MS) continue;
        await this.start(candidate).catch((error: unknown) =>
          this.log(`${podName(candidate.pod)}: starting the real ${kind} failed: ${String(error)}`),
        );
      }
    }
  }

  /** Stops every server (SIGTERM, then SIGKILL) and removes the addresses it added. */
  async stopAll(): Promise<void> {
    for (const [uid, server] of this.servers) await this.stop(uid, server, "the harness stops");
  }

  private candidate(pod: Pod): Candidate | undefined {
    if (pod.metadata.deletionTimestamp !== undefined || pod.spec.nodeName === undefined) return undefined;
    const ip = pod.status?.podIP;
    if (ip === undefined || pod.status?.phase !== "Running") return undefined;
    for (const container of pod.spec.containers) {
      const image = classifyImage(container.image);
      const kind: RealServerKind | undefined =
        image?.kind === "mysql"
          ? "mysql"
          : image?.kind === "kfp-api-server"
            ? "kfp-api-server"
            : objectStoreKind(container.image)
              ? "object-store"
              : undefined;
      if (kind === undefined) continue;
      return containerRunning(pod, container.name) ? { kind, pod, container, ip } : undefined;
    }
    return undefined;
  }

  private async start(candidate: Candidate): Promise<void> {
    switch (candidate.kind) {
      case "mysql":
        return this.startMysql(candidate);
      case "object-store":
        return this.startObjectStore(candidate);
      case "kfp-api-server":
        return this.startApiServer(candidate);
      default:
        return candidate.kind satisfies never;
    }
  }

  // --- MariaDB ---------------------------------------------------------------------------------------------------

  private async startMysql(candidate: Candidate): Promise<void> {
    const { pod, container, ip } = candidate;
    const dir = await this.realDataDir(pod, container, "/var/lib/mysql");
    if (dir === undefined) return;
    const mariadbd = await this.findMariadbd();
    if (mariadbd === null) {
      await this.skip(candidate, "mariadbd is not installed (apt-get install mariadb-server-core)");
      return;
    }
    if (!(await this.addAddress(candidate))) return;
    const runDir = await this.runDir(pod);
    // KFP's mysql-secret is root with an empty password; --skip-grant-tables lets that user in from the API
    // server's address without a user table (the directory may be new: MariaDB creates InnoDB's files itself).
    const args = [
      "--no-defaults",
      "--user=root",
      `--datadir=${dir}`,
      `--bind-address=${ip}`,
      `--port=${MYSQL_PORT}`,
      `--socket=${join(runDir, "mysqld.sock")}`,
      `--pid-file=${join(runDir, "mysqld.pid")}`,
      "--skip-grant-tables",
      "--skip-name-resolve",
      "--skip-log-bin",
      "--innodb-buffer-pool-size=32M",
      "--performance-schema=OFF",
    ];
    this.spawnServer(candidate, mariadbd, args, { dir, port: MYSQL_PORT });
  }

  private async findMariadbd(): Promise<string | null> {
    if (this.mariadbd !== undefined) return this.mariadbd;
    const found = ["/usr/sbin/mariadbd", "/usr/sbin/mysqld"].find((path) => existsSync(path));
    this.mariadbd = found ?? null;
    return this.mariadbd;
  }

  // --- the object store --------------------------------------------------------------------------------------------

  private async startObjectStore(candidate: Candidate): Promise<void> {
    const { pod, container, ip } = candidate;
    const mount = container.volumeMounts?.find((m) => this.claimOf(pod, m.name) !== undefined);
    if (mount === undefined) return;
    const dir = await this.realDataDir(pod, container, mount.mountPath);
    if (dir === undefined) return;
    if (!(await this.addAddress(candidate))) return;
    const port = OBJECT_STORE_PORTS[objectStoreKind(container.image) ?? "minio"];
    const env = await this.resolveEnv(pod, container);
    const accessKey = env.MINIO_ACCESS_KEY ?? env.MINIO_ROOT_USER;
    const secretKey = env.MINIO_SECRET_KEY ?? env.MINIO_ROOT_PASSWORD;
    const keys = accessKey && secretKey ? { accessKey, secretKey } : await this.artifactKeys(pod);
    const tsxLoader = createRequire(import.meta.url).resolve("tsx");
    const script = fileURLToPath(new URL("./object-store-server.ts", import.meta.url));
    this.spawnServer(
      candidate,
      process.execPath,
      ["--import", pathToFileURL(tsxLoader).href, script, dir, ip, String(port)],
      {
        dir,
        port,
        env: keys ? { OBJECT_STORE_ACCESS_KEY: keys.accessKey, OBJECT_STORE_SECRET_KEY: keys.secretKey } : {},
      },
    );
  }

  /** KFP's artifact Secret, which both the object store and the API server read their keys from. */
  private async artifactKeys(pod: Pod): Promise<{ accessKey: string; secretKey: string } | undefined> {
    const res = await this.options.rest.request(
      "GET",
      `/api/v1/namespaces/${pod.metadata.namespace}/secrets/mlpipeline-minio-artifact`,
    );
    if (res.statusCode !== 200) return undefined;
    const data = (res.body as { data?: Record<string, string> }).data ?? {};
    const decode = (key: string) =>
      data[key] === undefined ? undefined : Buffer.from(data[key], "base64").toString("utf8");
    const accessKey = decode("accesskey");
    const secretKey = decode("secretkey");
    return accessKey && secretKey ? { accessKey, secretKey } : undefined;
  }

  // --- KFP's API server ---------------------------------------------------------------------------------------------

  private async startApiServer(candidate: Candidate): Promise<void> {
    const { pod, container, ip } = candidate;
    const namespace = pod.metadata.namespace;
    const mysql = this.runningIn(namespace, "mysql");
    const objectStore = this.runningIn(namespace, "object-store");
    // Only beside a real database: an API server over a simulated MySQL has nothing to talk to.
    if (mysql === undefined || objectStore === undefined) return;
    // Started is not listening yet: the real pod would crash-loop until both answer; wait instead.
    if (!(await canConnect(mysql.ip, mysql.port)) || !(await canConnect(objectStore.ip, objectStore.port)))
      return;
    const buildDir = this.options.kfpApiServerDir;
    if (buildDir === undefined) {
      await this.skip(candidate, "KFP's API server is not built (npx tsx local-cluster/cli.ts build)");
      return;
    }
    if (!(await this.addAddress(candidate))) return;
    const runDir = await this.runDir(pod);
    const credentials = join(runDir, "serviceaccount");
    await this.writeServiceAccount(pod, credentials);
    const env = {
      ...(await this.serviceLinks(namespace)),
      ...(await this.resolveEnv(pod, container)),
      // What the image's Dockerfile sets; healthz reports them.
      TAG_NAME: REAL_KFP_API_SERVER_VERSION,
      COMMIT_SHA: REAL_KFP_API_SERVER_COMMIT,
      // No cluster DNS in the network namespace: the Services' names become the pods' addresses.
      DBCONFIG_HOST: mysql.ip,
      DBCONFIG_PORT: String(MYSQL_PORT),
      DBCONFIG_MYSQLCONFIG_HOST: mysql.ip,
      DBCONFIG_MYSQLCONFIG_PORT: String(MYSQL_PORT),
      MINIO_SERVICE_SERVICE_HOST: objectStore.ip,
      MINIO_SERVICE_SERVICE_PORT: String(objectStore.port),
      OBJECTSTORECONFIG_HOST: objectStore.ip,
      OBJECTSTORECONFIG_PORT: String(objectStore.port),
      KUBERNETES_SERVICE_HOST: new URL(this.options.apiServerUrl).hostname,
      KUBERNETES_SERVICE_PORT: new URL(this.options.apiServerUrl).port,
    };
    const [rpcPort] = await freePorts(1);
    const configDir = join(buildDir, KFP_API_SERVER_CONFIG_DIR);
    const apiserver = join(buildDir, "apiserver");
    // client-go's in-cluster config reads /var/run/secrets/kubernetes.io/serviceaccount: give this process alone
    // a tmpfs over /run (/var/run links there) holding a bind mount of the credentials written above.
    const script = [
      "set -e",
      "mount -t tmpfs tmpfs /run",
      "mkdir -p /run/secrets/kubernetes.io/serviceaccount",
      'mount --bind "$KFP_SA_DIR" /run/secrets/kubernetes.io/serviceaccount',
      'exec "$@"',
    ].join("\n");
    const image = classifyImage(container.image);
    const standIn =
      image?.kind === "kfp-api-server" && image.version === REAL_KFP_API_SERVER_VERSION
        ? undefined
        : `KFP API server ${REAL_KFP_API_SERVER_VERSION} stands in for ${container.image}`;
    this.spawnServer(
      candidate,
      "unshare",
      [
        "--mount",
        "--propagation",
        "private",
        "--",
        "/bin/sh",
        "-c",
        script,
        "kfp-api-server",
        apiserver,
        `--config=${configDir}`,
        `--sampleconfig=${join(configDir, "sample_config.json")}`,
        // The HTTP gateway dials "localhost" + this flag, so it must be ":port", which binds every address: a
        // free port rather than 8887 keeps two servers (an old and a new pod in a rollout) from colliding.
        `--rpcPortFlag=:${rpcPort}`,
        `--httpPortFlag=${ip}:${KFP_HTTP_PORT}`,
        "-logtostderr=true",
      ],
      { port: KFP_HTTP_PORT, env: { ...env, KFP_SA_DIR: credentials }, message: standIn },
    );
  }

  /** A token of the pod's ServiceAccount (TokenRequest), the cluster CA and the namespace, as a kubelet mounts them. */
  private async writeServiceAccount(pod: Pod, dir: string): Promise<void> {
    const serviceAccount = pod.spec.serviceAccountName ?? "default";
    const res = (await this.options.rest.expect(
      "POST",
      `/api/v1/namespaces/${pod.metadata.namespace}/serviceaccounts/${serviceAccount}/token`,
      {
        apiVersion: "authentication.k8s.io/v1",
        kind: "TokenRequest",
        spec: {
          expirationSeconds: 24 * 3600,
          boundObjectRef: { apiVersion: "v1", kind: "Pod", name: pod.metadata.name, uid: pod.metadata.uid },
        },
      },
    )) as { status: { token: string } };
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(join(dir, "token"), res.status.token, { mode: 0o600 });
    await copyFile(this.options.caCertPath, join(dir, "ca.crt"));
    await writeFile(join(dir, "namespace"), pod.metadata.namespace);
    await chmod(dir, 0o700);
  }

  /**
   * `<NAME>_SERVICE_HOST`/`_PORT` of every Service in the namespace, as the kubelet sets them (enableServiceLinks):
   * KFP's API server refuses to start without ML_PIPELINE_VISUALIZATIONSERVER_SERVICE_HOST.
   */
  private async serviceLinks(namespace: string): Promise<Record<string, string>> {
    const list = (await this.options.rest.expect("GET", `/api/v1/namespaces/${namespace}/services`)) as {
      items: { metadata: { name: string }; spec?: { clusterIP?: string; ports?: { port: number }[] } }[];
    };
    const env: Record<string, string> = {};
    for (const service of list.items) {
      const ip = service.spec?.clusterIP;
      const port = service.spec?.ports?.[0]?.port;
      if (ip === undefined || ip === "None" || port === undefined) continue;
      const prefix = service.metadata.name.toUpperCase().replaceAll("-", "_");
      env[`${prefix}_SERVICE_HOST`] = ip;
      env[`${prefix}_SERVICE_PORT`] = String(port);
    }
    return env;
  }

  /** The container's environment as the kubelet would give it (Secrets, ConfigMaps, the downward API). */
  private async resolveEnv(pod: Pod, container: PodContainer): Promise<Record<string, string>> {
    const env: Record<string, string> = {};
    const namespace = pod.metadata.namespace;
    const cache = new Map<string, Record<string, string> | undefined>();
    const read = async (kind: "secrets" | "configmaps", name: string) => {
      const key = `${kind}/${name}`;
      if (!cache.has(key)) {
        const res = await this.options.rest.request("GET", `/api/v1/namespaces/${namespace}/${kind}/${name}`);
        const data =
          res.statusCode === 200 ? (res.body as { data?: Record<string, string> }).data : undefined;
        cache.set(
          key,
          data === undefined
            ? undefined
            : kind === "secrets"
              ? Object.fromEntries(
                  Object.entries(data).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]),
                )
              : data,
        );
      }
      return cache.get(key);
    };
    for (const variable of container.env ?? []) {
      const from = variable.valueFrom;
      let value: string | undefined = variable.value;
      if (from?.secretKeyRef)
        value = (await read("secrets", from.secretKeyRef.name))?.[from.secretKeyRef.key];
      else if (from?.configMapKeyRef)
        value = (await read("configmaps", from.configMapKeyRef.name))?.[from.configMapKeyRef.key];
      else if (from?.fieldRef) {
        const path = from.fieldRef.fieldPath;
        value =
          path === "metadata.namespace"
            ? namespace
            : path === "metadata.name"
              ? pod.metadata.name
              : path === "status.podIP"
                ? pod.status?.podIP
                : undefined;
      }
      if (value !== undefined) env[variable.name] = value;
    }
    return env;
  }

  // --- volumes, addresses, processes -------------------------------------------------------------------------------

  private claimOf(pod: Pod, volumeName: string): string | undefined {
    return pod.spec.volumes?.find((v) => v.name === volumeName)?.persistentVolumeClaim?.claimName;
  }

  /**
   * The directory behind `mountPath` when it is a claim bound to a hostPath PV that opted in; undefined otherwise
   * (or not bound yet).
   */
  private async realDataDir(
    pod: Pod,
    container: PodContainer,
    mountPath: string,
  ): Promise<string | undefined> {
    const mount = container.volumeMounts?.find(
      (m) => m.mountPath.replace(/\/+$/, "") === mountPath.replace(/\/+$/, ""),
    );
    const claim = mount && this.claimOf(pod, mount.name);
    if (mount === undefined || claim === undefined) return undefined;
    const res = await this.options.rest.request(
      "GET",
      `/api/v1/namespaces/${pod.metadata.namespace}/persistentvolumeclaims/${claim}`,
    );
    if (res.statusCode !== 200) return undefined;
    const pvc = res.body as { spec?: { volumeName?: string }; status?: { phase?: string } };
    if (pvc.status?.phase !== "Bound" || !pvc.spec?.volumeName) return undefined;
    const pv = (await this.options.rest.expect(
      "GET",
      `/api/v1/persistentvolumes/${pvc.spec.volumeName}`,
    )) as PersistentVolume;
    if (pv.metadata.annotations?.[REAL_SERVERS_ANNOTATION] !== "true") return undefined;
    const root = pv.spec?.hostPath?.path ?? pv.spec?.local?.path;
    if (root === undefined) return undefined;
    const dir = mount.subPath ? join(root, mount.subPath) : root;
    await mkdir(dir, { recursive: true }); // the kubelet creates a missing subPath directory
    return dir;
  }

  private runningIn(namespace: string, kind: RealServerKind): Running | undefined {
    for (const server of this.servers.values())
      if (server.namespace === namespace && server.kind === kind && !server.exited && !server.stopping)
        return server;
    return undefined;
  }

  private async runDir(pod: Pod): Promise<string> {
    const dir = join(realServersDir(this.options.stateDir), pod.metadata.uid);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return dir;
  }

  /** Adds the pod IP to this network namespace's loopback device (already there: fine). */
  private async addAddress(candidate: Candidate): Promise<boolean> {
    try {
      await execFileAsync("ip", ["addr", "add", `${candidate.ip}/32`, "dev", "lo"]);
    } catch (error) {
      const text = String((error as { stderr?: string }).stderr ?? error);
      if (!/File exists|already assigned/.test(text)) {
        await this.skip(
          candidate,
          `cannot add ${candidate.ip} to lo (needs root in a network namespace): ${text}`,
        );
        return false;
      }
    }
    return true;
  }

  private async removeAddress(ip: string): Promise<void> {
    for (const server of this.servers.values()) if (server.ip === ip && !server.exited) return;
    await execFileAsync("ip", ["addr", "del", `${ip}/32`, "dev", "lo"]).catch(() => undefined);
  }

  private spawnServer(
    candidate: Candidate,
    command: string,
    args: string[],
    extra: { dir?: string; port: number; env?: Record<string, string>; message?: string },
  ): void {
    const { pod, container, ip, kind } = candidate;
    const uid = pod.metadata.uid;
    const previous = this.servers.get(uid);
    const logPath = join(
      realServersDir(this.options.stateDir),
      `${pod.metadata.namespace}_${pod.metadata.name}.log`,
    );
    // Not detached: the servers share the simulator's process group, so stopping the simulator stops them too.
    const child = spawn(command, args, {
      env: { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin", ...extra.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    void logChildOutput(
      child,
      logPath,
      `${new Date().toISOString()} $ ${command} ${args.join(" ")}\n`,
      (error) => this.log(`${podName(pod)}: writing ${logPath}: ${error.message}`),
    );
    const server: Running = {
      kind,
      pod: podName(pod),
      uid,
      image: container.image,
      namespace: pod.metadata.namespace,
      ip,
      port: extra.port,
      ...(extra.dir === undefined ? {} : { dir: extra.dir }),
      child,
      exited: false,
      stopping: false,
    };
    this.servers.set(uid, server);
    child.on("error", (error) => this.log(`${server.pod}: ${command}: ${error.message}`));
    child.on("exit", (code, signal) => {
      server.exited = true;
      server.exitedAt = Date.now();
      if (server.stopping) return;
      void this.record({
        type: "exited",
        kind,
        pod: server.pod,
        uid,
        image: server.image,
        ip,
        ...(server.dir === undefined ? {} : { dir: server.dir }),
        ...(child.pid === undefined ? {} : { pid: child.pid }),
        exitCode: code,
        message: `exited ${code ?? signal} while its pod runs; log: ${logPath}`,
      });
    });
    void this.record({
      type: "started",
      kind,
      pod: server.pod,
      uid,
      image: server.image,
      ip,
      ...(extra.dir === undefined ? {} : { dir: extra.dir }),
      ...(child.pid === undefined ? {} : { pid: child.pid }),
      ...(extra.message === undefined
        ? previous
          ? { message: "restarted" }
          : {}
        : { message: extra.message }),
    });
  }

  private async stop(uid: string, server: Running, why: string): Promise<void> {
    this.servers.delete(uid);
    if (!server.exited) {
      server.stopping = true;
      const gone = new Promise((resolve) => server.child.once("exit", resolve));
      server.child.kill("SIGTERM");
      const timer = setTimeout(() => server.child.kill("SIGKILL"), 15_000);
      await gone;
      clearTimeout(timer);
    }
    await this.removeAddress(server.ip);
    await this.record({
      type: "stopped",
      kind: server.kind,
      pod: server.pod,
      uid,
      image: server.image,
      ip: server.ip,
      ...(server.dir === undefined ? {} : { dir: server.dir }),
      message: why,
    });
  }

  private async skip(candidate: Candidate, message: string): Promise<void> {
    const key = `${candidate.pod.metadata.uid} ${message}`;
    if (this.skipped.has(key)) return;
    this.skipped.add(key);
    await this.record({
      type: "skipped",
      kind: candidate.kind,
      pod: podName(candidate.pod),
      uid: candidate.pod.metadata.uid,
      image: candidate.container.image,
      ip: candidate.ip,
      message,
    });
  }

  private async record(event: Omit<RealServerEvent, "time">): Promise<void> {
    const line: RealServerEvent = { time: new Date().toISOString(), ...event };
    await mkdir(realServersDir(this.options.stateDir), { recursive: true });
    await appendFile(realServerEventLog(this.options.stateDir), `${JSON.stringify(line)}\n`);
    this.log(
      `real ${line.kind} ${line.type} for ${line.pod} at ${line.ip ?? "?"}${line.dir ? ` on ${line.dir}` : ""}${line.message ? `: ${line.message}` : ""}`,
    );
  }
}

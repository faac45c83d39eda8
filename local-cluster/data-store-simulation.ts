// The data-store simulation: plays the part of the kubelet for pods whose image is MySQL or the KFP API server
// (kwok's pod-ready stage skips them, see kwok-stages.ts). For each such pod, once scheduled, it resolves the pod's
// data directory (claim -> bound PV -> hostPath directory on this machine), asks the pure rules of
// data-store-rules.ts whether the program would start on it, and writes the pod status a kubelet would: Ready (and
// the version recorded in the directory, as the real program records it), or a crash-looping container with the
// program's own message. Every start, refusal and stop is appended to an event log in the cluster's state dir, so a
// test can check afterwards that no two MySQL servers ever ran on one directory.

import { createHash } from "node:crypto";
import { appendFile, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  apiServerStartDecision,
  classifyImage,
  type DataStoreImage,
  KFP_SCHEMA_FILE,
  MYSQL_UPGRADE_INFO_FILE,
  type MysqlDirState,
  mysqlStartDecision,
  parseGoDuration,
  type StartDecision,
} from "./data-store-rules.js";
import type { KubeRest } from "./kube-rest.js";
import { NEVER_READY_LABEL, READY_DELAY_ANNOTATION } from "./kwok-stages.js";

/** Where MySQL keeps its data in every KFP release's `mysql` Deployment. */
export const MYSQL_DATA_PATH = "/var/lib/mysql";
/** The MySQL claim the KFP API server's database lives on (its namespace's). */
export const MYSQL_CLAIM = "mysql-pv-claim";
/** A crash-looping container is "restarted" this often (the kubelet backs off 10s, 20s, …; tests want it short). */
export const RESTART_INTERVAL_MS = 2000;

/** `<stateDir>/data-store-simulator/events.jsonl`: one JSON object per line. */
export function simulationEventLog(stateDir: string): string {
  return join(stateDir, "data-store-simulator", "events.jsonl");
}

export interface SimulationEvent {
  time: string;
  /** started: the program started on the directory (it holds it); refused: it exited 1; stopped: its pod is gone. */
  type: "started" | "refused" | "stopped";
  kind: DataStoreImage["kind"];
  /** namespace/name */
  pod: string;
  uid: string;
  image: string;
  /** The data directory, null when the pod has none the simulation can see. */
  dir: string | null;
  reason?: string;
  message?: string;
  restartCount?: number;
}

export async function readSimulationEvents(stateDir: string): Promise<SimulationEvent[]> {
  const text = await readFile(simulationEventLog(stateDir), "utf8").catch(() => "");
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as SimulationEvent);
}

/** Attempts to start a second MySQL server on a directory another one held (each refused with the InnoDB lock). */
export function lockConflicts(events: readonly SimulationEvent[], dir?: string): SimulationEvent[] {
  return events.filter((e) => e.reason === "innodb-lock" && (dir === undefined || e.dir === dir));
}

/**
 * Pairs of MySQL servers whose time on one directory overlapped (from `started` to `stopped`). The simulation never
 * starts a second server on a held directory, so this is empty unless the log was written by something else; it
 * is the invariant a test states, `lockConflicts` the attempts that were stopped.
 */
export function serverOverlaps(
  events: readonly SimulationEvent[],
): { dir: string; first: string; second: string }[] {
  const running = new Map<string, string>();
  const holders = new Map<string, string>();
  const overlaps: { dir: string; first: string; second: string }[] = [];
  for (const event of events) {
    if (event.kind !== "mysql" || event.dir === null) continue;
    if (event.type === "started") {
      const holder = holders.get(event.dir);
      if (holder !== undefined && holder !== event.uid)
        overlaps.push({ dir: event.dir, first: running.get(holder) ?? holder, second: event.pod });
      holders.set(event.dir, event.uid);
      running.set(event.uid, event.pod);
    } else if (event.type === "stopped" && holders.get(event.dir) === event.uid) {
      holders.delete(event.dir);
    }
  }
  return overlaps;
}

// --- the pod shapes this file reads -----------------------------------------------------------------------------

interface Container {
  name: string;
  image: string;
  volumeMounts?: { name: string; mountPath: string; subPath?: string }[];
}
interface ContainerStatus {
  name: string;
  ready?: boolean;
  restartCount?: number;
  state?: { running?: { startedAt?: string }; waiting?: { reason?: string } };
  lastState?: { terminated?: { finishedAt?: string } };
}
export interface SimPod {
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    deletionTimestamp?: string;
  };
  spec: {
    nodeName?: string;
    containers: Container[];
    initContainers?: Container[];
    volumes?: {
      name: string;
      persistentVolumeClaim?: { claimName: string };
      hostPath?: { path: string };
    }[];
  };
  status?: { phase?: string; startTime?: string; containerStatuses?: ContainerStatus[] };
}

/** The container of the pod that runs a data store, and what it runs. */
export function dataContainer(pod: SimPod): { container: Container; image: DataStoreImage } | undefined {
  for (const container of pod.spec.containers) {
    const image = classifyImage(container.image);
    if (image) return { container, image };
  }
  return undefined;
}

// --- pod status, as kwok's pod-ready stage writes it -------------------------------------------------------------

/** A pod IP outside kwok's --cidr (10.244.0.0/16), stable per pod. */
function podIpFor(uid: string): string {
  const digest = createHash("sha256").update(uid).digest();
  return `10.245.${digest[0] ?? 0}.${((digest[1] ?? 0) % 254) + 1}`;
}

interface StatusInput {
  pod: SimPod;
  now: string;
  hostIP: string;
  /** The data container's state. */
  data:
    | { state: "running"; ready: boolean; startedAt: string; restartCount: number }
    | { state: "crash-loop"; restartCount: number; message: string; startedAt: string };
  dataName: string;
}

/** The status to merge-patch onto the pod: what kwok's pod-ready gives, or a crash-looping data container. */
export function podStatus(input: StatusInput): Record<string, unknown> {
  const { pod, now, data } = input;
  const ready = data.state === "running" && data.ready;
  const condition = (type: string, status: boolean) => ({
    type,
    status: status ? "True" : "False",
    lastTransitionTime: now,
    ...(status
      ? {}
      : { reason: "ContainersNotReady", message: `containers with unready status: [${input.dataName}]` }),
  });
  const containerStatuses = pod.spec.containers.map((container) => {
    if (container.name !== input.dataName) {
      return {
        name: container.name,
        image: container.image,
        ready: true,
        started: true,
        restartCount: 0,
        state: { running: { startedAt: now } },
      };
    }
    if (data.state === "running") {
      return {
        name: container.name,
        image: container.image,
        ready: data.ready,
        started: true,
        restartCount: data.restartCount,
        state: { running: { startedAt: data.startedAt } },
      };
    }
    return {
      name: container.name,
      image: container.image,
      ready: false,
      started: false,
      restartCount: data.restartCount,
      state: {
        waiting: {
          reason: "CrashLoopBackOff",
          message: `back-off ${RESTART_INTERVAL_MS / 1000}s restarting failed container=${container.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`,
        },
      },
      lastState: {
        terminated: {
          exitCode: 1,
          reason: "Error",
          message: data.message,
          startedAt: data.startedAt,
          finishedAt: now,
        },
      },
    };
  });
  const podIP = podIpFor(pod.metadata.uid);
  return {
    phase: "Running",
    conditions: [
      condition("PodScheduled", true),
      condition("Initialized", true),
      condition("Ready", ready),
      condition("ContainersReady", ready),
    ],
    containerStatuses,
    initContainerStatuses: (pod.spec.initContainers ?? []).map((container) => ({
      name: container.name,
      image: container.image,
      ready: true,
      restartCount: 0,
      state: { terminated: { exitCode: 0, reason: "Completed", startedAt: now, finishedAt: now } },
    })),
    hostIP: input.hostIP,
    hostIPs: [{ ip: input.hostIP }],
    podIP,
    podIPs: [{ ip: podIP }],
    startTime: pod.status?.startTime ?? now,
  };
}

// --- reading the data directory ----------------------------------------------------------------------------------

/** Files the simulation writes that do not make a directory "not empty" for MySQL's entrypoint. */
const BOOKKEEPING = new Set([KFP_SCHEMA_FILE]);

export async function readMysqlDir(dir: string): Promise<MysqlDirState | undefined> {
  const entries = await readdir(dir).catch(() => undefined);
  if (entries === undefined) return undefined;
  if (entries.includes(MYSQL_UPGRADE_INFO_FILE)) {
    return { kind: "recorded", text: await readFile(join(dir, MYSQL_UPGRADE_INFO_FILE), "utf8") };
  }
  return entries.some((name) => !BOOKKEEPING.has(name)) ? { kind: "unrecorded" } : { kind: "empty" };
}

export async function readSchema(dir: string): Promise<string | undefined> {
  return readFile(join(dir, KFP_SCHEMA_FILE), "utf8").catch(() => undefined);
}

// --- the loop ----------------------------------------------------------------------------------------------------

interface Claim {
  spec?: { volumeName?: string };
  status?: { phase?: string };
}
interface Volume {
  spec?: { hostPath?: { path?: string }; local?: { path?: string } };
}

export interface SimulatorOptions {
  rest: KubeRest;
  stateDir: string;
  intervalMs?: number;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

/** Runs until `signal` aborts; API errors (an apiserver restart) are logged and retried on the next tick. */
export async function runSimulator(options: SimulatorOptions): Promise<void> {
  const simulator = new DataStoreSimulator(options);
  const log = options.log ?? (() => undefined);
  log(`data-store simulator watching pods every ${options.intervalMs ?? 200}ms`);
  while (!options.signal?.aborted) {
    await simulator.tick().catch((error: unknown) => log(`tick failed: ${String(error)}`));
    await sleep(options.intervalMs ?? 200, undefined, { signal: options.signal }).catch(() => undefined);
  }
}

class DataStoreSimulator {
  /** pod uid -> its data directory (null: none the simulation can see); MySQL pods only, claims are immutable. */
  private readonly dirs = new Map<string, string | null>();
  /** pod uid -> the MySQL server started on a directory, until its pod is gone. */
  private readonly started = new Map<string, { dir: string | null; pod: string; image: string }>();
  private readonly hostIPs = new Map<string, string>();
  private readonly log: (line: string) => void;

  constructor(private readonly options: SimulatorOptions) {
    this.log = options.log ?? (() => undefined);
  }

  async tick(): Promise<void> {
    const list = (await this.options.rest.expect("GET", "/api/v1/pods")) as { items: SimPod[] };
    const now = Date.now();
    const present = new Set(list.items.map((pod) => pod.metadata.uid));
    for (const [uid, server] of this.started) {
      if (present.has(uid)) continue;
      this.started.delete(uid);
      this.dirs.delete(uid);
      await this.record({
        type: "stopped",
        kind: "mysql",
        pod: server.pod,
        uid,
        image: server.image,
        dir: server.dir,
      });
    }
    const candidates = list.items.flatMap((pod) => {
      const found = dataContainer(pod);
      if (!found || pod.spec.nodeName === undefined || pod.metadata.labels?.[NEVER_READY_LABEL] !== undefined)
        return [];
      return [{ pod, ...found }];
    });
    // Servers already running (started by this process, or by an earlier one) hold their directories.
    const holders = new Map<string, string>();
    for (const { pod, container, image } of candidates) {
      if (image.kind !== "mysql" || !this.isRunning(pod, container.name)) continue;
      const dir = await this.mysqlDir(pod, container);
      if (dir === undefined) continue;
      if (!this.started.has(pod.metadata.uid))
        this.started.set(pod.metadata.uid, { dir, pod: podName(pod), image: image.image });
      if (dir !== null) holders.set(dir, podName(pod));
    }
    for (const candidate of candidates) {
      if (candidate.pod.metadata.deletionTimestamp !== undefined) continue; // kwok's pod-delete stage has it
      await this.step(candidate, holders, now).catch((error: unknown) =>
        this.log(`${podName(candidate.pod)}: ${String(error)}`),
      );
    }
  }

  private isRunning(pod: SimPod, name: string): boolean {
    return statusOf(pod, name)?.state?.running !== undefined;
  }

  private async step(
    { pod, container, image }: { pod: SimPod; container: Container; image: DataStoreImage },
    holders: Map<string, string>,
    now: number,
  ): Promise<void> {
    const status = statusOf(pod, container.name);
    const delayMs = parseGoDuration(pod.metadata.annotations?.[READY_DELAY_ANNOTATION]) ?? 0;
    if (status?.state?.running !== undefined) {
      const startedAt = Date.parse(status.state.running.startedAt ?? "") || now;
      if (status.ready !== true && now >= startedAt + delayMs) {
        await this.patch(pod, container.name, {
          state: "running",
          ready: true,
          startedAt: new Date(startedAt).toISOString(),
          restartCount: status.restartCount ?? 0,
        });
      }
      return;
    }
    let restartCount = 0;
    if (status?.state?.waiting?.reason === "CrashLoopBackOff") {
      const finished = Date.parse(status.lastState?.terminated?.finishedAt ?? "") || 0;
      if (now < finished + RESTART_INTERVAL_MS) return;
      restartCount = (status.restartCount ?? 0) + 1;
    }
    const dir = image.kind === "mysql" ? await this.mysqlDir(pod, container) : await this.apiServerDir(pod);
    if (dir === undefined) return; // the claim is not bound yet: the kubelet would still be mounting
    const decision = await this.decide(pod, image, dir, holders);
    const nowIso = new Date(now).toISOString();
    if (!decision.start) {
      await this.record({
        type: "refused",
        kind: image.kind,
        pod: podName(pod),
        uid: pod.metadata.uid,
        image: image.image,
        dir,
        reason: decision.reason,
        message: decision.message,
        restartCount,
      });
      await this.patch(pod, container.name, {
        state: "crash-loop",
        restartCount,
        message: decision.message,
        startedAt: nowIso,
      });
      return;
    }
    if (dir !== null && decision.record !== undefined) {
      const file = image.kind === "mysql" ? MYSQL_UPGRADE_INFO_FILE : KFP_SCHEMA_FILE;
      await writeFile(join(dir, file), decision.record);
    }
    if (image.kind === "mysql") {
      this.started.set(pod.metadata.uid, { dir, pod: podName(pod), image: image.image });
      if (dir !== null) holders.set(dir, podName(pod));
    }
    await this.record({
      type: "started",
      kind: image.kind,
      pod: podName(pod),
      uid: pod.metadata.uid,
      image: image.image,
      dir,
      message: decision.note,
      restartCount,
    });
    await this.patch(pod, container.name, {
      state: "running",
      ready: delayMs <= 0,
      startedAt: nowIso,
      restartCount,
    });
  }

  private async decide(
    pod: SimPod,
    image: DataStoreImage,
    dir: string | null,
    holders: Map<string, string>,
  ): Promise<StartDecision> {
    if (image.kind === "kfp-api-server") {
      return apiServerStartDecision(image, dir === null ? undefined : await readSchema(dir));
    }
    const holder = dir === null ? undefined : holders.get(dir);
    const state = dir === null ? undefined : await readMysqlDir(dir);
    const decision = mysqlStartDecision(
      image,
      state ?? { kind: "empty" },
      holder === podName(pod) ? undefined : holder,
    );
    // No directory the simulation can see (emptyDir, a missing hostPath): nothing to record or refuse on.
    if (state === undefined && decision.start)
      return { ...decision, record: undefined, note: "no data directory" };
    return decision;
  }

  /** The directory behind /var/lib/mysql; null when it is not a PV the simulation can see; undefined: not yet. */
  private async mysqlDir(pod: SimPod, container: Container): Promise<string | null | undefined> {
    const cached = this.dirs.get(pod.metadata.uid);
    if (cached !== undefined) return cached;
    const mount = container.volumeMounts?.find((m) => m.mountPath.replace(/\/+$/, "") === MYSQL_DATA_PATH);
    const volume = mount && pod.spec.volumes?.find((v) => v.name === mount.name);
    let dir: string | null | undefined = null;
    if (volume?.hostPath) dir = volume.hostPath.path;
    else if (volume?.persistentVolumeClaim)
      dir = await this.claimDir(pod.metadata.namespace, volume.persistentVolumeClaim.claimName, true);
    if (dir === undefined) return undefined;
    if (dir !== null && mount?.subPath) dir = join(dir, mount.subPath);
    this.dirs.set(pod.metadata.uid, dir);
    return dir;
  }

  /** The MySQL directory of the API server's namespace (null when there is none bound). */
  private async apiServerDir(pod: SimPod): Promise<string | null> {
    return (await this.claimDir(pod.metadata.namespace, MYSQL_CLAIM, false)) ?? null;
  }

  private async claimDir(
    namespace: string,
    claim: string,
    waitForBinding: boolean,
  ): Promise<string | null | undefined> {
    const res = await this.options.rest.request(
      "GET",
      `/api/v1/namespaces/${namespace}/persistentvolumeclaims/${claim}`,
    );
    if (res.statusCode === 404) return null;
    if (res.statusCode !== 200) throw new Error(`GET persistentvolumeclaim/${claim}: ${res.statusCode}`);
    const pvc = res.body as Claim;
    const volumeName = pvc.spec?.volumeName;
    if (pvc.status?.phase !== "Bound" || !volumeName) return waitForBinding ? undefined : null;
    const pv = (await this.options.rest.expect("GET", `/api/v1/persistentvolumes/${volumeName}`)) as Volume;
    return pv.spec?.hostPath?.path ?? pv.spec?.local?.path ?? null;
  }

  private async hostIP(nodeName: string): Promise<string> {
    const cached = this.hostIPs.get(nodeName);
    if (cached) return cached;
    const node = (await this.options.rest.expect("GET", `/api/v1/nodes/${nodeName}`)) as {
      status?: { addresses?: { type: string; address: string }[] };
    };
    const ip = node.status?.addresses?.find((a) => a.type === "InternalIP")?.address ?? "127.0.0.1";
    this.hostIPs.set(nodeName, ip);
    return ip;
  }

  private async patch(pod: SimPod, dataName: string, data: StatusInput["data"]): Promise<void> {
    const status = podStatus({
      pod,
      now: new Date().toISOString(),
      hostIP: await this.hostIP(pod.spec.nodeName ?? ""),
      data,
      dataName,
    });
    const res = await this.options.rest.request(
      "PATCH",
      `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/status`,
      { status },
      "application/merge-patch+json",
    );
    if (res.statusCode === 404 || res.statusCode === 409) return; // gone or changed: the next tick sees it
    if (res.statusCode < 200 || res.statusCode >= 300)
      throw new Error(`PATCH pods/${pod.metadata.name}/status: ${res.statusCode} ${res.text.slice(0, 300)}`);
  }

  private async record(event: Omit<SimulationEvent, "time">): Promise<void> {
    const line: SimulationEvent = { time: new Date().toISOString(), ...event };
    const path = simulationEventLog(this.options.stateDir);
    await mkdir(join(path, ".."), { recursive: true });
    await appendFile(path, `${JSON.stringify(line)}\n`);
    this.log(
      `${line.type} ${line.kind} ${line.pod} on ${line.dir ?? "(no data dir)"}${line.message ? `: ${line.message}` : ""}`,
    );
  }
}

function podName(pod: SimPod): string {
  return `${pod.metadata.namespace}/${pod.metadata.name}`;
}

function statusOf(pod: SimPod, name: string): ContainerStatus | undefined {
  return pod.status?.containerStatuses?.find((s) => s.name === name);
}

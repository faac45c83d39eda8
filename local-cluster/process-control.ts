import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * A process this harness started. `startTime` (clock ticks since boot, from /proc/<pid>/stat) identifies it
 * together with the pid, so a pid reused by another process is never signalled.
 */
export interface RecordedProcess {
  name: string;
  pid: number;
  binary: string;
  args: string[];
  logPath: string;
  startTime?: string;
}

type ProcessIdentity = Pick<RecordedProcess, "pid" | "binary" | "startTime">;

/** State letter and start time from /proc/<pid>/stat; undefined when the pid is gone (or there is no /proc). */
function parseStat(text: string): { state: string; startTime: string } | undefined {
  // comm (field 2) may contain spaces and parentheses: split after the last ")".
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const state = fields[0];
  const startTime = fields[19];
  return state === undefined || startTime === undefined ? undefined : { state, startTime };
}

function readStatSync(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
}

/** Starts `binary` in its own process group with stdout+stderr appended to `logPath`; it outlives this process. */
export function spawnDetached(
  name: string,
  binary: string,
  args: string[],
  logPath: string,
): RecordedProcess {
  const fd = openSync(logPath, "a");
  try {
    const child = spawn(binary, args, { detached: true, stdio: ["ignore", fd, fd] });
    if (child.pid === undefined) throw new Error(`could not start ${name} (${binary})`);
    child.unref();
    const stat = readStatSync(child.pid);
    const startTime = stat === undefined ? undefined : parseStat(stat)?.startTime;
    return { name, pid: child.pid, binary, args, logPath, ...(startTime === undefined ? {} : { startTime }) };
  } finally {
    closeSync(fd);
  }
}

/**
 * True while the recorded process is alive: the pid exists, is not a zombie and (where /proc exists) has the
 * recorded start time. Deliberately not based on /proc/<pid>/cmdline, which reads empty while a process exits.
 */
export function isRunningSync(process_: ProcessIdentity): boolean {
  try {
    process.kill(process_.pid, 0);
  } catch {
    return false;
  }
  if (!existsSync("/proc/self/stat")) return true;
  const stat = readStatSync(process_.pid);
  const parsed = stat === undefined ? undefined : parseStat(stat);
  if (parsed === undefined) return false;
  if (parsed.state === "Z" || parsed.state === "X" || parsed.state === "x") return false;
  return process_.startTime === undefined || parsed.startTime === process_.startTime;
}

/** pid and start time of this process, for "is the owner still alive" checks. */
export function currentProcessIdentity(): { pid: number; startTime?: string } {
  const stat = readStatSync(process.pid);
  const startTime = stat === undefined ? undefined : parseStat(stat)?.startTime;
  return startTime === undefined ? { pid: process.pid } : { pid: process.pid, startTime };
}

export async function isRunning(process_: ProcessIdentity): Promise<boolean> {
  return isRunningSync(process_);
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. Never signals by name. */
export async function stopProcess(process_: ProcessIdentity, graceMs = 10_000): Promise<void> {
  if (!(await isRunning(process_))) return;
  if (graceMs <= 0) {
    signal(process_.pid, "SIGKILL");
    while (await isRunning(process_)) await sleep(50);
    return;
  }
  signal(process_.pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!(await isRunning(process_))) return;
    await sleep(100);
  }
  signal(process_.pid, "SIGKILL");
  while (await isRunning(process_)) await sleep(50);
}

/** Synchronous SIGKILL for `process.on("exit")` hooks, where nothing async runs. */
export function killNow(pid: number): void {
  signal(pid, "SIGKILL");
}

function signal(pid: number, name: NodeJS.Signals): void {
  // Detached children lead their own process group; signal the group so any helper children go too.
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, name);
      return;
    } catch {
      // try the next form; the process may already be gone
    }
  }
}

/** Resident set size in KiB, from /proc; undefined when unavailable. */
export async function rssKiB(pid: number): Promise<number | undefined> {
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => undefined);
  const match = status === undefined ? null : /^VmRSS:\s+(\d+) kB/m.exec(status);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** Asks the kernel for `count` distinct free ports on 127.0.0.1 (held open together so they differ). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Server>((resolve, reject) => {
          const server = createServer();
          server.once("error", reject);
          server.listen(0, "127.0.0.1", () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => {
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("unexpected server address");
    return address.port;
  });
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

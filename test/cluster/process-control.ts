import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/** A process this harness started; stopping checks the pid still runs `binary` before signalling it. */
export interface RecordedProcess {
  name: string;
  pid: number;
  binary: string;
  args: string[];
  logPath: string;
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
    return { name, pid: child.pid, binary, args, logPath };
  } finally {
    closeSync(fd);
  }
}

/** True while `pid` is alive and (where /proc exists) still executes `binary`, so a reused pid is never signalled. */
export async function isRunning(process_: Pick<RecordedProcess, "pid" | "binary">): Promise<boolean> {
  try {
    process.kill(process_.pid, 0);
  } catch {
    return false;
  }
  const cmdline = await readFile(`/proc/${process_.pid}/cmdline`, "utf8").catch(() => undefined);
  if (cmdline === undefined) return true;
  if (cmdline === "") return false; // zombie
  const stat = await readFile(`/proc/${process_.pid}/stat`, "utf8").catch(() => "");
  if (/^\d+ \(.*\) Z /.test(stat)) return false;
  return cmdline.split("\0")[0] === process_.binary;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. Never signals by name. */
export async function stopProcess(
  process_: Pick<RecordedProcess, "pid" | "binary">,
  graceMs = 10_000,
): Promise<void> {
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

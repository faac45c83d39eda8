// Runs one program of a benchmark as a whole process: wall time, exit code, output, and its peak RSS as GNU time
// (`/usr/bin/time -f %M`, Debian's `time` package) reports it; without GNU time the RSS is left out.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";

export const GNU_TIME = "/usr/bin/time";

export interface ProcessRun {
  command: string;
  exitCode: number;
  stdout: string;
  stderr: string;
  wallMs: number;
  peakRssKiB: number | null;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  input?: string;
  timeoutMs?: number;
  cwd?: string;
  /** Called with each line of stdout as it arrives and the milliseconds since the process was started. */
  onStdoutLine?: (line: string, msSinceStart: number) => void;
}

export async function runProcess(
  file: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<ProcessRun> {
  const timed = existsSync(GNU_TIME);
  const dir = timed ? await mkdtemp(path.join(tmpdir(), "kfp-bench-time-")) : null;
  const rssFile = dir ? path.join(dir, "rss") : null;
  const [program, argv] = rssFile
    ? [GNU_TIME, ["-f", "%M", "-o", rssFile, file, ...args]]
    : [file, [...args]];
  const started = performance.now();
  const result = await new Promise<Omit<ProcessRun, "wallMs" | "peakRssKiB">>((resolve) => {
    const child = execFile(
      program,
      argv,
      {
        env: { ...process.env, ...options.env },
        maxBuffer: 256 * 1024 * 1024,
        timeout: options.timeoutMs ?? 600_000,
        cwd: options.cwd,
      },
      (error, stdout, stderr) => {
        const exitCode = error ? (typeof error.code === "number" ? error.code : (child.exitCode ?? 1)) : 0;
        resolve({ command: [path.basename(file), ...args].join(" "), exitCode, stdout, stderr });
      },
    );
    if (options.onStdoutLine) {
      const onLine = options.onStdoutLine;
      let pending = "";
      child.stdout?.on("data", (chunk: Buffer | string) => {
        const now = performance.now() - started;
        const lines = (pending + chunk.toString()).split("\n");
        pending = lines.pop() ?? "";
        for (const line of lines) onLine(line, now);
      });
    }
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
  const wallMs = performance.now() - started;
  let peakRssKiB: number | null = null;
  if (rssFile && dir) {
    const text = await readFile(rssFile, "utf8").catch(() => "");
    // GNU time writes "Command exited with non-zero status N" before the figure when the program failed.
    const last = text.trim().split("\n").at(-1) ?? "";
    peakRssKiB = /^\d+$/.test(last) ? Number(last) : null;
    await rm(dir, { recursive: true, force: true });
  }
  return { ...result, wallMs, peakRssKiB };
}

/** The last meaningful line of a failed process's stderr, for the table's "why" column. */
export function failureLine(run: ProcessRun): string {
  const lines = run.stderr
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("Command exited with"));
  const error = lines.filter((line) => /error|invalid|forbidden|immutable|failed|refus/i.test(line)).at(-1);
  return (error ?? lines.at(-1) ?? `exit ${run.exitCode}`).slice(0, 300);
}

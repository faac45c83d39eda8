import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { e2eCluster } from "./e2e-cluster.js";

const BIN = fileURLToPath(new URL("../../bin/kfp-upgrade.js", import.meta.url));
export const SHARED_MANIFESTS = fileURLToPath(new URL("../../../shared/kfp-manifests", import.meta.url));

export interface CliEvent {
  type: string;
  [key: string]: unknown;
}

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** `-o json` while executing prints one JSON event per line; a dry run prints one plan document. */
  events: CliEvent[];
  /** The last `result` event, when the run executed. */
  result: CliEvent | undefined;
  /** The parsed stdout when it is a single JSON document (dry-run plans, status, versions). */
  json: unknown;
}

export interface RunCliOptions {
  appDir: string;
  kubeconfigPath?: string;
  /** Adds `--yes -o json` unless false. */
  machine?: boolean;
  env?: Record<string, string>;
  /** Abort (SIGINT etc.) from outside: receives the child process. */
  onSpawn?: (child: import("node:child_process").ChildProcess) => void;
  timeoutMs?: number;
  /**
   * With `machine` (--yes), an upgrade or reinstall that makes one-way changes is refused unless it says whether to
   * back up, as a CI job must: tests not about backups choose `--no-backup` here. false: add nothing (backup tests).
   */
  chooseNoBackup?: boolean;
}

const BACKUP_COMMANDS = new Set(["upgrade", "reinstall"]);

/** Runs the BUILT CLI (bin/kfp-upgrade.js -> dist/) as a subprocess, as a user or a CI job would. */
export function runCli(args: readonly string[], options: RunCliOptions): Promise<CliRun> {
  const machine = options.machine ?? true;
  const chooses =
    machine &&
    options.chooseNoBackup !== false &&
    args.some((arg) => BACKUP_COMMANDS.has(arg)) &&
    !args.includes("--backup") &&
    !args.includes("--no-backup");
  const fullArgs = [
    BIN,
    "--app-dir",
    options.appDir,
    ...(machine ? ["--yes", "-o", "json"] : []),
    ...args,
    ...(chooses ? ["--no-backup"] : []),
  ];
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      fullArgs,
      {
        env: {
          PATH: process.env.PATH ?? "",
          HOME: process.env.HOME ?? "/root",
          NO_COLOR: "1",
          KUBECONFIG: options.kubeconfigPath ?? e2eCluster().kubeconfigPath,
          ...options.env,
        },
        maxBuffer: 256 * 1024 * 1024,
        timeout: options.timeoutMs ?? 170_000,
      },
      (error, stdout, stderr) => {
        const exitCode = error ? (typeof error.code === "number" ? error.code : (child.exitCode ?? 1)) : 0;
        const events = parseEvents(stdout);
        resolve({
          exitCode,
          stdout,
          stderr,
          events,
          result: events.filter((event) => event.type === "result").at(-1),
          json: parseDocument(stdout),
        });
      },
    );
    options.onSpawn?.(child);
  });
}

function parseEvents(stdout: string): CliEvent[] {
  return stdout
    .split("\n")
    .filter((line) => line.startsWith("{") && line.endsWith("}"))
    .flatMap((line) => {
      try {
        const value = JSON.parse(line) as CliEvent;
        return typeof value.type === "string" ? [value] : [];
      } catch {
        return [];
      }
    });
}

function parseDocument(stdout: string): unknown {
  try {
    return JSON.parse(stdout);
  } catch {
    return undefined;
  }
}

// Start-up as whole processes: `node -e 0`, `kfp-upgrade --help` and `kfp-upgrade upgrade --dry-run` against the
// local cluster, each run several times (min and median), the CLI's as ratios to `node -e 0` of the same run.
import { median } from "./format-table.js";
import { failureLine, runProcess } from "./processes.js";

export interface StartUpRow {
  what: string;
  runs: number;
  minMs: number;
  medianMs: number;
  /** median / median of `node -e 0` */
  ratio: number;
  peakRssKiB: number | null;
  ok: boolean;
  /** Why a run failed, in the CLI's words. */
  why: string | null;
}

export interface StartUpOptions {
  bin: string;
  kubeconfigPath: string;
  manifests: string;
  /** A namespace with KFP installed; the dry run plans its upgrade to `to`. */
  namespace: string;
  to: string;
  appDir: string;
  runs: number;
  /** A build of the code before this change (`--before`), for a before/after of `--help` in the same run. */
  beforeBin?: string | undefined;
  /** More Node binaries (`--node`): each times `node -e 0`, `--help` and the dry run again, as ratios to its own. */
  otherNodes?: readonly string[] | undefined;
}

async function timedRuns(
  what: string,
  args: string[],
  runs: number,
  env: Record<string, string>,
  node: string = process.execPath,
) {
  const wall: number[] = [];
  let peak: number | null = null;
  let why: string | null = null;
  await runProcess(node, args, { env }); // warm the file cache (and, on Node >= 22.1, the compile cache)
  for (let i = 0; i < runs; i += 1) {
    const run = await runProcess(node, args, { env });
    if (run.exitCode !== 0) why = failureLine(run);
    wall.push(run.wallMs);
    if (run.peakRssKiB !== null) peak = Math.max(peak ?? 0, run.peakRssKiB);
  }
  return {
    what,
    runs,
    minMs: Math.min(...wall),
    medianMs: median(wall),
    peakRssKiB: peak,
    ok: why === null,
    why,
  };
}

export async function startUpBenchmarks(options: StartUpOptions): Promise<StartUpRow[]> {
  const env = { KUBECONFIG: options.kubeconfigPath, NO_COLOR: "1" };
  const rows = await rowsWithNode(options, env, process.execPath, "");
  for (const other of options.otherNodes ?? []) {
    const version = (await runProcess(other, ["--version"])).stdout.trim();
    rows.push(
      ...(await rowsWithNode({ ...options, beforeBin: undefined }, env, other, ` (node ${version})`)),
    );
  }
  return rows;
}

/** `node -e 0`, `--help` and the dry run with one Node binary, each as a ratio to that binary's `node -e 0`. */
async function rowsWithNode(
  options: StartUpOptions,
  env: Record<string, string>,
  nodePath: string,
  suffix: string,
): Promise<StartUpRow[]> {
  const timed = (what: string, args: string[]) =>
    timedRuns(`${what}${suffix}`, args, options.runs, env, nodePath);
  const node = await timed("node -e 0", ["-e", "0"]);
  const help = await timed("kfp-upgrade --help", [options.bin, "--help"]);
  const dryRun = await timed(`kfp-upgrade upgrade --dry-run (plan to ${options.to})`, [
    options.bin,
    "--app-dir",
    options.appDir,
    "--manifests",
    options.manifests,
    "-n",
    options.namespace,
    "--dry-run",
    "-o",
    "json",
    "upgrade",
    "--tag",
    options.to,
    // 2.17.0 replaces MinIO with SeaweedFS (and has no MinIO variant): the plan needs the choice; no KFP API
    // server answers on kwok.
    "--object-store",
    "seaweedfs",
    "--skip-inventory",
  ]);
  const before = options.beforeBin
    ? [await timed("kfp-upgrade --help (before)", [options.beforeBin, "--help"])]
    : [];
  return [node, help, ...before, dryRun].map((row) => ({ ...row, ratio: row.medianMs / node.medianMs }));
}

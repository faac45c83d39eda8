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
}

async function timedRuns(what: string, args: string[], runs: number, env: Record<string, string>) {
  const wall: number[] = [];
  let peak: number | null = null;
  let why: string | null = null;
  await runProcess(process.execPath, args, { env }); // warm the file cache
  for (let i = 0; i < runs; i += 1) {
    const run = await runProcess(process.execPath, args, { env });
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
  const node = await timedRuns("node -e 0", ["-e", "0"], options.runs, env);
  const help = await timedRuns("kfp-upgrade --help", [options.bin, "--help"], options.runs, env);
  const dryRun = await timedRuns(
    `kfp-upgrade upgrade --dry-run (plan to ${options.to})`,
    [
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
    ],
    options.runs,
    env,
  );
  const before = options.beforeBin
    ? [await timedRuns("kfp-upgrade --help (before)", [options.beforeBin, "--help"], options.runs, env)]
    : [];
  return [node, help, ...before, dryRun].map((row) => ({ ...row, ratio: row.medianMs / node.medianMs }));
}

// `npm run bench`: starts its own local control plane (inside local-cluster/in-netns.sh) and measures, in one run,
// (1) upgrades by kfp-upgrade and by what users would run instead, each from the same starting state, against the
// critical path read from the cluster's timestamps; (2) API requests per upgrade; (3) start-up; (4) peak RSS;
// (5) growth with 1x/4x/16x synthetic releases; plus the in-process bundle and plan benchmarks. Prints tables and
// writes bench/results.json. Nothing here asserts on time.
//
//   tsx bench/run.ts              # the full run (one round; --rounds N for more)
//   tsx bench/run.ts --quick      # smoke: 2.5.0 -> 2.14.4 only, one round, no plain Helm, 2.17.0 upgrade or growth
//   tsx bench/run.ts --only kfp   # only the contenders whose name starts with "kfp"
//   tsx bench/run.ts --before DIR # also run DIR/bin/kfp-upgrade.js (a built older checkout): before/after, one run
//   tsx bench/run.ts --node PATH  # also time the start-up rows with this Node binary (repeatable)
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { cachedBinaries } from "../local-cluster/build-binaries.js";
import { readSimulationEvents } from "../local-cluster/data-store-simulation.js";
import { killClusterNow, startCluster } from "../local-cluster/local-cluster.js";
import { newClusterStateDir } from "../local-cluster/state-dirs.js";
import { peerBundle, type ReadyDelays, writeBenchManifests } from "./bench-bundles.js";
import {
  apiServerRequestTotal,
  type BenchCluster,
  installStartingState,
  readCriticalPath,
  removeInstall,
  rolledOut,
  sameVolumes,
} from "./bench-cluster.js";
import {
  appDirOf,
  CONTENDERS,
  type Contender,
  helmUpgrade,
  kfpUpgradeContender,
  kfpUpgradeFromKubectl,
} from "./contenders.js";
import { firstSpecWrite, lastRolledOut, watchDeployments } from "./deployment-watch.js";
import { formatTable } from "./format-table.js";
import { evaluateGoals, type GoalRow } from "./goals.js";
import { type InProcessRow, inProcessBenchmarks } from "./in-process.js";
import { type StartUpRow, startUpBenchmarks } from "./start-up.js";
import {
  criticalPathOf,
  MYSQL_PHASE_KINDS,
  mysqlPhaseSeconds,
  summarise,
  type UpgradeRow,
} from "./upgrade-row.js";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const roundsArg = args.indexOf("--rounds");
const rounds = quick || roundsArg < 0 ? 1 : Math.max(1, Number(args[roundsArg + 1]) || 1);
const HOPS: readonly [string, string][] = quick
  ? [["2.5.0", "2.14.4"]]
  : [
      ["2.5.0", "2.14.4"],
      ["1.8.5", "2.0.5"],
    ];
const onlyArg = args.indexOf("--only");
/** `--only kfp` runs only the contenders whose name starts with it (and no growth series unless it is kfp-upgrade). */
const only = onlyArg >= 0 ? (args[onlyArg + 1] ?? "") : "";
const beforeArg = args.indexOf("--before");
/** `--before <dir>`: a built checkout of older code (`<dir>/bin/kfp-upgrade.js`), run beside this one. */
const beforeBin = beforeArg >= 0 ? path.resolve(args[beforeArg + 1] ?? ".", "bin/kfp-upgrade.js") : undefined;
/** `--node <path>` (repeatable): also time the start-up rows with these Node binaries (e.g. 22 and 24 beside 20). */
const otherNodes = args.flatMap((arg, index) =>
  arg === "--node" && args[index + 1] ? [path.resolve(args[index + 1] ?? "")] : [],
);
const GROWTH_FACTORS = quick ? [] : [4, 16];
/**
 * The memory goal's upgrade (full run only): to 2.17.0 the way a user on 2.14.4 would go, from kfp-upgrade's own
 * install, choosing SeaweedFS (2.17.0 has no MinIO variant), so the hop crosses the 2.15 schema migration and the
 * object-store switch.
 */
const MEMORY_HOP: [string, string] = ["2.14.4", "2.17.0"];
const memoryContender = kfpUpgradeContender("kfp-upgrade (own install)", {
  installedBy: "kfp-upgrade",
  upgradeArgs: ["--object-store", "seaweedfs"],
});
const DELAYS: ReadyDelays = { deployment: "2s", mysql: "4s" };
const DRY_RUN_TO = "2.17.0";
const bin = path.resolve(import.meta.dirname, "../bin/kfp-upgrade.js");
const resultsFile = path.resolve(import.meta.dirname, "results.json");
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

async function upgradeOnce(
  cluster: BenchCluster,
  contender: Contender,
  manifests: string,
  [from, to]: [string, string],
  label: string,
  round: number,
  factor: number,
  helmPath: string | undefined,
  stateDir: string,
): Promise<UpgradeRow> {
  const namespace = `bench-${label}-${round}`;
  const workDir = await mkdtemp(path.join(os.tmpdir(), `kfp-bench-${label}-`));
  log(`${contender.name} ${from} -> ${to} (x${factor}, round ${round}): installing ${from} in ${namespace}`);
  const installedBy = contender.installedBy ?? "kubectl";
  const installStarted = performance.now();
  const state = await installStartingState(
    cluster,
    manifests,
    from,
    namespace,
    installedBy === "kfp-upgrade" ? { bin, appDir: appDirOf(workDir) } : undefined,
  );
  try {
    const existing = state.bundle.env.filter((o) => o.kind === "Deployment").length;
    const watch = await watchDeployments(cluster, namespace, existing);
    const before = await apiServerRequestTotal(cluster);
    const since = Date.now();
    const started = performance.now();
    const run = await contender.upgrade({
      cluster,
      namespace,
      manifests,
      from,
      to,
      workDir,
      helmPath,
      kfpUpgradeBin: bin,
    });
    const wallSeconds = (performance.now() - started) / 1000;
    const observations = await watch.stop();
    const after = await apiServerRequestTotal(cluster);
    const done = run.ok && (await rolledOut(cluster, namespace));
    const critical = await readCriticalPath(cluster, namespace, since);
    const watched = lastRolledOut(observations, since);
    const peaks = run.processes.map((p) => p.peakRssKiB).filter((kib): kib is number => kib !== null);
    const release = await peerBundle(manifests, to, namespace);
    const refused = (await readSimulationEvents(stateDir)).filter(
      (e) => e.type === "refused" && e.pod.startsWith(`${namespace}/`) && Date.parse(e.time) >= since - 1000,
    );
    const row: UpgradeRow = {
      hop: `${from} -> ${to}`,
      contender: contender.name,
      installedBy,
      round,
      factor,
      ok: done,
      why: run.ok ? (done ? null : "exited 0 but not every Deployment is rolled out") : run.why,
      wallSeconds,
      criticalPathSeconds: critical?.seconds ?? null,
      lastDeployment: critical?.lastDeployment ?? null,
      criticalPathWatchSeconds:
        critical && watched
          ? Math.max(
              0.001,
              (watched.atMs -
                Math.min(critical.firstWriteMs, firstSpecWrite(observations, since) ?? Infinity)) /
                1000,
            )
          : null,
      lastDeploymentWatch: watched?.name ?? null,
      sameVolumes: await sameVolumes(cluster, state),
      objects: release.clusterScoped.length + release.env.length,
      clientRequests: run.requests?.total ?? null,
      clientRequestsByRoute: run.requests?.byRoute ?? null,
      apiServerRequests: after - before - 1,
      peakRssMiB: peaks.length > 0 ? Math.max(...peaks) / 1024 : null,
      stepSeconds: run.stepSeconds ?? null,
      beforeFirstStepSeconds: run.beforeFirstStepSeconds ?? null,
      refusedStarts: refused.length,
    };
    log(`  (installing ${from} took ${((started - installStarted) / 1000).toFixed(1)} s)`);
    log(
      `${contender.name}: ${row.ok ? "ok" : `FAILED (${row.why})`} in ${wallSeconds.toFixed(1)} s, critical path ${row.criticalPathSeconds ?? "-"} s (watch ${row.criticalPathWatchSeconds?.toFixed(2) ?? "-"} s)`,
    );
    return row;
  } finally {
    const removing = performance.now();
    await removeInstall(cluster, state, await peerBundle(manifests, to, namespace));
    await rm(workDir, { recursive: true, force: true });
    log(`  (removing the install took ${((performance.now() - removing) / 1000).toFixed(1)} s)`);
  }
}

function upgradeTable(rows: readonly UpgradeRow[]): string {
  return formatTable(
    [
      "hop",
      "tool",
      "ok",
      "wall s",
      "crit s",
      "wall/crit",
      "crit s (watch)",
      "wall/crit (watch)",
      "same PVs",
      "refused starts",
      "objects",
      "requests",
      "apiserver",
      "RSS MiB",
    ],
    rows.map((r) => [
      r.hop,
      r.contender,
      r.ok ? "yes" : "NO",
      r.wallSeconds,
      r.criticalPathSeconds,
      r.criticalPathSeconds ? r.wallSeconds / r.criticalPathSeconds : null,
      r.criticalPathWatchSeconds,
      r.criticalPathWatchSeconds ? r.wallSeconds / r.criticalPathWatchSeconds : null,
      r.sameVolumes ? "yes" : "NO",
      r.refusedStarts,
      r.objects,
      r.clientRequests,
      r.apiServerRequests,
      r.peakRssMiB,
    ]),
  );
}

function growthTable(rows: readonly UpgradeRow[]): string {
  return formatTable(
    ["release", "objects", "ok", "wall s", "crit s", "crit s (watch)", "requests", "req/object", "RSS MiB"],
    rows.map((r) => [
      `${r.factor}x`,
      r.objects,
      r.ok ? "yes" : "NO",
      r.wallSeconds,
      r.criticalPathSeconds,
      r.criticalPathWatchSeconds,
      r.clientRequests,
      r.clientRequests === null ? null : r.clientRequests / r.objects,
      r.peakRssMiB,
    ]),
  );
}

function startUpTable(rows: readonly StartUpRow[]): string {
  return formatTable(
    ["process", "runs", "min ms", "median ms", "vs node -e 0", "RSS MiB", "ok"],
    rows.map((r) => [
      r.what,
      r.runs,
      r.minMs,
      r.medianMs,
      r.ratio,
      r.peakRssKiB === null ? null : r.peakRssKiB / 1024,
      r.ok ? "yes" : "NO",
    ]),
  );
}

/** "own install" of "kfp-upgrade (own install)", for narrow column headers. */
const shortName = (contender: string) => contender.replace(/^kfp-upgrade ?/, "") || contender;

/**
 * What kfp-upgrade's safety costs, one line per run so every ratio comes from one run: the seconds before its first
 * step (node start-up, preflight reads, access reviews, planning) and in its MySQL phase steps.
 */
function safetyTable(runs: readonly UpgradeRow[]): string {
  return formatTable(
    [
      "hop",
      "kfp-upgrade",
      "round",
      "wall s",
      "before first step s",
      "MySQL phase s",
      "MySQL phase / wall",
      "crit s (watch)",
      "MySQL phase / crit",
    ],
    runs
      .filter((r) => r.stepSeconds !== null && r.factor === 1)
      .map((r) => {
        const phase = mysqlPhaseSeconds(r);
        const critical = criticalPathOf(r);
        return [
          r.hop,
          shortName(r.contender),
          r.round,
          r.wallSeconds,
          r.beforeFirstStepSeconds,
          phase,
          phase === null ? null : phase / r.wallSeconds,
          critical,
          phase === null || !critical ? null : phase / critical,
        ];
      }),
  );
}

function goalTable(goals: readonly GoalRow[]): string {
  return formatTable(
    ["goal (issue 15)", "measured in this run", "met"],
    goals.map((g) => [g.goal, g.measured, g.met]),
  );
}

/** Where kfp-upgrade's wall time goes: its step kinds, and what is outside every step. */
function stepTable(rows: readonly UpgradeRow[]): string {
  const withSteps = rows.filter((r) => r.stepSeconds !== null);
  const kinds = [...new Set(withSteps.flatMap((r) => Object.keys(r.stepSeconds ?? {})))].sort();
  const inSteps = (r: UpgradeRow) => Object.values(r.stepSeconds ?? {}).reduce((a, b) => a + b, 0);
  return formatTable(
    [
      "kfp-upgrade seconds by step kind",
      ...withSteps.map((r) => `${r.hop}${r.factor > 1 ? ` x${r.factor}` : ""} ${shortName(r.contender)}`),
    ],
    [
      ["(outside steps: start-up, preflight, plan)", ...withSteps.map((r) => r.wallSeconds - inSteps(r))],
      ...kinds.map((kind) => [kind, ...withSteps.map((r) => r.stepSeconds?.[kind] ?? null)]),
    ],
  );
}

function inProcessTable(rows: readonly InProcessRow[]): string {
  return formatTable(
    ["in-process", "median ms", "baseline ms", "ratio"],
    rows.map((r) => [r.what, r.medianMs, r.baselineMs, r.ratio]),
  );
}

function failures(rows: readonly UpgradeRow[]): string {
  const failed = rows.filter((r) => !r.ok || !r.sameVolumes);
  if (failed.length === 0) return "";
  return `\nWhere a tool failed:\n${failed
    .map(
      (r) =>
        `- ${r.contender} ${r.hop}${r.factor > 1 ? ` (x${r.factor})` : ""}: ${r.why ?? "claims moved to other PVs"}`,
    )
    .join("\n")}\n`;
}

async function main(): Promise<void> {
  const started = performance.now();
  const stateDir = await newClusterStateDir("bench");
  process.once("exit", () => killClusterNow(stateDir));
  const cluster = await startCluster({ stateDir, log });
  const helmPath = await cachedBinaries()
    .then((binaries) => path.join(binaries.helm.dir, "helm"))
    .catch(() => undefined);
  const manifestsRoot = await mkdtemp(path.join(os.tmpdir(), "kfp-bench-manifests-"));
  try {
    const versions = [...new Set([...HOPS.flat(), ...MEMORY_HOP, DRY_RUN_TO])];
    const manifests = await writeBenchManifests(path.join(manifestsRoot, "x1"), versions, DELAYS);
    const bench: BenchCluster = cluster;

    const upgradeRows: UpgradeRow[] = [];
    for (let round = 1; round <= rounds; round += 1) {
      for (const hop of HOPS) {
        // The older build runs right after the current one, so before and after see the same load.
        const contenders = beforeBin
          ? [
              ...CONTENDERS.slice(0, 2),
              kfpUpgradeContender("kfp-upgrade (before)", { bin: beforeBin }),
              ...CONTENDERS.slice(2),
            ]
          : CONTENDERS;
        for (const [index, contender] of contenders.entries()) {
          if (!contender.name.startsWith(only)) continue;
          // The smoke keeps every contender's code path but one: plain Helm shares --force-conflicts' code.
          if (quick && contender === helmUpgrade) continue;
          const label = `c${index}-${hop[1].replaceAll(".", "")}`;
          upgradeRows.push(
            await upgradeOnce(bench, contender, manifests, hop, label, round, 1, helmPath, cluster.stateDir),
          );
        }
      }
      if (!quick && memoryContender.name.startsWith(only)) {
        upgradeRows.push(
          await upgradeOnce(
            bench,
            memoryContender,
            manifests,
            MEMORY_HOP,
            "mem-2170",
            round,
            1,
            helmPath,
            cluster.stateDir,
          ),
        );
      }
    }

    const growthRows: UpgradeRow[] = upgradeRows.filter(
      (r) => r.contender === kfpUpgradeFromKubectl.name && r.hop === "2.5.0 -> 2.14.4",
    );
    for (const factor of kfpUpgradeFromKubectl.name.startsWith(only) ? GROWTH_FACTORS : []) {
      const dir = await writeBenchManifests(
        path.join(manifestsRoot, `x${factor}`),
        ["2.5.0", "2.14.4"],
        DELAYS,
        factor,
      );
      for (let round = 1; round <= rounds; round += 1) {
        growthRows.push(
          await upgradeOnce(
            bench,
            kfpUpgradeFromKubectl,
            dir,
            ["2.5.0", "2.14.4"],
            `grow${factor}`,
            round,
            factor,
            helmPath,
            cluster.stateDir,
          ),
        );
      }
    }

    log(`start-up: installing 2.5.0 for the dry runs to ${DRY_RUN_TO}`);
    const startUpState = await installStartingState(bench, manifests, "2.5.0", "bench-start-up");
    const appDir = await mkdtemp(path.join(os.tmpdir(), "kfp-bench-app-"));
    let startUp: StartUpRow[];
    try {
      startUp = await startUpBenchmarks({
        bin,
        kubeconfigPath: cluster.kubeconfigPath,
        manifests,
        namespace: "bench-start-up",
        to: DRY_RUN_TO,
        appDir,
        runs: quick ? 3 : 7,
        beforeBin,
        otherNodes,
      });
    } finally {
      await removeInstall(bench, startUpState);
      await rm(appDir, { recursive: true, force: true });
    }

    log("in-process benchmarks");
    const inProcess = await inProcessBenchmarks(quick ? 3 : 15);

    const upgrades = summarise(upgradeRows);
    const growth = summarise(growthRows);
    const goals = evaluateGoals({
      upgrades,
      comparedHops: HOPS.map(([from, to]) => `${from} -> ${to}`),
      memoryHop: `${MEMORY_HOP[0]} -> ${MEMORY_HOP[1]}`,
      growth,
      startUp,
    });
    const machine = {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? "unknown",
      memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
      loadAverage: os.loadavg(),
      node: process.version,
      kubernetes: cluster.kubernetesVersion,
    };
    const text = [
      `kfp-upgrade benchmarks, ${new Date().toISOString()}, ${quick ? "quick (smoke) run" : `${rounds} round(s)`}`,
      `machine: ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGiB} GiB, load ${machine.loadAverage.map((l) => l.toFixed(2)).join(" ")}, node ${machine.node}, Kubernetes ${machine.kubernetes}`,
      `readiness delay: ${DELAYS.deployment} per Deployment's pods, ${DELAYS.mysql} for MySQL (kwok), the same for every tool`,
      "",
      "Upgrades (the run with the median wall time over rounds). crit = the run's first write (earliest managedFields",
      "time, whole seconds) to the last Deployment rolled out by its conditions (whole seconds); crit (watch) = the",
      "earlier of that first write and the first Deployment spec write a kubectl watch started before the run saw, to",
      "the last Deployment rolled out as the watch saw it, stamped in ms by the bench as events arrive.",
      upgradeTable(upgrades),
      failures(upgrades),
      stepTable([...upgrades, ...growth.filter((r) => r.factor > 1)]),
      "",
      "What safety costs (kfp-upgrade, each run; before first step = node start-up, preflight reads, access reviews,",
      `planning; MySQL phase = the seconds of its ${MYSQL_PHASE_KINDS.join(", ")} steps):`,
      safetyTable(upgradeRows),
      "",
      "Growth (kfp-upgrade from kubectl's install, 2.5.0 -> 2.14.4 with every component copied 4x / 16x):",
      growthTable(growth),
      "",
      "Start-up (whole processes):",
      startUpTable(startUp),
      ...startUp.filter((r) => r.why).map((r) => `- ${r.what} failed: ${r.why}`),
      "",
      inProcessTable(inProcess),
      "",
      "Goals of issue 15, judged from this run (a printout; nothing asserts on it):",
      goalTable(goals),
      "",
      `total ${((performance.now() - started) / 1000).toFixed(0)} s`,
    ].join("\n");
    console.log(text);
    await writeFile(
      resultsFile,
      `${JSON.stringify(
        {
          date: new Date().toISOString(),
          quick,
          rounds,
          machine,
          readyDelays: DELAYS,
          upgrades,
          growth,
          startUp,
          inProcess,
          goals,
          runs: [...upgradeRows, ...growthRows.filter((r) => r.factor > 1)],
        },
        null,
        2,
      )}\n`,
    );
    log(`wrote ${resultsFile}`);
  } finally {
    await rm(manifestsRoot, { recursive: true, force: true });
    await cluster.stop();
  }
}

await main();

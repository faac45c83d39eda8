// The goals of issue 15, each judged from the figures of one `npm run bench` run. A printout and a field of
// bench/results.json: nothing asserts on these (the machine is shared and times are noisy).
import type { StartUpRow } from "./start-up.js";
import { criticalPathOf, type UpgradeRow } from "./upgrade-row.js";

export type Met = "yes" | "no" | "not measured";

export interface GoalRow {
  goal: string;
  measured: string;
  met: Met;
}

export interface GoalInput {
  /** Summarised upgrades of the 1x release (every hop and contender, the 2.17.0 upgrade included). */
  upgrades: readonly UpgradeRow[];
  /** The hops every contender ran, e.g. "2.5.0 -> 2.14.4". */
  comparedHops: readonly string[];
  /** The hop of the 2.17.0 upgrade the memory goal is about (absent from a quick run). */
  memoryHop: string;
  /** kfp-upgrade's growth series: the 1x, 4x and 16x upgrades of one hop. */
  growth: readonly UpgradeRow[];
  startUp: readonly StartUpRow[];
}

export const GOAL_LIMITS = {
  wallPerCriticalPath: 1.1,
  requestsPerObject: 1.2,
  requestsBase: 20,
  helpPerNode: 1.5,
  dryRunPerNode: 3,
  peakRssMiB: 120,
  /** How far above the straight line through 1x and 4x the 16x figure may be and still count as linear. */
  growthSlack: 0.2,
} as const;

const isKfp = (row: UpgradeRow) => row.contender.startsWith("kfp-upgrade");
const s = (seconds: number) => `${seconds.toFixed(1)} s`;
const yes = (condition: boolean): Met => (condition ? "yes" : "no");

function speedGoals(input: GoalInput): GoalRow[] {
  const rows: GoalRow[] = [];
  for (const hop of input.comparedHops) {
    const atHop = input.upgrades.filter((r) => r.hop === hop && r.factor === 1);
    const peers = atHop.filter((r) => !isKfp(r) && r.ok);
    for (const kfp of atHop.filter(isKfp)) {
      const critical = criticalPathOf(kfp);
      const ratio = critical ? kfp.wallSeconds / critical : null;
      const slower = peers.filter((peer) => peer.wallSeconds <= kfp.wallSeconds);
      const measured = [
        `${s(kfp.wallSeconds)}${kfp.ok ? "" : " (FAILED)"}, ${ratio === null ? "no critical path" : `${ratio.toFixed(2)}x its critical path`}`,
        peers.length === 0
          ? "no peer succeeded"
          : `peers that succeeded: ${peers.map((p) => `${p.contender} ${s(p.wallSeconds)}`).join(", ")}`,
      ].join("; ");
      rows.push({
        goal: `upgrade <= ${GOAL_LIMITS.wallPerCriticalPath}x critical path, faster than each peer (${hop}, ${kfp.contender})`,
        measured,
        met:
          ratio === null
            ? "not measured"
            : yes(kfp.ok && ratio <= GOAL_LIMITS.wallPerCriticalPath && slower.length === 0),
      });
    }
  }
  return rows;
}

function requestGoals(input: GoalInput): GoalRow[] {
  return input.upgrades
    .filter((r) => isKfp(r) && r.factor === 1 && input.comparedHops.includes(r.hop))
    .map((r) => {
      const limit = GOAL_LIMITS.requestsPerObject * r.objects + GOAL_LIMITS.requestsBase;
      return {
        goal: `requests <= ${GOAL_LIMITS.requestsPerObject} x objects + ${GOAL_LIMITS.requestsBase} (${r.hop}, ${r.contender})`,
        measured:
          r.clientRequests === null
            ? "not counted"
            : `${r.clientRequests} for ${r.objects} objects (limit ${limit.toFixed(0)})`,
        met: r.clientRequests === null ? "not measured" : yes(r.clientRequests <= limit),
      };
    });
}

function startUpGoals(input: GoalInput): GoalRow[] {
  const help = input.startUp.find((r) => r.what === "kfp-upgrade --help");
  const dryRun = input.startUp.find((r) => r.what.startsWith("kfp-upgrade upgrade --dry-run"));
  return [
    {
      goal: `--help <= ${GOAL_LIMITS.helpPerNode}x node -e 0`,
      measured: help ? `${help.ratio.toFixed(2)}x (median ${help.medianMs.toFixed(0)} ms)` : "not run",
      met: help ? yes(help.ok && help.ratio <= GOAL_LIMITS.helpPerNode) : "not measured",
    },
    {
      goal: `dry run to 2.17.0 < ${GOAL_LIMITS.dryRunPerNode}x node -e 0`,
      measured: dryRun
        ? `${dryRun.ratio.toFixed(2)}x (median ${dryRun.medianMs.toFixed(0)} ms)${dryRun.ok ? "" : ", FAILED"}`
        : "not run",
      met: dryRun ? yes(dryRun.ok && dryRun.ratio < GOAL_LIMITS.dryRunPerNode) : "not measured",
    },
  ];
}

function memoryGoal(input: GoalInput): GoalRow {
  const row = input.upgrades.find((r) => isKfp(r) && r.hop === input.memoryHop && r.factor === 1);
  return {
    goal: `peak RSS < ${GOAL_LIMITS.peakRssMiB} MiB for a 2.17.0 upgrade (${input.memoryHop})`,
    measured:
      row === undefined
        ? "not run (the full run has it)"
        : row.peakRssMiB === null
          ? "no RSS (GNU time missing)"
          : `${row.peakRssMiB.toFixed(1)} MiB${row.ok ? "" : " (the upgrade FAILED)"}`,
    met:
      row === undefined || row.peakRssMiB === null
        ? "not measured"
        : yes(row.ok && row.peakRssMiB < GOAL_LIMITS.peakRssMiB),
  };
}

export interface Point {
  x: number;
  y: number;
}

/**
 * Linear growth: the last point is at most `slack` above the straight line through the first two (a fixed start-up
 * cost plus a cost per object is linear too, so ratios to x are not the test).
 */
export function linearGrowth(points: readonly Point[], slack: number = GOAL_LIMITS.growthSlack) {
  const [a, b, last] = points;
  if (points.length !== 3 || !a || !b || !last || b.x === a.x) return undefined;
  const expected = a.y + ((b.y - a.y) * (last.x - a.x)) / (b.x - a.x);
  return { expected, linear: last.y <= expected * (1 + slack) };
}

function growthGoal(
  input: GoalInput,
  what: string,
  value: (r: UpgradeRow) => number | null,
  show: (y: number) => string,
): GoalRow {
  const series = [...input.growth].sort((a, b) => a.factor - b.factor);
  const points = series.flatMap((r) => {
    const y = value(r);
    return y === null ? [] : [{ x: r.objects, y }];
  });
  const fit = points.length === series.length ? linearGrowth(points) : undefined;
  const last = points.at(-1);
  return {
    goal: `${what} linear across 1x/4x/16x`,
    measured:
      fit === undefined || last === undefined
        ? "not run (the full run has the growth series)"
        : `${points.map((p) => `${show(p.y)} (${p.x} objects)`).join(", ")}; the line through the first two expects ${show(fit.expected)} at ${last.x}`,
    met: fit === undefined ? "not measured" : yes(fit.linear && series.every((r) => r.ok)),
  };
}

export function evaluateGoals(input: GoalInput): GoalRow[] {
  return [
    ...speedGoals(input),
    ...requestGoals(input),
    ...startUpGoals(input),
    memoryGoal(input),
    growthGoal(
      input,
      "requests",
      (r) => r.clientRequests,
      (y) => y.toFixed(0),
    ),
    growthGoal(
      input,
      "peak RSS",
      (r) => r.peakRssMiB,
      (y) => `${y.toFixed(0)} MiB`,
    ),
  ];
}

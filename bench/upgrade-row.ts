// One measured upgrade of `npm run bench`, how rounds are summarised, and what kfp-upgrade's safety phase cost.

export interface UpgradeRow {
  hop: string;
  contender: string;
  /** Who installed the starting release: kubectl's documented procedure, or kfp-upgrade's own `deploy`. */
  installedBy: "kubectl" | "kfp-upgrade";
  round: number;
  factor: number;
  ok: boolean;
  why: string | null;
  wallSeconds: number;
  /** First write (managedFields) to the last Deployment rolled out (conditions): both in whole seconds. */
  criticalPathSeconds: number | null;
  lastDeployment: string | null;
  /**
   * The earlier of the managedFields first write and the first Deployment spec write the bench's watch saw, to the
   * last Deployment rolled out as the watch saw it (ms).
   */
  criticalPathWatchSeconds: number | null;
  lastDeploymentWatch: string | null;
  sameVolumes: boolean;
  objects: number;
  /** kfp-upgrade's own count (kube layer); null for the peers. */
  clientRequests: number | null;
  clientRequestsByRoute: Record<string, number> | null;
  /** apiserver_request_total delta over the run: every client, controllers and kwok included. */
  apiServerRequests: number;
  peakRssMiB: number | null;
  /**
   * Data-store starts the local cluster's data-store simulation refused during the run (a second MySQL on a held
   * data directory, a server too old or new for the data): what a tool's ordering costs in crash-looping pods.
   */
  refusedStarts: number;
  /** kfp-upgrade: seconds in its plan steps by kind; the rest of its wall time is start-up, preflight, planning. */
  stepSeconds: Record<string, number> | null;
  /** kfp-upgrade: seconds from starting the process to its first step (start-up, preflight, plan). */
  beforeFirstStepSeconds: number | null;
}

/**
 * The steps of kfp-upgrade's MySQL phase, what a series change adds for the data's sake: the clients and the old
 * server scaled to zero and their pods gone, the new server's series checked, the point of no return recorded, and
 * the data's writer recorded on the PV.
 */
export const MYSQL_PHASE_KINDS = [
  "scaleDeployments",
  "waitPodsGone",
  "verifyMysqlSeries",
  "pointOfNoReturn",
  "recordDataWriter",
] as const;

/** Seconds of one run's MySQL phase steps (null for a run without step events). */
export function mysqlPhaseSeconds(row: Pick<UpgradeRow, "stepSeconds">): number | null {
  if (row.stepSeconds === null) return null;
  return MYSQL_PHASE_KINDS.reduce((sum, kind) => sum + (row.stepSeconds?.[kind] ?? 0), 0);
}

/** The better of the two critical paths: the watch's when it saw a rollout, else the conditions'. */
export function criticalPathOf(
  row: Pick<UpgradeRow, "criticalPathSeconds" | "criticalPathWatchSeconds">,
): number | null {
  return row.criticalPathWatchSeconds ?? row.criticalPathSeconds;
}

/**
 * One row per factor x hop x contender: the run with the median wall time (the lower median for an even count), so
 * every ratio of a row comes from one run; `ok` and `sameVolumes` only when every round had them.
 */
export function summarise(rows: readonly UpgradeRow[]): UpgradeRow[] {
  const groups = new Map<string, UpgradeRow[]>();
  for (const row of rows) {
    const key = `${row.factor}|${row.hop}|${row.contender}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  return [...groups.values()].map((group) => {
    const sorted = [...group].sort((a, b) => a.wallSeconds - b.wallSeconds);
    const middle = sorted[Math.floor((sorted.length - 1) / 2)] as UpgradeRow;
    return {
      ...middle,
      ok: group.every((r) => r.ok),
      why: group.find((r) => r.why)?.why ?? null,
      sameVolumes: group.every((r) => r.sameVolumes),
      refusedStarts: Math.max(...group.map((r) => r.refusedStarts)),
    };
  });
}

import type { UpgradeRow } from "../../../bench/upgrade-row.js";

/** A measured upgrade with plausible figures; each test overrides what it is about. */
export function upgradeRow(overrides: Partial<UpgradeRow>): UpgradeRow {
  return {
    hop: "2.5.0 -> 2.14.4",
    contender: "kfp-upgrade (own install)",
    installedBy: "kfp-upgrade",
    round: 1,
    factor: 1,
    ok: true,
    why: null,
    wallSeconds: 10,
    criticalPathSeconds: 9,
    lastDeployment: "mysql",
    criticalPathWatchSeconds: null,
    lastDeploymentWatch: null,
    sameVolumes: true,
    objects: 81,
    clientRequests: 300,
    clientRequestsByRoute: null,
    apiServerRequests: 600,
    peakRssMiB: 100,
    refusedStarts: 0,
    stepSeconds: null,
    beforeFirstStepSeconds: null,
    ...overrides,
  };
}

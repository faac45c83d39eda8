import { describe, expect, it } from "vitest";
import { criticalPathOf, mysqlPhaseSeconds, summarise } from "../../../bench/upgrade-row.js";
import { upgradeRow } from "./upgrade-row-fixture.js";

describe("summarise", () => {
  it("keeps the whole run with the median wall time, so a row's ratios come from one run", () => {
    const rows = [
      upgradeRow({ round: 1, wallSeconds: 12, criticalPathSeconds: 11, clientRequests: 310 }),
      upgradeRow({ round: 2, wallSeconds: 9, criticalPathSeconds: 6, clientRequests: 290 }),
      upgradeRow({
        round: 3,
        wallSeconds: 10,
        criticalPathSeconds: 9,
        clientRequests: 300,
        refusedStarts: 1,
      }),
      upgradeRow({ contender: "kpt live apply", wallSeconds: 7 }),
    ];
    const [kfp, kpt] = summarise(rows);
    expect(kfp).toMatchObject({ round: 3, wallSeconds: 10, criticalPathSeconds: 9, clientRequests: 300 });
    expect(kpt).toMatchObject({ contender: "kpt live apply", wallSeconds: 7 });
  });

  it("is ok and on the same PVs only when every round was, and keeps the worst refused starts", () => {
    const rows = [
      upgradeRow({ round: 1, wallSeconds: 10 }),
      upgradeRow({
        round: 2,
        wallSeconds: 20,
        ok: false,
        why: "timed out",
        sameVolumes: false,
        refusedStarts: 2,
      }),
    ];
    expect(summarise(rows)[0]).toMatchObject({
      round: 1,
      ok: false,
      why: "timed out",
      sameVolumes: false,
      refusedStarts: 2,
    });
  });
});

describe("mysqlPhaseSeconds", () => {
  it("sums the MySQL phase's step kinds and nothing else", () => {
    const stepSeconds = {
      scaleDeployments: 1.25,
      waitPodsGone: 0.5,
      verifyMysqlSeries: 0.125,
      pointOfNoReturn: 0.0625,
      recordDataWriter: 0.0625,
      applyObjects: 3,
      waitRollout: 6,
    };
    expect(mysqlPhaseSeconds({ stepSeconds })).toBe(2);
    expect(mysqlPhaseSeconds({ stepSeconds: {} })).toBe(0);
    expect(mysqlPhaseSeconds({ stepSeconds: null })).toBeNull();
  });
});

describe("criticalPathOf", () => {
  it("prefers the watch's critical path and falls back to the conditions'", () => {
    expect(criticalPathOf({ criticalPathSeconds: 9, criticalPathWatchSeconds: 8.42 })).toBe(8.42);
    expect(criticalPathOf({ criticalPathSeconds: 9, criticalPathWatchSeconds: null })).toBe(9);
  });
});

import { describe, expect, it } from "vitest";
import { evaluateGoals, type GoalInput, linearGrowth } from "../../../bench/goals.js";
import type { StartUpRow } from "../../../bench/start-up.js";
import { upgradeRow } from "./upgrade-row-fixture.js";

const HOP = "2.5.0 -> 2.14.4";

function startUp(what: string, ratio: number, ok = true): StartUpRow {
  return { what, runs: 3, minMs: 400 * ratio, medianMs: 450 * ratio, ratio, peakRssKiB: null, ok, why: null };
}

function input(overrides: Partial<GoalInput> = {}): GoalInput {
  return {
    upgrades: [
      upgradeRow({ contender: "kfp-upgrade (own install)", wallSeconds: 9, criticalPathWatchSeconds: 8.5 }),
      upgradeRow({ contender: "kubectl (documented procedure)", wallSeconds: 10, clientRequests: null }),
      upgradeRow({
        contender: "helm upgrade --install --wait",
        ok: false,
        wallSeconds: 2,
        clientRequests: null,
      }),
      upgradeRow({ hop: "2.14.4 -> 2.17.0", wallSeconds: 15, peakRssMiB: 118.5 }),
    ],
    comparedHops: [HOP],
    memoryHop: "2.14.4 -> 2.17.0",
    growth: [
      upgradeRow({ factor: 1, objects: 81, clientRequests: 100, peakRssMiB: 100 }),
      upgradeRow({ factor: 4, objects: 255, clientRequests: 280, peakRssMiB: 110 }),
      upgradeRow({ factor: 16, objects: 951, clientRequests: 1000, peakRssMiB: 150 }),
    ],
    startUp: [
      startUp("node -e 0", 1),
      startUp("kfp-upgrade --help", 1.4),
      startUp("kfp-upgrade upgrade --dry-run (plan to 2.17.0)", 3.2),
    ],
    ...overrides,
  };
}

const met = (goals: ReturnType<typeof evaluateGoals>) =>
  Object.fromEntries(goals.map((g) => [g.goal, g.met]));

describe("evaluateGoals", () => {
  it("judges every goal of issue 15 from one run's figures", () => {
    expect(met(evaluateGoals(input()))).toEqual({
      "upgrade <= 1.1x critical path, faster than each peer (2.5.0 -> 2.14.4, kfp-upgrade (own install))":
        "yes",
      "requests <= 1.2 x objects + 20 (2.5.0 -> 2.14.4, kfp-upgrade (own install))": "no",
      "--help <= 1.5x node -e 0": "yes",
      "dry run to 2.17.0 < 3x node -e 0": "no",
      "peak RSS < 120 MiB for a 2.17.0 upgrade (2.14.4 -> 2.17.0)": "yes",
      "requests linear across 1x/4x/16x": "yes",
      "peak RSS linear across 1x/4x/16x": "yes",
    });
  });

  it("says what it measured: the ratio, the peers that succeeded (a failed peer is left out) and the limits", () => {
    const goals = evaluateGoals(input());
    expect(goals[0]?.measured).toBe(
      "9.0 s, 1.06x its critical path; peers that succeeded: kubectl (documented procedure) 10.0 s",
    );
    expect(goals[1]?.measured).toBe("300 for 81 objects (limit 117)");
    expect(goals[4]?.measured).toBe("118.5 MiB");
  });

  it("misses the speed goal when a successful peer is faster, even within the critical-path ratio", () => {
    const upgrades = [
      upgradeRow({ contender: "kfp-upgrade (own install)", wallSeconds: 9, criticalPathWatchSeconds: 8.5 }),
      upgradeRow({ contender: "kpt live apply", wallSeconds: 8.9, clientRequests: null }),
    ];
    expect(evaluateGoals(input({ upgrades }))[0]?.met).toBe("no");
  });

  it("misses the speed goal above 1.1x the critical path, and says so when there is no critical path", () => {
    const slow = [upgradeRow({ wallSeconds: 10, criticalPathSeconds: 9, criticalPathWatchSeconds: null })];
    expect(evaluateGoals(input({ upgrades: slow }))[0]?.met).toBe("no");
    const none = [upgradeRow({ criticalPathSeconds: null })];
    expect(evaluateGoals(input({ upgrades: none }))[0]).toMatchObject({ met: "not measured" });
  });

  it("leaves out what a quick run does not measure: the 2.17.0 upgrade and the growth series", () => {
    const goals = evaluateGoals(input({ growth: [], upgrades: input().upgrades.slice(0, 3) }));
    expect(goals.filter((g) => g.met === "not measured").map((g) => g.goal)).toEqual([
      "peak RSS < 120 MiB for a 2.17.0 upgrade (2.14.4 -> 2.17.0)",
      "requests linear across 1x/4x/16x",
      "peak RSS linear across 1x/4x/16x",
    ]);
  });

  it("does not call a failed 2.17.0 upgrade light", () => {
    const upgrades = [upgradeRow({ hop: "2.14.4 -> 2.17.0", ok: false, peakRssMiB: 90 })];
    expect(evaluateGoals(input({ upgrades })).find((g) => g.goal.startsWith("peak RSS <"))).toMatchObject({
      measured: "90.0 MiB (the upgrade FAILED)",
      met: "no",
    });
  });
});

describe("linearGrowth", () => {
  it("extends the line through the first two points to the last and allows 20% above it", () => {
    expect(
      linearGrowth([
        { x: 1, y: 10 },
        { x: 4, y: 40 },
        { x: 16, y: 190 },
      ]),
    ).toEqual({ expected: 160, linear: true });
    expect(
      linearGrowth([
        { x: 1, y: 10 },
        { x: 4, y: 40 },
        { x: 16, y: 193 },
      ])?.linear,
    ).toBe(false);
  });

  it("counts a fixed cost plus a cost per object as linear", () => {
    expect(
      linearGrowth([
        { x: 81, y: 100 },
        { x: 255, y: 110 },
        { x: 951, y: 150 },
      ])?.linear,
    ).toBe(true);
  });

  it("needs three points", () => {
    expect(linearGrowth([{ x: 1, y: 1 }])).toBeUndefined();
  });
});

import { describe, expect, it } from "vitest";
import {
  oneWayApiMigration,
  oneWayApiMigrationCrossed,
  oneWayApiMigrationsCrossed,
} from "../../../src/release/release-rules.js";

describe("one-way API migrations", () => {
  const cases = [
    {
      name: "2.14.4 → 2.18.1 crosses 2.15's and 2.18's",
      from: "2.14.4",
      to: "2.18.1",
      crossed: ["2.15.0", "2.18.0"],
    },
    { name: "2.17.0 → 2.18.1 crosses 2.18's", from: "2.17.0", to: "2.18.1", crossed: ["2.18.0"] },
    { name: "2.17.0 → 2.17.2 crosses none", from: "2.17.0", to: "2.17.2", crossed: [] },
    { name: "2.18.0 → 2.18.1 crosses none", from: "2.18.0", to: "2.18.1", crossed: [] },
    {
      name: "an unknown API server crosses every one up to the target",
      from: null,
      to: "2.18.0",
      crossed: ["2.15.0", "2.18.0"],
    },
  ];
  it.each(cases)("$name", ({ from, to, crossed }) => {
    expect(oneWayApiMigrationsCrossed(from, to).map((m) => m.since)).toEqual(crossed);
    expect(oneWayApiMigrationCrossed(from, to)).toBe(crossed.at(-1));
  });

  it("2.18.0's schedule adoption asks for a drain and names the signing-key Secret in the back-up advice", () => {
    const adoption = oneWayApiMigration("2.18.0");
    expect(adoption).toMatchObject({ drainWorkflows: true });
    expect(adoption?.backup).toContain("the UI signing-key Secret ml-pipeline-ui-tensorboard-proxy");
    expect(
      adoption?.progressLog?.test("recurring_run_adoption id=legacy-2.18 ready=true adopted_count=3"),
    ).toBe(true);
    expect(adoption?.source).toContain("upgrade-2.18.md");
    expect(oneWayApiMigration("2.15.0")).toMatchObject({ drainWorkflows: false });
  });
});

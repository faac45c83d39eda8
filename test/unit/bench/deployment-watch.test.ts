import { describe, expect, it } from "vitest";
import { firstSpecWrite, lastRolledOut, parseWatchLine } from "../../../bench/deployment-watch.js";

describe("parseWatchLine", () => {
  it("calls a Deployment rolled out when the newest spec is observed and every replica is updated and available", () => {
    expect(parseWatchLine("ml-pipeline|3|3|1|1|1|1|True", 5)).toEqual({
      atMs: 5,
      name: "ml-pipeline",
      generation: "3",
      rolledOut: true,
    });
  });

  it("is not rolled out while the controller has not seen the new spec, an old replica is left, or Available is not True", () => {
    expect(parseWatchLine("ml-pipeline|4|3|1|1|1|1|True", 0)?.rolledOut).toBe(false);
    expect(parseWatchLine("ml-pipeline|4|4|1|2|1|1|True", 0)?.rolledOut).toBe(false);
    expect(parseWatchLine("ml-pipeline|4|4|1|1|1|1|False", 0)?.rolledOut).toBe(false);
    expect(parseWatchLine("ml-pipeline|1||1||||", 0)?.rolledOut).toBe(false);
  });

  it("takes one replica when spec.replicas is absent, and skips lines that are not watch lines", () => {
    expect(parseWatchLine("mysql|2|2||1|1|1|True", 0)?.rolledOut).toBe(true);
    expect(parseWatchLine("", 0)).toBeUndefined();
    expect(parseWatchLine("error: something", 0)).toBeUndefined();
  });
});

describe("lastRolledOut", () => {
  const seen = (atMs: number, name: string, rolledOut: boolean) => ({
    atMs,
    name,
    generation: "1",
    rolledOut,
  });

  it("is the latest turn to rolled out after the run started; the listing before it only sets the starting state", () => {
    const observations = [
      seen(100, "ml-pipeline", true),
      seen(100, "mysql", true),
      seen(1_000, "ml-pipeline", false),
      seen(1_500, "mysql", false),
      seen(2_250, "ml-pipeline", true),
      seen(3_125, "mysql", true),
      // a status write of a Deployment that stays rolled out is no new turn
      seen(4_000, "ml-pipeline", true),
    ];
    expect(lastRolledOut(observations, 500)).toEqual({ name: "mysql", atMs: 3_125 });
  });

  it("counts a Deployment created during the run, and is undefined when nothing turned", () => {
    expect(lastRolledOut([seen(100, "a", true), seen(900, "b", true)], 500)).toEqual({
      name: "b",
      atMs: 900,
    });
    expect(lastRolledOut([seen(100, "a", true), seen(900, "a", true)], 500)).toBeUndefined();
  });
});

describe("firstSpecWrite", () => {
  const seen = (atMs: number, name: string, generation: string) => ({
    atMs,
    name,
    generation,
    rolledOut: true,
  });

  it("is the first generation change (or new Deployment) at or after the run started; status events do not count", () => {
    const observations = [
      seen(100, "ml-pipeline", "2"),
      seen(100, "mysql", "1"),
      seen(600, "ml-pipeline", "2"),
      seen(1_250, "mysql", "2"),
      seen(2_000, "ml-pipeline", "3"),
    ];
    expect(firstSpecWrite(observations, 500)).toBe(1_250);
    expect(firstSpecWrite([seen(100, "a", "1"), seen(700, "b", "1")], 500)).toBe(700);
    expect(firstSpecWrite([seen(100, "a", "1"), seen(700, "a", "1")], 500)).toBeUndefined();
  });
});

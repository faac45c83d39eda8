import { describe, expect, it } from "vitest";
import { forEachBounded } from "../../../src/execute/for-each-bounded.js";

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe("forEachBounded", () => {
  it("calls fn for every item with at most `limit` in flight", async () => {
    let inFlight = 0;
    let most = 0;
    const seen: number[] = [];
    await forEachBounded([1, 2, 3, 4, 5, 6, 7], 3, async (item) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await tick();
      seen.push(item);
      inFlight -= 1;
    });
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(most).toBe(3);
  });

  it("starts nothing new after a failure, lets in-flight calls finish, then throws the first error", async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const run = forEachBounded([1, 2, 3, 4, 5], 2, async (item) => {
      started.push(item);
      if (item === 1) throw new Error("refused: 1");
      await tick();
      finished.push(item);
    });
    await expect(run).rejects.toThrow("refused: 1");
    expect(started).toEqual([1, 2]);
    expect(finished).toEqual([2]);
  });

  it("does nothing for no items", async () => {
    await expect(forEachBounded([], 4, async () => {})).resolves.toBeUndefined();
  });
});

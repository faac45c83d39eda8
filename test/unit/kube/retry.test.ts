import { describe, expect, it } from "vitest";
import { ApiStatusError } from "../../../src/kube/api-transport.js";
import { backoffMilliseconds, withRetry } from "../../../src/kube/retry.js";

/** A clock that only moves when the retry loop sleeps. */
function virtualTime() {
  let now = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (milliseconds: number) => {
      sleeps.push(milliseconds);
      now += milliseconds;
    },
  };
}

const refused = () => Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });

describe("withRetry", () => {
  it("backs off 0.2 s, doubling, up to 3 s", () => {
    expect([1, 2, 3, 4, 5, 6, 10].map(backoffMilliseconds)).toEqual([200, 400, 800, 1600, 3000, 3000, 3000]);
  });

  it("keeps trying through a 10 s outage within the default 30 s", async () => {
    const time = virtualTime();
    let attempts = 0;
    const result = await withRetry(
      async () => {
        attempts++;
        if (time.now() < 10_000) throw refused();
        return "up";
      },
      { retrySeconds: 30, now: time.now, sleep: time.sleep },
    );
    expect(result).toBe("up");
    expect(time.sleeps).toEqual([200, 400, 800, 1600, 3000, 3000, 3000]);
    expect(attempts).toBe(8);
  });

  it("rethrows the last transient error once retrySeconds would be exceeded", async () => {
    const time = virtualTime();
    const error = refused();
    await expect(
      withRetry(
        async () => {
          throw error;
        },
        { retrySeconds: 2, now: time.now, sleep: time.sleep },
      ),
    ).rejects.toBe(error);
    expect(time.sleeps).toEqual([200, 400, 800]);
  });

  it("waits as long as Retry-After asks, within reason", async () => {
    const time = virtualTime();
    let attempts = 0;
    await withRetry(
      async () => {
        if (attempts++ === 0) throw new ApiStatusError(429, undefined, { "retry-after": "5" });
        return "ok";
      },
      { retrySeconds: 30, now: time.now, sleep: time.sleep },
    );
    expect(time.sleeps).toEqual([5000]);
  });

  it("does not retry what will not change", async () => {
    const time = virtualTime();
    const conflict = new ApiStatusError(409, { reason: "Conflict" }, {});
    await expect(
      withRetry(
        async () => {
          throw conflict;
        },
        { retrySeconds: 30, now: time.now, sleep: time.sleep },
      ),
    ).rejects.toBe(conflict);
    expect(time.sleeps).toEqual([]);
  });
});

import { afterEach, describe, expect, it, vi } from "vitest";
import { KubeApiError } from "../../../src/errors.js";
import {
  acquireLock,
  JOURNAL_ANNOTATION,
  LOCK_NAME,
  type LockClock,
} from "../../../src/execute/lease-lock.js";
import type { WriteOptions } from "../../../src/kube/kube-client.js";
import type { KubeObject, ObjectRef } from "../../../src/model/kube-object.js";
import { FakeKubeClient } from "../../support/fake-kube-client.js";

const LEASE: ObjectRef = {
  apiVersion: "coordination.k8s.io/v1",
  kind: "Lease",
  name: LOCK_NAME,
  namespace: "kubeflow",
};

/**
 * The fake, with the next `failures` replaces answered 503 (an API outage) and the next `conflicts` answered 409
 * after they reached the server (a write whose answer was lost, retried: the Lease changed, still ours).
 */
class ConflictingReplaces extends FakeKubeClient {
  failures = 0;
  conflicts = 0;

  override async replace(object: KubeObject, options?: WriteOptions): Promise<KubeObject> {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new KubeApiError(`replace lease/${LOCK_NAME} -n kubeflow: API server unavailable (503)`, {
        statusCode: 503,
        reason: "ServiceUnavailable",
      });
    }
    if (this.conflicts > 0) {
      this.conflicts -= 1;
      await super.replace(object, options);
      throw new KubeApiError(
        `replace lease/${LOCK_NAME} -n kubeflow: API server says: the object has been modified (reason: Conflict, 409)`,
        { statusCode: 409, reason: "Conflict" },
      );
    }
    return super.replace(object, options);
  }
}

function cluster(): ConflictingReplaces {
  const client = new ConflictingReplaces();
  client.seed([{ apiVersion: "v1", kind: "Namespace", metadata: { name: "kubeflow" } }]);
  return client;
}

describe("acquireLock", () => {
  it("takes a free lock, mirrors the journal on the Lease and deletes it on release", async () => {
    const client = cluster();
    const lock = await acquireLock(client, "kubeflow", {
      runId: "run-1",
      wait: false,
      signal: new AbortController().signal,
    });
    expect(lock.holder).toMatch(/ run run-1$/);
    await lock.annotate({ completedStepIds: ["01-applyObjects"] });
    expect(client.peek(LEASE)?.metadata.annotations?.[JOURNAL_ANNOTATION]).toBe(
      '{"completedStepIds":["01-applyObjects"]}',
    );
    await lock.release();
    expect(client.peek(LEASE)).toBeNull();
  });

  it("refuses a lock another live run holds, naming it", async () => {
    const client = cluster();
    const signal = new AbortController().signal;
    const first = await acquireLock(client, "kubeflow", { runId: "run-1", wait: false, signal });
    await expect(
      acquireLock(client, "kubeflow", { runId: "run-2", wait: false, signal }),
    ).rejects.toMatchObject({
      code: "LOCK_HELD",
      exitCode: 7,
      message: `another kfp-upgrade run holds the lock on namespace "kubeflow": ${first.holder}`,
    });
    await first.release();
  });

  it("a failed Lease update does not fail every update after it", async () => {
    const client = cluster();
    const lock = await acquireLock(client, "kubeflow", {
      runId: "run-1",
      wait: false,
      signal: new AbortController().signal,
    });
    client.failures = 1;
    await expect(lock.annotate({ step: 1 })).rejects.toMatchObject({ statusCode: 503 });
    await lock.annotate({ step: 2 });
    expect(client.peek(LEASE)?.metadata.annotations?.[JOURNAL_ANNOTATION]).toBe('{"step":2}');
    await lock.release();
    expect(client.peek(LEASE)).toBeNull();
  });

  it("writes the Lease without reading it first: one PUT per renewal or journal mirror", async () => {
    const client = cluster();
    const lock = await acquireLock(client, "kubeflow", {
      runId: "run-1",
      wait: false,
      signal: new AbortController().signal,
    });
    client.calls.length = 0;
    for (const step of [1, 2, 3]) await lock.annotate({ step });
    expect(client.calls.map((call) => call.method)).toEqual(["replace", "replace", "replace"]);
    expect(client.peek(LEASE)?.metadata.annotations?.[JOURNAL_ANNOTATION]).toBe('{"step":3}');
    await lock.release();
  });

  it("a 409 on a Lease still ours (a retried write whose answer was lost): reads it once and writes again", async () => {
    const client = cluster();
    const lock = await acquireLock(client, "kubeflow", {
      runId: "run-1",
      wait: false,
      signal: new AbortController().signal,
    });
    client.conflicts = 1;
    client.calls.length = 0;
    await lock.annotate({ step: 1 });
    expect(client.calls.map((call) => call.method)).toEqual(["replace", "get", "replace"]);
    expect(client.peek(LEASE)?.metadata.annotations?.[JOURNAL_ANNOTATION]).toBe('{"step":1}');
    expect(lock.held()).toBe(true);
    await lock.release();
    expect(client.peek(LEASE)).toBeNull();
  });

  it("is lost when someone else deleted the Lease: the next write fails and says so", async () => {
    const client = cluster();
    const lock = await acquireLock(client, "kubeflow", {
      runId: "run-1",
      wait: false,
      signal: new AbortController().signal,
    });
    await client.delete(LEASE);
    await expect(lock.annotate({ step: 1 })).rejects.toMatchObject({
      code: "LOCK_LOST",
      message: 'the lock on namespace "kubeflow" was lost: the Lease was deleted by someone else',
    });
    expect(lock.held()).toBe(false);
    await lock.release();
  });
});

const OTHER = "someone@elsewhere pid 1 run other";

function foreignLease(renewTime: string): KubeObject {
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: { name: LOCK_NAME, namespace: "kubeflow" },
    spec: { holderIdentity: OTHER, leaseDurationSeconds: 30, acquireTime: renewTime, renewTime },
  };
}

/**
 * Our wall clock is skewed an hour ahead of the holder's; monotonic time advances only by sleeps (and `advance`).
 * `onSleep` plays the other run between two looks at the lease.
 */
function skewedClock(onSleep: (slept: number) => void = () => {}): LockClock & {
  ms: number;
  sleeps: number;
} {
  const clock = {
    ms: 0,
    sleeps: 0,
    now: () => new Date(Date.parse("2026-01-01T01:00:00Z") + clock.ms),
    monotonicMs: () => clock.ms,
    sleep: async (ms: number, signal: AbortSignal) => {
      if (signal.aborted) throw signal.reason;
      clock.ms += ms;
      clock.sleeps += 1;
      onSleep(clock.sleeps);
    },
  };
  return clock;
}

describe("acquireLock: expiry by observed change, on our own clock", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("never takes over a held lease at once, however old its renewTime looks to a skewed clock", async () => {
    const client = cluster().seed([foreignLease("2026-01-01T00:00:00.000000Z")]);
    await expect(
      acquireLock(client, "kubeflow", {
        runId: "run-2",
        wait: false,
        signal: new AbortController().signal,
        clock: skewedClock(),
      }),
    ).rejects.toMatchObject({
      code: "LOCK_HELD",
      exitCode: 7,
      hint: expect.stringContaining("--wait-for-lock"),
    });
    expect(holderOf(client)).toBe(OTHER);
  });

  it("takes over a lease whose record did not change for its duration, as observed by the waiter", async () => {
    const client = cluster().seed([foreignLease("2026-01-01T00:59:59.000000Z")]);
    const clock = skewedClock();
    const lock = await acquireLock(client, "kubeflow", {
      runId: "run-2",
      wait: true,
      signal: new AbortController().signal,
      clock,
    });
    // 2 s between looks: the first look starts the observation, 30 s later the lease is expired.
    expect(clock.ms).toBe(30_000);
    expect(holderOf(client)).toBe(lock.holder);
    await lock.release();
  });

  it("a holder that keeps renewing is never taken over, even with a renewTime far in the past", async () => {
    const client = cluster().seed([foreignLease("2025-12-31T00:00:00.000000Z")]);
    const controller = new AbortController();
    const clock = skewedClock((sleeps) => {
      // The live holder (its clock a day behind ours) renews every 10 s.
      if (sleeps % 5 === 0) {
        client.update(LEASE, (lease) => {
          (lease.spec as { renewTime: string }).renewTime =
            `2025-12-31T00:00:${String(sleeps).padStart(2, "0")}.000000Z`;
        });
      }
      if (sleeps === 40) controller.abort(new Error("SIGINT"));
    });
    await expect(
      acquireLock(client, "kubeflow", { runId: "run-2", wait: true, signal: controller.signal, clock }),
    ).rejects.toMatchObject({
      code: "INTERRUPTED",
      exitCode: 130,
      message: 'interrupted while waiting for the lock on namespace "kubeflow"',
    });
    expect(holderOf(client)).toBe(OTHER);
  });

  it("Ctrl-C while waiting for the lock exits 130, not 1", async () => {
    const client = cluster().seed([foreignLease("2026-01-01T00:59:59.000000Z")]);
    const controller = new AbortController();
    const clock = skewedClock(() => controller.abort(new Error("interrupted by signal")));
    await expect(
      acquireLock(client, "kubeflow", { runId: "run-2", wait: true, signal: controller.signal, clock }),
    ).rejects.toMatchObject({ code: "INTERRUPTED", exitCode: 130 });
  });
});

describe("a held lock", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("counts and reports failed renewals, and is lost once it could not be renewed for 25 s", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const client = cluster();
    const clock = skewedClock();
    const failures: number[] = [];
    const lock = await acquireLock(client, "kubeflow", {
      runId: "run-1",
      wait: false,
      signal: new AbortController().signal,
      clock,
      onRenewFailure: (_error, count) => failures.push(count),
    });
    client.failures = 100;
    clock.ms += 10_000;
    await vi.advanceTimersByTimeAsync(10_000);
    clock.ms += 2_000;
    await vi.advanceTimersByTimeAsync(2_000);
    expect(failures).toEqual([1, 2]);
    expect(lock.renewFailures()).toBe(2);
    expect(lock.held()).toBe(true);
    await expect(lock.assertHeld("step 03-applyObjects")).resolves.toBeUndefined();
    clock.ms += 13_000;
    expect(lock.held()).toBe(false);
    await expect(lock.assertHeld("step 03-applyObjects")).rejects.toThrow(
      /^the lock on namespace "kubeflow" was lost: it could not be renewed for 25s \(2 renewals failed; now: .*\), so another run may have taken it over; the run stopped before step 03-applyObjects$/,
    );
    client.failures = 0;
    await lock.release();
  });

  it("an API outage past the renew deadline: the next step renews first and goes on if the Lease is still ours", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const client = cluster();
    const clock = skewedClock();
    const lock = await acquireLock(client, "kubeflow", {
      runId: "run-1",
      wait: false,
      signal: new AbortController().signal,
      clock,
    });
    client.failures = 3;
    for (const ms of [10_000, 2_000, 2_000]) {
      clock.ms += ms;
      await vi.advanceTimersByTimeAsync(ms);
    }
    clock.ms += 20_000;
    expect(lock.held()).toBe(false);
    await expect(lock.assertHeld("step 05-waitRollout")).resolves.toBeUndefined();
    expect(lock.held()).toBe(true);
    await lock.release();
  });

  it("a successful renewal after failures keeps the lock", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const client = cluster();
    const clock = skewedClock();
    const lock = await acquireLock(client, "kubeflow", {
      runId: "run-1",
      wait: false,
      signal: new AbortController().signal,
      clock,
    });
    const before = (client.peek(LEASE)?.spec as { renewTime?: string } | undefined)?.renewTime;
    client.failures = 1;
    clock.ms += 10_000;
    await vi.advanceTimersByTimeAsync(10_000);
    clock.ms += 2_000;
    await vi.advanceTimersByTimeAsync(2_000);
    expect(lock.renewFailures()).toBe(1);
    expect((client.peek(LEASE)?.spec as { renewTime?: string } | undefined)?.renewTime).not.toBe(before);
    clock.ms += 20_000;
    expect(lock.held()).toBe(true);
    await lock.release();
  });

  it("is lost when someone else holds the Lease: the next journal mirror fails and every step check fails", async () => {
    const client = cluster();
    const lock = await acquireLock(client, "kubeflow", {
      runId: "run-1",
      wait: false,
      signal: new AbortController().signal,
      clock: skewedClock(),
    });
    client.update(LEASE, (lease) => {
      (lease.spec as { holderIdentity: string }).holderIdentity = OTHER;
    });
    await expect(lock.annotate({ step: 1 })).rejects.toMatchObject({
      code: "LOCK_LOST",
      exitCode: 7,
      message: `the lock on namespace "kubeflow" was lost: it is now held by ${OTHER}`,
    });
    expect(lock.held()).toBe(false);
    await expect(lock.assertHeld("step 04-waitRollout")).rejects.toThrow(
      /the run stopped before step 04-waitRollout$/,
    );
    await lock.release();
    // Not ours: release leaves it alone.
    expect(holderOf(client)).toBe(OTHER);
  });
});

function holderOf(client: FakeKubeClient): string | undefined {
  return (client.peek(LEASE)?.spec as { holderIdentity?: string } | undefined)?.holderIdentity;
}

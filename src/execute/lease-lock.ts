import os from "node:os";
import { Interrupted, KubeApiError, LockHeld, LockLost } from "../errors.js";
import type { KubeClient } from "../kube/kube-client.js";
import type { KubeObject, ObjectRef } from "../model/kube-object.js";
import { sleep } from "../sleep.js";

export const LOCK_NAME = "kfp-upgrade-lock";
export const JOURNAL_ANNOTATION = "kfp-upgrade.kubeflow.org/journal";
export const LEASE_SECONDS = 30;
const RENEW_EVERY_MS = 10_000;
/** After a failed renewal, try again sooner than the regular period. */
const RETRY_EVERY_MS = 2_000;
/**
 * A holder that has not renewed for this long (measured from the START of its last successful renewal, on its own
 * monotonic clock) considers the lease lost: a waiter that saw that renewal takes over no sooner than
 * LEASE_SECONDS after it, so the holder stops first (client-go's renewDeadline < leaseDuration).
 */
const RENEW_DEADLINE_MS = 25_000;
const POLL_EVERY_MS = 2_000;
/** Writes of ours that meet a changed Lease still ours (a retried write whose answer was lost) before giving up. */
const CONFLICT_ATTEMPTS = 3;

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
}

/** Time sources, injectable so tests can skew the wall clock and drive the monotonic one. */
export interface LockClock {
  /** Wall clock: only written into the Lease (renewTime), never compared with another machine's. */
  now(): Date;
  /** Monotonic milliseconds: the only clock used to decide that a foreign lease expired or ours was lost. */
  monotonicMs(): number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const SYSTEM_CLOCK: LockClock = {
  now: () => new Date(),
  monotonicMs: () => performance.now(),
  sleep: (ms, signal) => sleep(ms, signal),
};

export interface HeldLock {
  holder: string;
  /** Mirrors the journal on the Lease, so another machine can see how far a run got. */
  annotate(journal: unknown): Promise<void>;
  /** Cheap: the renew loop's verdict. False once someone else holds the lease or renewals failed too long. */
  held(): boolean;
  /**
   * Called before every step. Resolves at once while renewals succeed; past the renew deadline (an API outage) it
   * renews now, and throws LockLost (naming `before`) unless the Lease is still ours: a takeover needs a write to
   * the Lease, which a successful read-modify-write of ours rules out.
   */
  assertHeld(before: string): Promise<void>;
  /** Renewals that failed so far (each is also reported through `onRenewFailure`). */
  renewFailures(): number;
  release(): Promise<void>;
}

export interface AcquireOptions {
  runId: string;
  wait: boolean;
  signal: AbortSignal;
  onWaiting?: (holder: string) => void;
  /** A renewal failed (the run goes on until the lease is lost); `count` failures so far. */
  onRenewFailure?: (error: unknown, count: number) => void;
  clock?: LockClock;
}

/**
 * One run at a time per namespace: a `coordination.k8s.io/v1` Lease held for the run and renewed every 10 s.
 *
 * A foreign lease expires as client-go's leader election decides it (leaderelection.go, `observedTime`): by the
 * OBSERVED change of its holder and renewTime on this process's own monotonic clock. A lease whose record did not
 * change for LEASE_SECONDS since we first saw it is taken over; the holder's timestamps are never compared with our
 * wall clock, so clock skew between machines cannot make a live lease look expired. Consequently a run that does
 * not wait (no --wait-for-lock) never takes over a held lease, however old its renewTime.
 */
export async function acquireLock(
  client: KubeClient,
  namespace: string,
  options: AcquireOptions,
): Promise<HeldLock> {
  const clock = options.clock ?? SYSTEM_CLOCK;
  const holder = `${client.user ?? os.userInfo().username}@${os.hostname()} pid ${process.pid} run ${options.runId}`;
  const ref: ObjectRef = { apiVersion: "coordination.k8s.io/v1", kind: "Lease", name: LOCK_NAME, namespace };
  let observed: { record: string; atMs: number } | undefined;
  for (;;) {
    if (options.signal.aborted) throw interrupted(namespace, options.signal.reason);
    const existing = await client.get(ref);
    const spec = (existing?.spec ?? {}) as LeaseSpec;
    // A create retried after a lost answer reports 409 although it succeeded: the lease is then already ours.
    if (existing && spec.holderIdentity === holder) return heldLock(client, ref, holder, existing, options);
    let free = existing === null || !spec.holderIdentity;
    if (!free) {
      const record = JSON.stringify([spec.holderIdentity, spec.renewTime ?? spec.acquireTime ?? ""]);
      const nowMs = clock.monotonicMs();
      if (observed?.record !== record) observed = { record, atMs: nowMs };
      free = nowMs - observed.atMs >= (spec.leaseDurationSeconds ?? LEASE_SECONDS) * 1000;
    }
    if (free) {
      try {
        const lease = leaseObject(namespace, holder, clock.now(), existing);
        const written = existing === null ? await client.create(lease) : await client.replace(lease);
        return heldLock(client, ref, holder, written, options);
      } catch (error) {
        if (error instanceof KubeApiError && error.statusCode === 409) continue;
        throw error;
      }
    }
    if (!options.wait) {
      throw new LockHeld(
        `another kfp-upgrade run holds the lock on namespace "${namespace}": ${spec.holderIdentity}`,
        {
          hint: `Wait for it to finish, or pass --wait-for-lock: it waits, and takes over a lock whose holder stopped renewing it for ${LEASE_SECONDS}s.`,
        },
      );
    }
    options.onWaiting?.(spec.holderIdentity ?? "unknown");
    try {
      await clock.sleep(POLL_EVERY_MS, options.signal);
    } catch (error) {
      throw interrupted(namespace, error);
    }
  }
}

function interrupted(namespace: string, cause: unknown): Interrupted {
  return new Interrupted(`interrupted while waiting for the lock on namespace "${namespace}"`, {
    hint: "Nothing was changed. Run the command again when the other run has finished.",
    cause,
  });
}

function leaseObject(namespace: string, holder: string, at: Date, existing: KubeObject | null): KubeObject {
  const time = microTime(at);
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: {
      name: LOCK_NAME,
      namespace,
      labels: { "app.kubernetes.io/managed-by": "kfp-upgrade" },
      ...(existing
        ? { resourceVersion: (existing.metadata as { resourceVersion?: string }).resourceVersion }
        : {}),
    },
    spec: { holderIdentity: holder, leaseDurationSeconds: LEASE_SECONDS, acquireTime: time, renewTime: time },
  };
}

function heldLock(
  client: KubeClient,
  ref: ObjectRef,
  holder: string,
  lease: KubeObject,
  options: AcquireOptions,
): HeldLock {
  let current = lease;
  const clock = options.clock ?? SYSTEM_CLOCK;
  let chain = Promise.resolve();
  let lostReason: string | undefined;
  let lastRenewStartMs = clock.monotonicMs();
  let failures = 0;
  let released = false;
  // Renewals and annotations are serialised: each replace carries the resourceVersion of our last write, so no read
  // precedes it. Any other write to the Lease (a takeover, a deletion) changes that version and our replace fails
  // 409 Conflict: only then is the Lease read, to tell a new holder (lost) from a retried write of ours whose answer
  // was lost (apply the change to what is there and write again). A failed update rejects for its caller only: kept
  // in the chain, it would fail every later renewal unseen and every later journal mirror.
  const lose = (fresh: KubeObject | null): never => {
    lostReason = fresh
      ? `it is now held by ${(fresh.spec as LeaseSpec).holderIdentity ?? "nobody"}`
      : "the Lease was deleted by someone else";
    throw new LockLost(`the lock on namespace "${ref.namespace}" was lost: ${lostReason}`);
  };
  const update = (change: (lease: KubeObject) => KubeObject) => {
    const next = chain.then(async () => {
      if (lostReason) throw new LockLost(`the lock on namespace "${ref.namespace}" was lost: ${lostReason}`);
      const startedMs = clock.monotonicMs();
      for (let attempt = 1; ; attempt++) {
        const renewed = change(current);
        try {
          current = await client.replace({
            ...renewed,
            spec: { ...(renewed.spec as LeaseSpec), renewTime: microTime(clock.now()) },
          });
          break;
        } catch (error) {
          const stale =
            error instanceof KubeApiError && (error.statusCode === 409 || error.statusCode === 404);
          if (!stale || attempt >= CONFLICT_ATTEMPTS) throw error;
          const fresh = await client.get(ref);
          if (!fresh || (fresh.spec as LeaseSpec).holderIdentity !== holder) lose(fresh);
          else current = fresh;
        }
      }
      lastRenewStartMs = Math.max(lastRenewStartMs, startedMs);
    });
    chain = next.catch(() => {});
    return next;
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedule = (ms: number) => {
    if (released || lostReason) return;
    timer = setTimeout(() => {
      update((l) => l).then(
        () => schedule(RENEW_EVERY_MS),
        (error: unknown) => {
          if (lostReason) return;
          failures += 1;
          options.onRenewFailure?.(error, failures);
          schedule(RETRY_EVERY_MS);
        },
      );
    }, ms);
    timer.unref?.();
  };
  schedule(RENEW_EVERY_MS);
  const held = () => !lostReason && clock.monotonicMs() - lastRenewStartMs < RENEW_DEADLINE_MS;
  return {
    holder,
    held,
    async assertHeld(before) {
      if (held()) return;
      if (!lostReason) {
        const sinceMs = clock.monotonicMs() - lastRenewStartMs;
        try {
          await update((l) => l);
          return;
        } catch (error) {
          if (!lostReason) {
            lostReason = `it could not be renewed for ${Math.round(sinceMs / 1000)}s (${failures} renewals failed; now: ${error instanceof Error ? error.message : String(error)}), so another run may have taken it over`;
          }
        }
      }
      throw new LockLost(
        `the lock on namespace "${ref.namespace}" was lost: ${lostReason}; the run stopped before ${before}`,
      );
    },
    renewFailures: () => failures,
    annotate: (journal) =>
      update((l) => ({
        ...l,
        metadata: {
          ...l.metadata,
          annotations: { ...(l.metadata.annotations ?? {}), [JOURNAL_ANNOTATION]: JSON.stringify(journal) },
        },
      })),
    async release() {
      released = true;
      if (timer) clearTimeout(timer);
      await chain.catch(() => {});
      const fresh = await client.get(ref);
      if (fresh && (fresh.spec as LeaseSpec).holderIdentity === holder) {
        await client.delete(ref, { uid: (fresh.metadata as { uid?: string }).uid });
      }
    },
  };
}

/** Leases use MicroTime: RFC 3339 with microseconds. */
function microTime(at: Date): string {
  return at.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

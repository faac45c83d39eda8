import os from "node:os";
import { KubeApiError, LockHeld } from "../errors.js";
import type { KubeClient } from "../kube/kube-client.js";
import type { KubeObject, ObjectRef } from "../model/kube-object.js";

export const LOCK_NAME = "kfp-upgrade-lock";
export const JOURNAL_ANNOTATION = "kfp-upgrade.kubeflow.org/journal";
const LEASE_SECONDS = 30;
const RENEW_EVERY_MS = 10_000;

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
}

export interface HeldLock {
  holder: string;
  /** Mirrors the journal on the Lease, so another machine can see how far a run got. */
  annotate(journal: unknown): Promise<void>;
  release(): Promise<void>;
}

/**
 * One run at a time per namespace: a `coordination.k8s.io/v1` Lease held for the run and renewed every 10 s. A
 * holder that died (SIGKILL, lost machine) stops renewing and its lease expires after 30 s.
 */
export async function acquireLock(
  client: KubeClient,
  namespace: string,
  options: {
    runId: string;
    wait: boolean;
    signal: AbortSignal;
    onWaiting?: (holder: string) => void;
    now?: () => Date;
  },
): Promise<HeldLock> {
  const now = options.now ?? (() => new Date());
  const holder = `${client.user ?? os.userInfo().username}@${os.hostname()} pid ${process.pid} run ${options.runId}`;
  const ref: ObjectRef = { apiVersion: "coordination.k8s.io/v1", kind: "Lease", name: LOCK_NAME, namespace };
  for (;;) {
    const existing = await client.get(ref);
    const spec = (existing?.spec ?? {}) as LeaseSpec;
    // A create retried after a lost answer reports 409 although it succeeded: the lease is then already ours.
    if (existing && spec.holderIdentity === holder) return heldLock(client, ref, existing, holder, now);
    const expired = !spec.holderIdentity || leaseExpired(spec, now());
    if (existing === null || expired) {
      try {
        const lease = leaseObject(namespace, holder, now(), existing);
        const taken = existing === null ? await client.create(lease) : await client.replace(lease);
        return heldLock(client, ref, taken, holder, now);
      } catch (error) {
        if (error instanceof KubeApiError && error.statusCode === 409) continue;
        throw error;
      }
    }
    if (!options.wait) {
      throw new LockHeld(
        `another kfp-upgrade run holds the lock on namespace "${namespace}": ${spec.holderIdentity}`,
        {
          hint: `Wait for it to finish, or pass --wait-for-lock. A holder that died releases the lock after ${LEASE_SECONDS}s.`,
        },
      );
    }
    options.onWaiting?.(spec.holderIdentity ?? "unknown");
    await sleep(2000, options.signal);
  }
}

export function leaseExpired(spec: LeaseSpec, at: Date): boolean {
  const renewed = Date.parse(spec.renewTime ?? spec.acquireTime ?? "");
  if (Number.isNaN(renewed)) return true;
  return renewed + (spec.leaseDurationSeconds ?? LEASE_SECONDS) * 1000 < at.getTime();
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
  lease: KubeObject,
  holder: string,
  now: () => Date,
): HeldLock {
  let current = lease;
  let chain = Promise.resolve();
  // Renewals and annotations are serialised: each replace carries the resourceVersion of the one before.
  // A failed update rejects for its caller only: kept in the chain, it would fail every later renewal unseen (the
  // lease would expire under a live run) and every later journal mirror.
  const update = (change: (lease: KubeObject) => KubeObject) => {
    const next = chain.then(async () => {
      const fresh = (await client.get(ref)) ?? current;
      if ((fresh.spec as LeaseSpec).holderIdentity !== holder) return;
      current = await client.replace(change(fresh));
    });
    chain = next.catch(() => {});
    return next;
  };
  const timer = setInterval(() => {
    update((l) => ({ ...l, spec: { ...(l.spec as LeaseSpec), renewTime: microTime(now()) } })).catch(() => {
      // A missed renewal is retried on the next tick; the lease only expires after 30 s without one.
    });
  }, RENEW_EVERY_MS);
  timer.unref();
  return {
    holder,
    annotate: (journal) =>
      update((l) => ({
        ...l,
        metadata: {
          ...l.metadata,
          annotations: { ...(l.metadata.annotations ?? {}), [JOURNAL_ANNOTATION]: JSON.stringify(journal) },
        },
      })),
    async release() {
      clearInterval(timer);
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

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

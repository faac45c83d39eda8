import type { KubeObject } from "../model/kube-object.js";
import { classifyError, isTransientError } from "./api-error.js";
import { backoffMilliseconds } from "./retry.js";

export interface CollectionSource {
  /** Every object of the collection now, and the resourceVersion to watch from. */
  list(signal: AbortSignal): Promise<{ items: KubeObject[]; resourceVersion: string }>;
  /** Starts a watch from `resourceVersion`; `onDone(null)` when the server ends it, `onDone(error)` on failure. */
  watch(
    resourceVersion: string,
    onEvent: (type: string, object: unknown) => void,
    onDone: (error: unknown) => void,
  ): () => void;
}

// A watch that ended cleanly after less than this is treated like a failure, so a flapping server is not hammered.
const HEALTHY_WATCH_MILLISECONDS = 1_000;

/**
 * list → onChange → watch from the list's resourceVersion → onChange after every event, with the collection kept
 * here (by namespace and name), until `signal` aborts (resolves). Whenever the watch ends (server timeout, 410
 * Expired, API server restart) it lists again and re-watches, backing off while the server is unreachable; only
 * non-transient errors (403, 404 on the collection, …) reject. One request stream per collection, whatever the
 * number of objects in it: what `kubectl get -w` and client-go's informers do.
 */
export function watchCollection(
  source: CollectionSource,
  onChange: (objects: readonly KubeObject[]) => void,
  signal: AbortSignal,
): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    let stopWatch: (() => void) | null = null;
    let wake: (() => void) | null = null;
    const objects = new Map<string, KubeObject>();
    const keyOf = (object: KubeObject) => `${object.metadata.namespace ?? ""}/${object.metadata.name}`;

    const end = (settle: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      stopWatch?.();
      wake?.();
      settle();
    };
    const onAbort = () => end(resolve);
    signal.addEventListener("abort", onAbort, { once: true });
    const changed = () => {
      try {
        onChange([...objects.values()]);
      } catch (error) {
        end(() => reject(error));
      }
    };

    const pause = (milliseconds: number) =>
      new Promise<void>((done) => {
        const timer = setTimeout(done, milliseconds);
        wake = () => {
          clearTimeout(timer);
          done();
        };
      }).finally(() => {
        wake = null;
      });

    const watchOnce = (resourceVersion: string) =>
      new Promise<unknown>((done) => {
        stopWatch = source.watch(
          resourceVersion,
          (type, object) => {
            if (settled) return;
            if (type === "ERROR") {
              // 410 Expired/Gone: our resourceVersion is too old; end this watch and list again.
              stopWatch?.();
              done(object ?? { kind: "Status", code: 500 });
              return;
            }
            const item = object as KubeObject | undefined;
            if (!item?.metadata?.name) return;
            if (type === "ADDED" || type === "MODIFIED") objects.set(keyOf(item), item);
            else if (type === "DELETED") objects.delete(keyOf(item));
            else return; // BOOKMARK: only a newer resourceVersion.
            changed();
          },
          done,
        );
        if (settled) stopWatch();
      });

    const run = async () => {
      let failures = 0;
      const listing = new AbortController();
      signal.addEventListener("abort", () => listing.abort(), { once: true });
      while (!settled) {
        try {
          const listed = await source.list(listing.signal);
          if (settled) return;
          objects.clear();
          for (const item of listed.items) objects.set(keyOf(item), item);
          changed();
          if (settled) return;
          const started = Date.now();
          const ended = await watchOnce(listed.resourceVersion);
          stopWatch = null;
          if (settled) return;
          const endedError = ended === null ? null : asWatchError(ended);
          if (endedError && !isTransientError(endedError) && !isExpired(endedError)) {
            end(() => reject(endedError));
            return;
          }
          failures =
            endedError === null && Date.now() - started >= HEALTHY_WATCH_MILLISECONDS ? 0 : failures + 1;
        } catch (error) {
          if (settled) return;
          if (!isTransientError(error)) {
            end(() => reject(error));
            return;
          }
          failures++;
        }
        if (failures > 0 && !settled) await pause(backoffMilliseconds(failures));
      }
    };
    run().catch((error: unknown) => end(() => reject(error)));
  });
}

// An ERROR event carries a Status object; turn it into the `{statusCode, body}` shape classifyError knows.
function asWatchError(ended: unknown): unknown {
  const record = typeof ended === "object" && ended !== null ? (ended as Record<string, unknown>) : undefined;
  if (record?.kind === "Status") {
    const code = typeof record.code === "number" ? record.code : 500;
    return { statusCode: code, body: record };
  }
  return ended;
}

function isExpired(error: unknown): boolean {
  const classified = classifyError(error);
  return classified.kind === "status" && classified.statusCode === 410;
}

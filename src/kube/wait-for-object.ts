import type { KubeObject } from "../model/kube-object.js";
import type { WaitCheck, WaitOptions, WaitResult } from "./kube-client.js";
import { watchCollection } from "./watch-collection.js";

export interface WaitSource {
  /** The object now (null: absent) and the collection resourceVersion to watch from. */
  /** `signal` aborts when the wait ends, so a request hanging on a stalled server does not outlive it. */
  list(signal: AbortSignal): Promise<{ object: KubeObject | null; resourceVersion: string }>;
  /** Starts a watch from `resourceVersion`; `onDone(null)` when the server ends it, `onDone(error)` on failure. */
  watch(
    resourceVersion: string,
    onEvent: (type: string, object: unknown) => void,
    onDone: (error: unknown) => void,
  ): () => void;
}

/**
 * list → check → watch → check on every event, until the check is done, the timeout passes or the signal aborts:
 * watchCollection over a collection of at most this one object, so re-listing after a cut, a 410 or an API server
 * restart, and the backoff, are the same code. Only non-transient errors (403, 404 on the collection, …) reject.
 */
export function waitForObject(
  source: WaitSource,
  check: WaitCheck,
  options: WaitOptions,
): Promise<WaitResult> {
  const { signal, onProgress } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<WaitResult>((resolve, reject) => {
    let settled = false;
    let current: KubeObject | null = null;
    let lastMessage: string | null = null;
    const finished = new AbortController();

    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      finished.abort();
      outcome();
    };
    const onAbort = () => settle(() => reject(signal?.reason));
    signal?.addEventListener("abort", onAbort, { once: true });
    const timer = setTimeout(
      () =>
        settle(() =>
          resolve({ ok: false, timedOut: true, message: lastMessage ?? "never checked", object: current }),
        ),
      options.timeoutSeconds * 1000,
    );

    const evaluate = (object: KubeObject | null) => {
      if (settled) return;
      current = object;
      const verdict = check(object);
      if (verdict.message !== lastMessage) {
        lastMessage = verdict.message;
        onProgress?.(verdict.message);
      }
      if (verdict.done) {
        settle(() => resolve({ ok: verdict.ok, timedOut: false, message: verdict.message, object }));
      }
    };

    watchCollection(
      {
        list: async (listSignal) => {
          const listed = await source.list(listSignal);
          return { items: listed.object ? [listed.object] : [], resourceVersion: listed.resourceVersion };
        },
        watch: (resourceVersion, onEvent, onDone) => source.watch(resourceVersion, onEvent, onDone),
      },
      (objects) => evaluate(objects[0] ?? null),
      finished.signal,
    ).catch((error: unknown) => settle(() => reject(error)));
  });
}

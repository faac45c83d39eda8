import type { KubeObject } from "../model/kube-object.js";
import { classifyError, isTransientError } from "./api-error.js";
import type { WaitCheck, WaitOptions, WaitResult } from "./kube-client.js";
import { backoffMilliseconds } from "./retry.js";

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

// A watch that ended cleanly after less than this is treated like a failure, so a flapping server is not hammered.
const HEALTHY_WATCH_MILLISECONDS = 1_000;

/**
 * list → check → watch → check on every event, until the check is done, the timeout passes or the signal aborts.
 * Whenever the watch ends (server timeout, 410 Gone, API server restart) it lists again and re-watches, backing off
 * while the server is unreachable. Only non-transient errors (403, 404 on the collection, …) reject.
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
    let stopWatch: (() => void) | null = null;
    let wake: (() => void) | null = null;
    const finished = new AbortController();

    const cleanup = () => {
      settled = true;
      finished.abort();
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      stopWatch?.();
      wake?.();
    };
    const succeed = (result: WaitResult) => {
      if (settled) return;
      cleanup();
      resolve(result);
    };
    const fail = (error: unknown) => {
      if (settled) return;
      cleanup();
      reject(error);
    };
    const onAbort = () => fail(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    const timer = setTimeout(
      () => succeed({ ok: false, timedOut: true, message: lastMessage ?? "never checked", object: current }),
      options.timeoutSeconds * 1000,
    );

    const evaluate = (object: KubeObject | null) => {
      current = object;
      let verdict: ReturnType<WaitCheck>;
      try {
        verdict = check(object);
      } catch (error) {
        fail(error);
        return;
      }
      if (verdict.message !== lastMessage) {
        lastMessage = verdict.message;
        onProgress?.(verdict.message);
      }
      if (verdict.done) succeed({ ok: verdict.ok, timedOut: false, message: verdict.message, object });
    };

    const pause = (milliseconds: number) =>
      new Promise<void>((done) => {
        const wakeTimer = setTimeout(done, milliseconds);
        wake = () => {
          clearTimeout(wakeTimer);
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
            if (type === "ADDED" || type === "MODIFIED") evaluate(object as KubeObject);
            else if (type === "DELETED") evaluate(null);
          },
          done,
        );
        if (settled) stopWatch();
      });

    const run = async () => {
      let failures = 0;
      while (!settled) {
        try {
          const listed = await source.list(finished.signal);
          if (settled) return;
          evaluate(listed.object);
          if (settled) return;
          const started = Date.now();
          const ended = await watchOnce(listed.resourceVersion);
          stopWatch = null;
          if (settled) return;
          const endedError = ended === null ? null : asWatchError(ended);
          if (endedError && !isTransientError(endedError) && !isExpired(endedError)) {
            fail(endedError);
            return;
          }
          failures =
            endedError === null && Date.now() - started >= HEALTHY_WATCH_MILLISECONDS ? 0 : failures + 1;
        } catch (error) {
          if (!isTransientError(error)) {
            fail(error);
            return;
          }
          failures++;
        }
        if (failures > 0 && !settled) await pause(backoffMilliseconds(failures));
      }
    };
    run().catch(fail);
  });
}

// An ERROR event carries a Status object; turn it into the `{statusCode, body}` shape classifyError knows.
function asWatchError(ended: unknown): unknown {
  const record = typeof ended === "object" && ended !== null ? (ended as Record<string, unknown>) : undefined;
  if (record?.kind === "Status") return { statusCode: codeOf(record), body: record };
  return ended;
}

function isExpired(error: unknown): boolean {
  const classified = classifyError(error);
  return classified.kind === "status" && classified.statusCode === 410;
}

function codeOf(status: unknown): number {
  const code =
    typeof status === "object" && status !== null ? (status as { code?: unknown }).code : undefined;
  return typeof code === "number" ? code : 500;
}

import type { ExecutionContext } from "./execution-context.js";

export interface Settle<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

/**
 * Runs the watches `start` opens (KubeClient.watchList calls, stopped through the signal it is given) until one of
 * their callbacks settles, the run's timeout passes (rejects with `timedOut()`) or the run aborts (rejects with its
 * reason). A watch that fails rejects the wait, unless its caller caught that failure (best-effort watches).
 */
export function watchUntil<T>(
  ctx: ExecutionContext,
  start: (settle: Settle<T>, signal: AbortSignal) => Promise<void>[],
  timedOut: () => unknown,
): Promise<T> {
  if (ctx.signal.aborted) return Promise.reject(ctx.signal.reason);
  return new Promise<T>((resolve, reject) => {
    const stop = new AbortController();
    let settled = false;
    const finish = (settle: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ctx.signal.removeEventListener("abort", onAbort);
      stop.abort();
      settle();
    };
    const onAbort = () => finish(() => reject(ctx.signal.reason));
    ctx.signal.addEventListener("abort", onAbort, { once: true });
    const timer = setTimeout(() => finish(() => reject(timedOut())), ctx.timeoutSeconds * 1000);
    const settle: Settle<T> = {
      resolve: (value) => finish(() => resolve(value)),
      reject: (error) => finish(() => reject(error)),
    };
    for (const watch of start(settle, stop.signal)) watch.catch((error: unknown) => settle.reject(error));
  });
}

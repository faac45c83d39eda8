import { sleep } from "../sleep.js";
import { classifyError, isTransientError } from "./api-error.js";

export interface RetryOptions {
  /** Give up once this much time has passed since the first attempt. */
  retrySeconds: number;
  now?: () => number;
  sleep?: (milliseconds: number) => Promise<void>;
  onRetry?: (error: unknown, attempt: number, delayMilliseconds: number) => void;
}

const FIRST_DELAY_MILLISECONDS = 200;
const MAX_DELAY_MILLISECONDS = 3_000;

export function backoffMilliseconds(attempt: number): number {
  return Math.min(MAX_DELAY_MILLISECONDS, FIRST_DELAY_MILLISECONDS * 2 ** Math.max(0, attempt - 1));
}

/**
 * Runs `operation` until it succeeds, fails with a non-transient error, or `retrySeconds` have passed; the last
 * error is rethrown untouched. Long enough by default (30 s) to ride out an API server restart.
 */
export async function withRetry<T>(operation: () => Promise<T>, options: RetryOptions): Promise<T> {
  const now = options.now ?? Date.now;
  const wait = options.sleep ?? sleep;
  const start = now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (!isTransientError(error)) throw error;
      const classified = classifyError(error);
      const serverDelay =
        classified.kind === "status" && classified.retryAfterSeconds !== undefined
          ? classified.retryAfterSeconds * 1000
          : 0;
      const delay = Math.max(backoffMilliseconds(attempt), Math.min(serverDelay, MAX_DELAY_MILLISECONDS * 3));
      if (now() + delay - start > options.retrySeconds * 1000) throw error;
      options.onRetry?.(error, attempt, delay);
      await wait(delay);
    }
  }
}

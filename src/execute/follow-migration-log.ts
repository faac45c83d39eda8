import { setTimeout as sleep } from "node:timers/promises";
import type { ExecutionContext } from "./execution-context.js";
import { labelSelector } from "./wait-pods.js";

const POLL_MS = 3000;
const TAIL_LINES = 200;

/**
 * While a migration's API server is waited for, shows the new log lines of its pods that match `pattern` as progress
 * (KFP 2.18 logs `recurring_run_migration …` and `recurring_run_adoption id=legacy-2.18 ready=true …`). Logs are a
 * nice-to-have: a client without log access, a pod not started yet or a refused read only ends the following, once,
 * with a note. Stops when `stop` aborts.
 */
export async function followMigrationLog(
  ctx: ExecutionContext,
  namespace: string,
  deployment: string,
  pattern: RegExp,
  stop: AbortSignal,
): Promise<void> {
  const readLogs = ctx.client.podLogs?.bind(ctx.client);
  if (!readLogs) return;
  const seen = new Set<string>();
  while (!stop.aborted) {
    try {
      const object = await ctx.client.get({
        apiVersion: "apps/v1",
        kind: "Deployment",
        name: deployment,
        namespace,
      });
      const selector = (object?.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined)
        ?.selector?.matchLabels;
      if (selector && Object.keys(selector).length > 0) {
        const pods = await ctx.client.list("v1", "Pod", {
          namespace,
          labelSelector: labelSelector(selector),
        });
        for (const pod of pods) {
          if (!isRunning(pod.status)) continue;
          const text = await readLogs({ namespace, pod: pod.metadata.name, tailLines: TAIL_LINES });
          for (const line of text.split("\n")) {
            const key = `${pod.metadata.name}\u0000${line}`;
            if (!pattern.test(line) || seen.has(key)) continue;
            seen.add(key);
            ctx.progress(`${pod.metadata.name}: ${line.trim()}`);
          }
        }
      }
    } catch (error) {
      if (stop.aborted) return;
      ctx.progress(
        `the API server's log cannot be read (${error instanceof Error ? error.message : String(error)}); its migration is still waited for`,
      );
      return;
    }
    await sleep(POLL_MS, undefined, { signal: stop }).catch(() => {});
  }
}

function isRunning(status: unknown): boolean {
  return (status as { phase?: unknown } | undefined)?.phase === "Running";
}

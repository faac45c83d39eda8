import { VerificationFailed } from "../errors.js";
import type { ObjectRef } from "../model/kube-object.js";
import { describeRef } from "../model/kube-object.js";
import type { ExecutionContext } from "./execution-context.js";
import type { Readiness } from "./readiness/readiness.js";

/**
 * Waits for several objects at once (each through a watch), reporting progress as "2/14 ready: waiting for …".
 * Rejects with the most specific failure when any object fails or the timeout passes.
 */
export async function waitAll(
  ctx: ExecutionContext,
  refs: ObjectRef[],
  check: (object: Parameters<Parameters<ExecutionContext["client"]["waitFor"]>[1]>[0]) => Readiness,
  what: string,
): Promise<void> {
  const pending = new Map(refs.map((ref) => [describeRef(ref), "waiting"]));
  const report = () => {
    const waitingFor = [...pending.entries()].slice(0, 3).map(([name, message]) => `${name}: ${message}`);
    ctx.progress(
      `${refs.length - pending.size}/${refs.length} ${what}${waitingFor.length ? `; ${waitingFor.join("; ")}` : ""}`,
    );
  };
  const results = await Promise.all(
    refs.map(async (ref) => {
      const name = describeRef(ref);
      const result = await ctx.client.waitFor(ref, check, {
        timeoutSeconds: ctx.timeoutSeconds,
        signal: ctx.signal,
        onProgress: (message) => {
          pending.set(name, message);
          report();
        },
      });
      pending.delete(name);
      report();
      return { name, ...result };
    }),
  );
  const failures = results.filter((result) => !result.ok);
  if (failures.length > 0) {
    throw new VerificationFailed(
      failures.some((f) => f.timedOut) ? "WAIT_TIMEOUT" : "WAIT_FAILED",
      `${failures.length} of ${refs.length} objects did not become ${what}: ${failures
        .map(
          (f) =>
            `${f.name}: ${f.timedOut ? `timed out after ${ctx.timeoutSeconds}s (${f.message})` : f.message}`,
        )
        .join("; ")}`,
      {
        hint: "Inspect the pods with `kubectl describe` / `kubectl get events`; raise --timeout if the cluster is just slow.",
      },
    );
  }
}

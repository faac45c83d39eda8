import { KfpError, VerificationFailed } from "../errors.js";
import { describeRef, type KubeObject } from "../model/kube-object.js";
import type { ExecutionContext } from "./execution-context.js";
import { appliedDeploymentReadiness } from "./readiness/apps-v1-deployment.js";
import { type DeploymentProgress, deploymentProgress } from "./readiness/apps-v1-deployment-progress.js";
import type { Readiness } from "./readiness/readiness.js";
import { describePodCause } from "./readiness/v1-pod-cause.js";
import { watchUntil } from "./watch-until.js";

/**
 * Pod events (a failing probe's `Unhealthy`) are the one thing not watched: a watch of a namespace's events streams
 * every event of every object, and they only explain a rollout that is slow. So they are listed only once some
 * Deployment has waited this long, and again at most this often while it still waits.
 */
export const SLOW_ROLLOUT_EVENTS_MS = 10_000;

/**
 * Waits for Deployments `names` to roll out from three collection watches of the namespace, whatever the number
 * of Deployments: the Deployments (their readiness, as `kubectl rollout status`), their ReplicaSets and their pods
 * (each one's new replicas ready of desired, and the first pod-level cause of an unready one: ImagePullBackOff, an
 * unschedulable pod, a failing probe), reported whenever they change. A failed or timed-out wait names those
 * causes too. The ReplicaSet and pod watches are best effort: a refused one leaves the causes out, never fails the
 * wait.
 */
export async function waitDeployments(
  ctx: ExecutionContext,
  namespace: string,
  names: readonly string[],
  eventsAfterMs = SLOW_ROLLOUT_EVENTS_MS,
): Promise<void> {
  const refs = names.map((name) => ({ apiVersion: "apps/v1", kind: "Deployment", name, namespace }));
  const deployments = new Map<string, KubeObject>();
  let listed = false;
  let replicaSets: readonly KubeObject[] = [];
  let pods: readonly KubeObject[] | null = null;
  let events: readonly KubeObject[] = [];
  const finals = new Map<string, Readiness>();
  const messages = new Map<string, string>();
  let shownReadiness = "";
  let shownProgress = "";
  const startedMs = Date.now();
  let eventsReadMs: number | undefined;
  let eventsTimer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const progressOf = (): DeploymentProgress[] | null =>
    pods === null
      ? null
      : names.flatMap((name) => {
          const deployment = deployments.get(name);
          return deployment ? [deploymentProgress(deployment, replicaSets, pods ?? [], events)] : [];
        });

  const readEvents = async () => {
    eventsReadMs = Date.now();
    events = await ctx.client
      .list("v1", "Event", { namespace, fieldSelector: "involvedObject.kind=Pod,reason=Unhealthy" })
      .catch(() => events);
  };
  const scheduleEvents = (onRead: () => void) => {
    if (stopped || eventsTimer !== undefined) return;
    const dueMs = eventsReadMs === undefined ? startedMs + eventsAfterMs : eventsReadMs + eventsAfterMs;
    eventsTimer = setTimeout(
      () => {
        void readEvents().then(() => {
          eventsTimer = undefined;
          if (!stopped) onRead();
        });
      },
      Math.max(0, dueMs - Date.now()),
    );
    eventsTimer.unref?.();
  };

  const report = () => {
    const progress = progressOf();
    if (progress) {
      const key = JSON.stringify(progress);
      if (key !== shownProgress) {
        shownProgress = key;
        ctx.progress(summarize(progress), progress);
      }
    }
    const waitingFor = refs
      .filter((ref) => !finals.has(ref.name))
      .slice(0, 3)
      .map((ref) => `${describeRef(ref)}: ${messages.get(ref.name) ?? "waiting"}`);
    const line = `${finals.size}/${refs.length} Deployments available${waitingFor.length ? `; ${waitingFor.join("; ")}` : ""}`;
    if (line !== shownReadiness) {
      shownReadiness = line;
      ctx.progress(line);
    }
  };

  const failure = (timedOut: boolean) => {
    const failures = refs.flatMap((ref) => {
      const final = finals.get(ref.name);
      if (final?.ok) return [];
      const message = final
        ? final.message
        : `timed out after ${ctx.timeoutSeconds}s (${messages.get(ref.name) ?? "never checked"})`;
      return [`${describeRef(ref)}: ${message}`];
    });
    return new VerificationFailed(
      timedOut ? "WAIT_TIMEOUT" : "WAIT_FAILED",
      `${failures.length} of ${refs.length} objects did not become Deployments available: ${failures.join("; ")}`,
      {
        hint: "Inspect the pods with `kubectl describe` / `kubectl get events`; raise --timeout if the cluster is just slow.",
      },
    );
  };

  try {
    await watchUntil<void>(
      ctx,
      (settle, signal) => {
        const evaluate = () => {
          if (!listed) return;
          for (const ref of refs) {
            if (finals.has(ref.name)) continue;
            const verdict = appliedDeploymentReadiness(deployments.get(ref.name) ?? null);
            messages.set(ref.name, verdict.message);
            if (verdict.done) finals.set(ref.name, verdict);
          }
          report();
          if (finals.size === refs.length) {
            if ([...finals.values()].every((verdict) => verdict.ok)) settle.resolve();
            else settle.reject(failure(false));
            return;
          }
          const progress = progressOf();
          if (progress?.some((d) => d.ready < d.desired)) scheduleEvents(evaluate);
        };
        return [
          ctx.client.watchList(
            "apps/v1",
            "Deployment",
            { namespace },
            (objects) => {
              deployments.clear();
              for (const object of objects) deployments.set(object.metadata.name, object);
              listed = true;
              evaluate();
            },
            signal,
          ),
          ctx.client
            .watchList(
              "apps/v1",
              "ReplicaSet",
              { namespace },
              (objects) => {
                replicaSets = objects;
                evaluate();
              },
              signal,
            )
            .catch(() => {}),
          ctx.client
            .watchList(
              "v1",
              "Pod",
              // A Deployment's pods never succeed or fail for good; KFP's finished run pods, often thousands, are left out.
              { namespace, fieldSelector: "status.phase!=Succeeded,status.phase!=Failed" },
              (objects) => {
                pods = objects;
                evaluate();
              },
              signal,
            )
            .catch(() => {
              pods = null;
            }),
        ];
      },
      () => failure(true),
    );
  } catch (error) {
    if (!(error instanceof KfpError) || !error.code.startsWith("WAIT_")) throw error;
    stopped = true;
    if (pods !== null) await readEvents();
    const causes = (progressOf() ?? []).filter((d) => d.cause !== undefined);
    if (causes.length === 0) throw error;
    throw new VerificationFailed(
      error.code,
      `${error.message}; pods not ready: ${causes.map((d) => `deployment/${d.name} ${describeProgress(d)}`).join("; ")}`,
      { ...(error.hint ? { hint: error.hint } : {}), cause: error },
    );
  } finally {
    stopped = true;
    if (eventsTimer) clearTimeout(eventsTimer);
  }
}

/** `ml-pipeline-ui 0/1 (pod … container …: ImagePullBackOff: …)`: one Deployment in one line. */
export function describeProgress(progress: DeploymentProgress): string {
  return `${progress.ready}/${progress.desired} ready${progress.cause ? ` (${describePodCause(progress.cause)})` : ""}`;
}

function summarize(progress: readonly DeploymentProgress[]): string {
  const unready = progress.filter((d) => d.ready < d.desired);
  const head = `${progress.length - unready.length}/${progress.length} Deployments with every new replica ready`;
  return unready.length === 0
    ? head
    : `${head}; ${unready.map((d) => `${d.name} ${describeProgress(d)}`).join("; ")}`;
}

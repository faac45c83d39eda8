// A finer end for the critical path than the Deployments' conditions, which the API server stamps in whole
// seconds: a `kubectl get deployments --watch` started before the run, each event stamped with the bench's own clock
// (milliseconds) as it arrives, so the moment each Deployment turned rolled out is known to the watch's latency
// (one event through the API server and kubectl) rather than to the second.
import { type ChildProcess, spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import type { BenchCluster } from "./bench-cluster.js";

export interface DeploymentObservation {
  /** Epoch milliseconds when the bench received the event. */
  atMs: number;
  name: string;
  /** metadata.generation: it changes with every write of the Deployment's spec. */
  generation: string;
  rolledOut: boolean;
}

/** One line per watch event: name, generation, observedGeneration, spec.replicas, replicas, updated, available, Available. */
export const WATCH_TEMPLATE =
  '{.metadata.name}{"|"}{.metadata.generation}{"|"}{.status.observedGeneration}{"|"}{.spec.replicas}{"|"}' +
  '{.status.replicas}{"|"}{.status.updatedReplicas}{"|"}{.status.availableReplicas}{"|"}' +
  '{.status.conditions[?(@.type=="Available")].status}{"\\n"}';

/**
 * A watch line as `kubectl rollout status` would judge it: the controller saw the newest spec, every replica is
 * updated and available, none of an older ReplicaSet is left, and `Available` is True. Undefined for other lines.
 */
export function parseWatchLine(line: string, atMs: number): DeploymentObservation | undefined {
  const fields = line.trim().split("|");
  if (fields.length !== 8 || !fields[0]) return undefined;
  const [name, generation, observed, specReplicas, replicas, updated, available, condition] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const want = specReplicas === "" ? 1 : Number(specReplicas);
  const count = (text: string) => (text === "" ? 0 : Number(text));
  const rolledOut =
    condition === "True" &&
    generation !== "" &&
    observed === generation &&
    count(updated) === want &&
    count(replicas) === want &&
    count(available) === want;
  return { atMs, name, generation, rolledOut };
}

/**
 * The last Deployment to turn rolled out at or after `sinceMs` (from not rolled out, or from not existing), and
 * when. Observations before `sinceMs` only set the state each Deployment started the run in.
 */
export function lastRolledOut(
  observations: readonly DeploymentObservation[],
  sinceMs: number,
): { name: string; atMs: number } | undefined {
  const state = new Map<string, boolean>();
  let last: { name: string; atMs: number } | undefined;
  for (const observation of observations) {
    const before = state.get(observation.name);
    state.set(observation.name, observation.rolledOut);
    if (observation.atMs < sinceMs || !observation.rolledOut || before === true) continue;
    if (last === undefined || observation.atMs >= last.atMs)
      last = { name: observation.name, atMs: observation.atMs };
  }
  return last;
}

/**
 * When a Deployment's spec was first written at or after `sinceMs` (its generation changed, or it was created), as
 * the watch saw it. A write leaves no trace in managedFields when a later apply takes over every field it set (a
 * merge patch of `replicas`, then a forced apply), so the first write is the earlier of this and managedFields'.
 */
export function firstSpecWrite(
  observations: readonly DeploymentObservation[],
  sinceMs: number,
): number | undefined {
  const generations = new Map<string, string>();
  for (const observation of observations) {
    const before = generations.get(observation.name);
    generations.set(observation.name, observation.generation);
    if (observation.atMs >= sinceMs && before !== observation.generation) return observation.atMs;
  }
  return undefined;
}

export interface DeploymentWatch {
  /** Stops the watch (after a short grace for events in flight) and returns everything it saw. */
  stop(): Promise<DeploymentObservation[]>;
}

/** Starts the watch and returns once it has listed the `existing` Deployments the namespace has now. */
export async function watchDeployments(
  cluster: BenchCluster,
  namespace: string,
  existing: number,
): Promise<DeploymentWatch> {
  const observations: DeploymentObservation[] = [];
  const child: ChildProcess = spawn(
    cluster.kubectlPath,
    [
      `--kubeconfig=${cluster.kubeconfigPath}`,
      "get",
      "deployments",
      "-n",
      namespace,
      "--watch",
      "-o",
      `jsonpath=${WATCH_TEMPLATE}`,
    ],
    { stdio: ["ignore", "pipe", "ignore"] },
  );
  let pending = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    const atMs = Date.now();
    const lines = (pending + chunk.toString()).split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      const observation = parseWatchLine(line, atMs);
      if (observation) observations.push(observation);
    }
  });
  const deadline = Date.now() + 15_000;
  while (new Set(observations.map((o) => o.name)).size < existing && Date.now() < deadline) {
    if (child.exitCode !== null) break;
    await sleep(50);
  }
  return {
    async stop() {
      await sleep(300);
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      return observations;
    },
  };
}

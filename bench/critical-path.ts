// The critical path of one upgrade, read from the cluster's own timestamps: from the first write of the run (the
// earliest managedFields entry at or after the run started, status writes of controllers left out, writes through
// the scale subresource kept) to the moment the last Deployment was rolled out (Available became True, or
// Progressing reported NewReplicaSetAvailable).
// Kubernetes records these times in whole seconds, so the result is good to about a second.

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  time?: string;
  subresource?: string;
}

export interface TimedObject {
  metadata: { managedFields?: ManagedFieldsEntry[] };
}

export interface DeploymentCondition {
  type: string;
  status: string;
  reason?: string;
  lastTransitionTime?: string;
  lastUpdateTime?: string;
}

export interface TimedDeployment {
  metadata: { name: string };
  status?: { conditions?: DeploymentCondition[] };
}

export interface CriticalPath {
  firstWriteMs: number;
  lastRolledOutMs: number;
  /** Never below 1: the timestamps have one-second resolution. */
  seconds: number;
  lastDeployment: string;
}

const parse = (time: string | undefined): number | undefined => {
  if (!time) return undefined;
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? undefined : ms;
};

/** `sinceMs`: when the run started; it is floored to the second as the API server stores times. */
export function criticalPath(
  objects: readonly TimedObject[],
  deployments: readonly TimedDeployment[],
  sinceMs: number,
): CriticalPath | undefined {
  const since = Math.floor(sinceMs / 1000) * 1000;
  let firstWriteMs: number | undefined;
  for (const object of objects) {
    for (const entry of object.metadata.managedFields ?? []) {
      // Controllers write status; a tool's own write through `scale` (`kubectl scale`) is a write of the run.
      if (entry.subresource === "status") continue;
      const time = parse(entry.time);
      if (time === undefined || time < since) continue;
      if (firstWriteMs === undefined || time < firstWriteMs) firstWriteMs = time;
    }
  }
  if (firstWriteMs === undefined) return undefined;
  let lastRolledOutMs = firstWriteMs;
  let lastDeployment = "";
  for (const deployment of deployments) {
    for (const condition of deployment.status?.conditions ?? []) {
      const time =
        condition.type === "Available" && condition.status === "True"
          ? parse(condition.lastTransitionTime)
          : condition.type === "Progressing" && condition.reason === "NewReplicaSetAvailable"
            ? parse(condition.lastUpdateTime)
            : undefined;
      if (time !== undefined && time >= lastRolledOutMs) {
        lastRolledOutMs = time;
        lastDeployment = deployment.metadata.name;
      }
    }
  }
  return {
    firstWriteMs,
    lastRolledOutMs,
    seconds: Math.max(1, (lastRolledOutMs - firstWriteMs) / 1000),
    lastDeployment,
  };
}

import { z } from "zod";
import type { KubeObject } from "../../model/kube-object.js";

/** Why one pod is not ready, as the kubelet, the scheduler or a probe said it. */
export const podCauseSchema = z.object({
  pod: z.string(),
  /** The container it is about; absent for pod-level causes (scheduling). */
  container: z.string().optional(),
  /** `ImagePullBackOff`, `CrashLoopBackOff`, `Unschedulable`, `Unhealthy`, … */
  reason: z.string(),
  message: z.string(),
});
export type PodCause = z.infer<typeof podCauseSchema>;

interface ContainerStatus {
  name?: string;
  ready?: boolean;
  state?: { waiting?: { reason?: string; message?: string } };
}

interface PodShape {
  metadata: { name: string; uid?: string };
  status?: {
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    initContainerStatuses?: ContainerStatus[];
    containerStatuses?: ContainerStatus[];
  };
}

interface EventShape {
  involvedObject?: { kind?: string; name?: string; uid?: string; fieldPath?: string };
  reason?: string;
  message?: string;
  lastTimestamp?: string | null;
  eventTime?: string | null;
}

// The kubelet's waiting reasons on the normal way to Running: they are progress, not a cause.
const ON_THE_WAY = new Set(["ContainerCreating", "PodInitializing"]);

/**
 * The first cause that names why `pod` is not ready, most specific first:
 * 1. a container waiting for a reason other than starting (`ImagePullBackOff`, `ErrImagePull`,
 *    `CrashLoopBackOff`, `CreateContainerConfigError`, …), init containers first, since they run first;
 * 2. the `PodScheduled=False` condition (`Unschedulable`: the scheduler's "0/3 nodes are available: …");
 * 3. the newest `Unhealthy` event of the pod (a failing readiness or liveness probe, reported only as an event).
 * Null when nothing names a cause (the pod is just starting).
 */
export function podCause(pod: KubeObject, events: readonly KubeObject[]): PodCause | null {
  const { metadata, status } = pod as PodShape;
  const containers = [...(status?.initContainerStatuses ?? []), ...(status?.containerStatuses ?? [])];
  for (const container of containers) {
    const waiting = container.state?.waiting;
    if (!waiting?.reason || ON_THE_WAY.has(waiting.reason)) continue;
    return {
      pod: metadata.name,
      ...(container.name ? { container: container.name } : {}),
      reason: waiting.reason,
      message: waiting.message ?? "",
    };
  }
  const scheduled = status?.conditions?.find((c) => c.type === "PodScheduled");
  if (scheduled?.status === "False") {
    return {
      pod: metadata.name,
      reason: scheduled.reason ?? "Unschedulable",
      message: scheduled.message ?? "",
    };
  }
  const probe = newest(
    (events as readonly EventShape[]).filter(
      (event) =>
        event.reason === "Unhealthy" &&
        event.involvedObject?.kind === "Pod" &&
        event.involvedObject.name === metadata.name &&
        (metadata.uid === undefined ||
          event.involvedObject.uid === undefined ||
          event.involvedObject.uid === metadata.uid),
    ),
  );
  if (probe) {
    const container = containerOfFieldPath(probe.involvedObject?.fieldPath);
    return {
      pod: metadata.name,
      ...(container ? { container } : {}),
      reason: "Unhealthy",
      message: probe.message ?? "",
    };
  }
  return null;
}

/** `Waiting: ImagePullBackOff: Back-off pulling image "x"` as one line: pod, container, reason, message. */
export function describePodCause(cause: PodCause): string {
  const where = cause.container ? `pod ${cause.pod} container ${cause.container}` : `pod ${cause.pod}`;
  return `${where}: ${cause.reason}${cause.message ? `: ${cause.message}` : ""}`;
}

function newest(events: EventShape[]): EventShape | undefined {
  const time = (event: EventShape) => Date.parse(event.lastTimestamp ?? event.eventTime ?? "") || 0;
  return events.reduce<EventShape | undefined>(
    (best, event) => (best === undefined || time(event) >= time(best) ? event : best),
    undefined,
  );
}

// The kubelet sets `spec.containers{NAME}` as the event's fieldPath.
function containerOfFieldPath(fieldPath: string | undefined): string | undefined {
  return fieldPath?.match(/^spec\.(?:initContainers|containers)\{(.+)\}$/)?.[1];
}

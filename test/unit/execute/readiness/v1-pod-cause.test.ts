import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { describePodCause, type PodCause, podCause } from "../../../../src/execute/readiness/v1-pod-cause.js";
import type { KubeObject } from "../../../../src/model/kube-object.js";

const pod = (status: string): KubeObject =>
  yaml.load(`apiVersion: v1
kind: Pod
metadata:
  name: ml-pipeline-ui-5d9c-abcde
  uid: pod-uid
status:
${status}`) as KubeObject;

const unhealthy = (name: string, message: string, lastTimestamp: string, uid = "pod-uid"): KubeObject =>
  ({
    apiVersion: "v1",
    kind: "Event",
    metadata: { name: `${name}.${lastTimestamp}` },
    involvedObject: { kind: "Pod", name, uid, fieldPath: "spec.containers{ml-pipeline-ui}" },
    reason: "Unhealthy",
    message,
    lastTimestamp,
  }) as KubeObject;

const cases: { name: string; status: string; events?: KubeObject[]; cause: PodCause | null }[] = [
  {
    name: "an image that cannot be pulled: the container's waiting reason and the kubelet's message",
    status: `  phase: Pending
  conditions: [{type: PodScheduled, status: "True"}, {type: Ready, status: "False"}]
  containerStatuses:
  - name: ml-pipeline-ui
    ready: false
    state:
      waiting:
        reason: ImagePullBackOff
        message: 'Back-off pulling image "example.invalid/does-not-exist:1"'`,
    cause: {
      pod: "ml-pipeline-ui-5d9c-abcde",
      container: "ml-pipeline-ui",
      reason: "ImagePullBackOff",
      message: 'Back-off pulling image "example.invalid/does-not-exist:1"',
    },
  },
  {
    name: "a crash loop in the second container",
    status: `  phase: Running
  containerStatuses:
  - name: proxy
    ready: true
    state: {running: {startedAt: "2026-01-01T00:00:00Z"}}
  - name: server
    ready: false
    state:
      waiting: {reason: CrashLoopBackOff, message: "back-off 40s restarting failed container=server"}`,
    cause: {
      pod: "ml-pipeline-ui-5d9c-abcde",
      container: "server",
      reason: "CrashLoopBackOff",
      message: "back-off 40s restarting failed container=server",
    },
  },
  {
    name: "an init container waits before the main containers (they run after it)",
    status: `  phase: Pending
  initContainerStatuses:
  - name: init
    state: {waiting: {reason: ErrImagePull, message: "pull access denied"}}
  containerStatuses:
  - name: server
    state: {waiting: {reason: PodInitializing}}`,
    cause: {
      pod: "ml-pipeline-ui-5d9c-abcde",
      container: "init",
      reason: "ErrImagePull",
      message: "pull access denied",
    },
  },
  {
    name: "an unschedulable pod: the scheduler's condition message",
    status: `  phase: Pending
  conditions:
  - type: PodScheduled
    status: "False"
    reason: Unschedulable
    message: "0/1 nodes are available: 1 Insufficient memory."`,
    cause: {
      pod: "ml-pipeline-ui-5d9c-abcde",
      reason: "Unschedulable",
      message: "0/1 nodes are available: 1 Insufficient memory.",
    },
  },
  {
    name: "a failing readiness probe: the newest Unhealthy event of this pod",
    status: `  phase: Running
  conditions: [{type: PodScheduled, status: "True"}, {type: Ready, status: "False"}]
  containerStatuses:
  - name: ml-pipeline-ui
    ready: false
    state: {running: {startedAt: "2026-01-01T00:00:00Z"}}`,
    events: [
      unhealthy(
        "ml-pipeline-ui-5d9c-abcde",
        "Readiness probe failed: connection refused",
        "2026-01-01T00:00:05Z",
      ),
      unhealthy(
        "ml-pipeline-ui-5d9c-abcde",
        "Readiness probe failed: HTTP probe failed with statuscode: 503",
        "2026-01-01T00:00:15Z",
      ),
      unhealthy("another-pod", "Liveness probe failed", "2026-01-01T00:00:20Z"),
      unhealthy(
        "ml-pipeline-ui-5d9c-abcde",
        "of an earlier pod of that name",
        "2026-01-01T00:00:30Z",
        "old-uid",
      ),
    ],
    cause: {
      pod: "ml-pipeline-ui-5d9c-abcde",
      container: "ml-pipeline-ui",
      reason: "Unhealthy",
      message: "Readiness probe failed: HTTP probe failed with statuscode: 503",
    },
  },
  {
    name: "a container being created names no cause",
    status: `  phase: Pending
  conditions: [{type: PodScheduled, status: "True"}]
  containerStatuses:
  - name: ml-pipeline-ui
    state: {waiting: {reason: ContainerCreating}}`,
    cause: null,
  },
  { name: "a pod without status names no cause", status: "  {}", cause: null },
];

describe("podCause", () => {
  it.each(cases)("$name", ({ status, events, cause }) => {
    expect(podCause(pod(status), events ?? [])).toEqual(cause);
  });

  it("describes a cause in one line, container included when known", () => {
    expect(
      describePodCause({
        pod: "p",
        container: "c",
        reason: "ImagePullBackOff",
        message: 'Back-off pulling image "x"',
      }),
    ).toBe('pod p container c: ImagePullBackOff: Back-off pulling image "x"');
    expect(describePodCause({ pod: "p", reason: "Unschedulable", message: "" })).toBe("pod p: Unschedulable");
  });
});

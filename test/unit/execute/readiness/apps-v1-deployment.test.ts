import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import {
  appliedDeploymentReadiness,
  deploymentReadiness,
} from "../../../../src/execute/readiness/apps-v1-deployment.js";
import type { Readiness } from "../../../../src/execute/readiness/readiness.js";
import type { KubeObject } from "../../../../src/model/kube-object.js";

const deployment = (body: string): KubeObject =>
  yaml.load(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: ml-pipeline
  namespace: kubeflow
${body}`) as KubeObject;

const cases: { name: string; yaml: string; readiness: Readiness }[] = [
  {
    name: "rolled out",
    yaml: `  generation: 2
spec:
  replicas: 3
status:
  observedGeneration: 2
  replicas: 3
  updatedReplicas: 3
  readyReplicas: 3
  availableReplicas: 3`,
    readiness: { done: true, ok: true, message: "3/3 replicas available" },
  },
  {
    name: "the controller has not seen the new generation",
    yaml: `  generation: 3
spec:
  replicas: 1
status:
  observedGeneration: 2
  replicas: 1
  updatedReplicas: 1
  availableReplicas: 1`,
    readiness: { done: false, ok: false, message: "Waiting for the rollout to start" },
  },
  {
    name: "new pods are still being created",
    yaml: `  generation: 2
spec:
  replicas: 3
status:
  observedGeneration: 2
  replicas: 4
  updatedReplicas: 1
  availableReplicas: 3`,
    readiness: { done: false, ok: false, message: "Waiting for 1/3 replicas to be updated" },
  },
  {
    name: "old pods are still terminating",
    yaml: `  generation: 2
spec:
  replicas: 3
status:
  observedGeneration: 2
  replicas: 5
  updatedReplicas: 3
  availableReplicas: 3`,
    readiness: { done: false, ok: false, message: "Waiting for 2 old replicas to terminate" },
  },
  {
    name: "updated pods are not ready yet",
    yaml: `  generation: 2
spec:
  replicas: 3
status:
  observedGeneration: 2
  replicas: 3
  updatedReplicas: 3
  readyReplicas: 1
  availableReplicas: 1`,
    readiness: { done: false, ok: false, message: "Waiting for 1/3 replicas to be ready" },
  },
  {
    name: "replicas default to 1",
    yaml: `  generation: 1
spec: {}
status:
  observedGeneration: 1
  replicas: 1
  updatedReplicas: 1
  availableReplicas: 0`,
    readiness: { done: false, ok: false, message: "Waiting for 0/1 replicas to be ready" },
  },
  {
    name: "no status at all yet",
    yaml: `  generation: 1
spec:
  replicas: 1`,
    readiness: { done: false, ok: false, message: "Waiting for the rollout to start" },
  },
  {
    name: "the progress deadline passed",
    yaml: `  generation: 2
spec:
  replicas: 1
status:
  observedGeneration: 2
  replicas: 2
  updatedReplicas: 1
  availableReplicas: 0
  conditions:
  - type: Available
    status: "False"
    reason: MinimumReplicasUnavailable
  - type: Progressing
    status: "False"
    reason: ProgressDeadlineExceeded
    message: ReplicaSet "ml-pipeline-7d9f" has timed out progressing.`,
    readiness: {
      done: true,
      ok: false,
      message: 'Rollout failed: ReplicaSet "ml-pipeline-7d9f" has timed out progressing.',
    },
  },
  {
    name: "the progress deadline passed, without a message",
    yaml: `  generation: 2
spec:
  replicas: 1
status:
  observedGeneration: 2
  conditions:
  - type: Progressing
    status: "False"
    reason: ProgressDeadlineExceeded`,
    readiness: { done: true, ok: false, message: "Rollout failed: progress deadline exceeded" },
  },
  {
    name: "still progressing normally",
    yaml: `  generation: 2
spec:
  replicas: 2
status:
  observedGeneration: 2
  replicas: 2
  updatedReplicas: 2
  availableReplicas: 1
  conditions:
  - type: Progressing
    status: "True"
    reason: ReplicaSetUpdated`,
    readiness: { done: false, ok: false, message: "Waiting for 1/2 replicas to be ready" },
  },
  {
    name: "paused",
    yaml: `  generation: 2
spec:
  replicas: 1
  paused: true
status:
  observedGeneration: 2`,
    readiness: { done: true, ok: false, message: "Deployment is paused" },
  },
  {
    name: "scaled to zero",
    yaml: `  generation: 4
spec:
  replicas: 0
status:
  observedGeneration: 4`,
    readiness: { done: true, ok: true, message: "0/0 replicas available" },
  },
];

describe("deploymentReadiness", () => {
  it.each(cases)("$name", ({ yaml: body, readiness }) => {
    expect(deploymentReadiness(deployment(body))).toEqual(readiness);
  });

  it("waits for a Deployment that does not exist yet", () => {
    expect(deploymentReadiness(null)).toEqual({
      done: false,
      ok: false,
      message: "Waiting for the Deployment to exist",
    });
  });
});

describe("appliedDeploymentReadiness", () => {
  it("fails at once when the Deployment it waits for was deleted", () => {
    expect(appliedDeploymentReadiness(null)).toEqual({
      done: true,
      ok: false,
      message: "Deleted while waiting for its rollout (by someone else, or with its namespace)",
    });
  });

  it.each(cases)(
    "judges an existing Deployment like deploymentReadiness: $name",
    ({ yaml: body, readiness }) => {
      expect(appliedDeploymentReadiness(deployment(body))).toEqual(readiness);
    },
  );
});

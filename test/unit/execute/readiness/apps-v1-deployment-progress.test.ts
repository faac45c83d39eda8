import { describe, expect, it } from "vitest";
import { deploymentProgress } from "../../../../src/execute/readiness/apps-v1-deployment-progress.js";
import type { KubeObject } from "../../../../src/model/kube-object.js";

const REVISION = "deployment.kubernetes.io/revision";

const deployment: KubeObject = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "ui", namespace: "kubeflow", uid: "d-uid", annotations: { [REVISION]: "2" } },
  spec: { replicas: 2 },
};

const replicaSet = (name: string, revision: string, owner = "d-uid"): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "ReplicaSet",
  metadata: {
    name,
    uid: `${name}-uid`,
    annotations: { [REVISION]: revision },
    ownerReferences: [{ uid: owner }],
  },
});

const pod = (
  name: string,
  owner: string,
  ready: boolean,
  extra: Record<string, unknown> = {},
): KubeObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, ownerReferences: [{ uid: `${owner}-uid` }], ...extra },
  status: {
    conditions: [{ type: "Ready", status: ready ? "True" : "False" }],
    containerStatuses: ready
      ? [{ name: "ui", ready: true, state: { running: {} } }]
      : [
          {
            name: "ui",
            ready: false,
            state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 10s" } },
          },
        ],
  },
});

describe("deploymentProgress", () => {
  it("counts the ready pods of the ReplicaSet of the Deployment's revision only, and names the first unready one's cause", () => {
    const progress = deploymentProgress(
      deployment,
      [replicaSet("ui-old", "1"), replicaSet("ui-new", "2"), replicaSet("other-new", "2", "other-uid")],
      [
        pod("ui-old-a", "ui-old", true),
        pod("ui-old-b", "ui-old", true),
        pod("ui-new-b", "ui-new", false),
        pod("ui-new-a", "ui-new", true),
        pod("ui-new-c", "ui-new", true, { deletionTimestamp: "2026-01-01T00:00:00Z" }),
        pod("other-new-a", "other-new", false),
      ],
      [],
    );
    expect(progress).toEqual({
      name: "ui",
      ready: 1,
      desired: 2,
      cause: { pod: "ui-new-b", container: "ui", reason: "CrashLoopBackOff", message: "back-off 10s" },
    });
  });

  it("counts nothing as new before the controller made the revision's ReplicaSet", () => {
    expect(
      deploymentProgress(deployment, [replicaSet("ui-old", "1")], [pod("ui-old-a", "ui-old", true)], []),
    ).toEqual({ name: "ui", ready: 0, desired: 2 });
  });
});

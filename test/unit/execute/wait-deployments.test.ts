import { describe, expect, it } from "vitest";
import type { DeploymentProgress } from "../../../src/execute/readiness/apps-v1-deployment-progress.js";
import { waitDeployments } from "../../../src/execute/wait-deployments.js";
import type { KubeObject } from "../../../src/model/kube-object.js";
import { FakeKubeClient } from "../../support/fake-kube-client.js";
import { deployment, NS, recordingContext } from "./executor-fixtures.js";

const REVISION = "deployment.kubernetes.io/revision";

/** Deployment `name` at revision 2 whose new ReplicaSet has one pod stuck on an image pull, as the kubelet reports it. */
async function stuckOnImagePull(fake: FakeKubeClient, name: string): Promise<void> {
  const base = deployment(name, "example.invalid/does-not-exist:1");
  fake.seed([{ ...base, metadata: { ...base.metadata, annotations: { [REVISION]: "2" } } }]);
  const seeded = (await fake.get({
    apiVersion: "apps/v1",
    kind: "Deployment",
    name,
    namespace: NS,
  })) as KubeObject;
  const owner = (object: KubeObject) => [
    {
      apiVersion: object.apiVersion,
      kind: object.kind,
      name: object.metadata.name,
      uid: object.metadata.uid as string,
    },
  ];
  const replicaSet = (revision: string, hash: string): KubeObject => ({
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      name: `${name}-${hash}`,
      namespace: NS,
      annotations: { [REVISION]: revision },
      ownerReferences: owner(seeded),
    },
    spec: { replicas: 1 },
  });
  fake.seed([replicaSet("1", "old"), replicaSet("2", "new")]);
  const rs = async (hash: string) =>
    (await fake.get({
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      name: `${name}-${hash}`,
      namespace: NS,
    })) as KubeObject;
  const pod = (owner_: KubeObject, podName: string, status: Record<string, unknown>): KubeObject => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: podName, namespace: NS, ownerReferences: owner(owner_) },
    status,
  });
  fake.seed([
    pod(await rs("old"), `${name}-old-1`, {
      phase: "Running",
      conditions: [{ type: "Ready", status: "True" }],
    }),
    pod(await rs("new"), `${name}-new-1`, {
      phase: "Pending",
      conditions: [{ type: "Ready", status: "False" }],
      containerStatuses: [
        {
          name,
          ready: false,
          state: {
            waiting: {
              reason: "ImagePullBackOff",
              message: 'Back-off pulling image "example.invalid/does-not-exist:1"',
            },
          },
        },
      ],
    }),
  ]);
}

describe("waitDeployments", () => {
  it("reports the new replicas ready of desired and the pod's cause, and names it when the wait times out", async () => {
    const fake = new FakeKubeClient();
    await stuckOnImagePull(fake, "ui");
    const details: DeploymentProgress[][] = [];
    const ctx = recordingContext(fake, { timeoutSeconds: 0.3 });
    const error = await waitDeployments(
      {
        ...ctx,
        progress: (message, deployments) => (deployments ? details.push(deployments) : ctx.progress(message)),
      },
      NS,
      ["ui"],
      50,
    ).catch((caught: unknown) => caught);
    const cause = {
      pod: "ui-new-1",
      container: "ui",
      reason: "ImagePullBackOff",
      message: 'Back-off pulling image "example.invalid/does-not-exist:1"',
    };
    // The old pod is Ready, but the rollout waits for the new one: 0/1.
    expect(details[0]).toEqual([{ name: "ui", ready: 0, desired: 1, cause }]);
    // Reported once while nothing changes, not on every poll.
    expect(details).toHaveLength(1);
    expect(error).toMatchObject({
      code: "WAIT_TIMEOUT",
      message: expect.stringContaining(
        '; pods not ready: deployment/ui 0/1 ready (pod ui-new-1 container ui: ImagePullBackOff: Back-off pulling image "example.invalid/does-not-exist:1")',
      ),
    });
  });

  it("waits without causes when the pods cannot be watched (best effort)", async () => {
    const fake = new FakeKubeClient({ servedApiVersions: ["v1", "apps/v1"] });
    await stuckOnImagePull(fake, "ui");
    const ctx = recordingContext(fake, { timeoutSeconds: 0.2 });
    const watchList = fake.watchList.bind(fake);
    fake.watchList = async (apiVersion, kind, options, onChange, signal) => {
      if (kind === "Pod") throw new Error("pods: forbidden");
      return watchList(apiVersion, kind, options, onChange, signal);
    };
    const error = await waitDeployments(ctx, NS, ["ui"], 50).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "WAIT_TIMEOUT" });
    expect((error as Error).message).not.toContain("pods not ready");
  });

  it("watches Deployments, ReplicaSets and pods once each for any number of Deployments; no polling", async () => {
    const fake = new FakeKubeClient();
    fake.seed([deployment("a", "img:1"), deployment("b", "img:1"), deployment("c", "img:1")]);
    const ctx = recordingContext(fake, { timeoutSeconds: 5 });
    const waiting = waitDeployments(ctx, NS, ["a", "b", "c"]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (const name of ["a", "b", "c"]) {
      fake.update({ apiVersion: "apps/v1", kind: "Deployment", name, namespace: NS }, (object) => {
        object.status = { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1 };
      });
    }
    await waiting;
    expect(fake.callsOf("watchList").map((call) => call.kind)).toEqual(["Deployment", "ReplicaSet", "Pod"]);
    // Pod events are read only for a rollout slower than SLOW_ROLLOUT_EVENTS_MS.
    expect(fake.callsOf("list")).toEqual([]);
    expect(fake.callsOf("get")).toEqual([]);
    expect(ctx.progressed.at(-1)).toBe("3/3 Deployments available");
  });

  it("reads pod events only while a rollout is slow, and at most once per period", async () => {
    const fake = new FakeKubeClient();
    await stuckOnImagePull(fake, "ui");
    const ctx = recordingContext(fake, { timeoutSeconds: 0.35 });
    const error = await waitDeployments(ctx, NS, ["ui"], 100).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "WAIT_TIMEOUT" });
    const eventReads = fake.callsOf("list").filter((call) => call.kind === "Event");
    // At 100 ms, 200 ms and 300 ms while waiting, and once more for the failure's causes.
    expect(eventReads.length).toBeGreaterThanOrEqual(2);
    expect(eventReads.length).toBeLessThanOrEqual(5);
  });
});

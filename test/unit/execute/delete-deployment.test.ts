import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { deleteDeploymentAndPods, matchLabelsOf } from "../../../src/execute/delete-deployment.js";
import type { KubeObject, ObjectRef } from "../../../src/model/kube-object.js";
import { FakeKubeClient, type FakeReactor } from "../../support/fake-kube-client.js";
import { deployment, NS, recordingContext } from "./executor-fixtures.js";

const MYSQL = { app: "mysql", "application-crd-id": "kubeflow-pipelines" };
const MYSQL_REF: ObjectRef = { apiVersion: "apps/v1", kind: "Deployment", name: "mysql", namespace: NS };

function pod(name: string, labels: Record<string, string>): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: NS, labels },
    spec: { containers: [{ name: "mysql", image: "mysql:8.0" }] },
  };
}
const podRef = (name: string): ObjectRef => ({ apiVersion: "v1", kind: "Pod", name, namespace: NS });

/** The kubelet: once the Deployment is deleted, its pods terminate `afterMs` later. */
function podsTerminateAfter(afterMs: number, pods: string[]): FakeReactor {
  return ({ verb, object }, fake) => {
    if (verb !== "delete" || object.kind !== "Deployment") return;
    setTimeout(() => {
      for (const name of pods) void fake.delete(podRef(name));
    }, afterMs);
  };
}

const deploymentDeletes = (fake: FakeKubeClient) =>
  fake.callsOf("delete").filter((call) => call.ref?.kind === "Deployment");

describe("matchLabelsOf", () => {
  const cases: { name: string; object: KubeObject | null; labels: Record<string, string> | undefined }[] = [
    {
      name: "a Deployment's spec.selector.matchLabels",
      object: deployment("mysql", "mysql:8.0"),
      labels: MYSQL,
    },
    { name: "nothing for an absent object", object: null, labels: undefined },
    {
      name: "nothing for an object without a spec",
      object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } },
      labels: undefined,
    },
    {
      name: "nothing for a selector of matchExpressions only",
      object: {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "d" },
        spec: { selector: { matchExpressions: [{ key: "app", operator: "In", values: ["d"] }] } },
      },
      labels: undefined,
    },
  ];
  it.each(cases)("$name", ({ object, labels }) => {
    expect(matchLabelsOf(object)).toEqual(labels);
  });
});

describe("deleteDeploymentAndPods", () => {
  it("deletes with Foreground propagation and resolves only once every pod of its selector is gone", async () => {
    const fake = new FakeKubeClient()
      .seed([deployment("mysql", "mysql:8.0"), pod("mysql-abc", MYSQL), pod("mysql-def", MYSQL)])
      .react(podsTerminateAfter(800, ["mysql-abc", "mysql-def"]));
    const ctx = recordingContext(fake);
    let settled = false;
    const deleting = deleteDeploymentAndPods(ctx, MYSQL_REF).finally(() => {
      settled = true;
    });
    await sleep(500);
    expect(fake.peek(MYSQL_REF)).toBeNull();
    expect(fake.peek(podRef("mysql-abc"))).not.toBeNull();
    expect(settled).toBe(false);
    await expect(deleting).resolves.toBe(true);
    expect(fake.peek(podRef("mysql-abc"))).toBeNull();
    expect(fake.peek(podRef("mysql-def"))).toBeNull();
    expect(deploymentDeletes(fake)).toEqual([
      { method: "delete", ref: MYSQL_REF, options: { propagationPolicy: "Foreground" } },
    ]);
    expect(fake.callsOf("watchList").map((call) => call.options)).toContainEqual({
      namespace: NS,
      labelSelector: "app=mysql,application-crd-id=kubeflow-pipelines",
    });
    expect(ctx.progressed).toContain(
      "pods of deployment/mysql -n kubeflow: Waiting for 2 pods to be gone (0 terminating): mysql-abc, mysql-def",
    );
    expect(ctx.progressed.at(-1)).toBe("pods of deployment/mysql -n kubeflow: No pods left");
  });

  it("waits for a Deployment that lingers (foreground finalizer) before looking at pods", async () => {
    const lingering = deployment("mysql", "mysql:8.0");
    lingering.metadata.finalizers = ["foregroundDeletion"];
    const fake = new FakeKubeClient().seed([lingering]);
    let settled = false;
    const deleting = deleteDeploymentAndPods(recordingContext(fake), MYSQL_REF).finally(() => {
      settled = true;
    });
    await sleep(300);
    expect(fake.peek(MYSQL_REF)?.metadata.deletionTimestamp).toBeDefined();
    expect(settled).toBe(false);
    expect(fake.callsOf("watchList")).toEqual([]);
    fake.update(MYSQL_REF, (d) => {
      d.metadata.finalizers = [];
    });
    await expect(deleting).resolves.toBe(true);
    expect(fake.peek(MYSQL_REF)).toBeNull();
  });

  it("does not wait for pods outside the old selector", async () => {
    const other = { app: "minio", "application-crd-id": "kubeflow-pipelines" };
    const fake = new FakeKubeClient().seed([deployment("mysql", "mysql:8.0"), pod("minio-abc", other)]);
    await expect(deleteDeploymentAndPods(recordingContext(fake), MYSQL_REF)).resolves.toBe(true);
    expect(fake.peek(podRef("minio-abc"))).not.toBeNull();
  });

  it("for a Deployment already gone, deletes nothing, returns false and waits for the fallback selector's pods", async () => {
    const fake = new FakeKubeClient().seed([pod("mysql-abc", MYSQL)]);
    setTimeout(() => void fake.delete(podRef("mysql-abc")), 700);
    let settled = false;
    const deleting = deleteDeploymentAndPods(recordingContext(fake), MYSQL_REF, MYSQL).finally(() => {
      settled = true;
    });
    await sleep(400);
    expect(settled).toBe(false);
    await expect(deleting).resolves.toBe(false);
    expect(deploymentDeletes(fake)).toEqual([]);
    expect(fake.peek(podRef("mysql-abc"))).toBeNull();
  });

  it("prefers the live Deployment's selector over the fallback", async () => {
    const fake = new FakeKubeClient().seed([deployment("mysql", "mysql:8.0")]);
    await deleteDeploymentAndPods(recordingContext(fake), MYSQL_REF, { app: "something-else" });
    expect(fake.callsOf("watchList").map((call) => call.options)).toEqual([
      { namespace: NS, labelSelector: "app=mysql,application-crd-id=kubeflow-pipelines" },
    ]);
  });

  it("lists no pods when there is neither a Deployment nor a fallback selector", async () => {
    const fake = new FakeKubeClient().seed([pod("mysql-abc", MYSQL)]);
    await expect(deleteDeploymentAndPods(recordingContext(fake), MYSQL_REF)).resolves.toBe(false);
    expect(fake.callsOf("watchList")).toEqual([]);
  });

  it("times out with WAIT_TIMEOUT naming the pods when they never go", async () => {
    const fake = new FakeKubeClient().seed([deployment("mysql", "mysql:8.0"), pod("mysql-abc", MYSQL)]);
    await expect(
      deleteDeploymentAndPods(recordingContext(fake, { timeoutSeconds: 0.2 }), MYSQL_REF),
    ).rejects.toMatchObject({
      code: "WAIT_TIMEOUT",
      message:
        "pods of deployment/mysql -n kubeflow: timed out after 0.2s (Waiting for 1 pods to be gone (0 terminating): mysql-abc)",
    });
    expect(fake.peek(MYSQL_REF)).toBeNull();
  });
});

import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { failed, ready, waiting } from "../../../src/execute/readiness/readiness.js";
import { podsGoneReadiness } from "../../../src/execute/readiness/v1-pods-gone.js";
import { labelSelector, waitPods } from "../../../src/execute/wait-pods.js";
import type { KubeObject, ObjectRef } from "../../../src/model/kube-object.js";
import { FakeKubeClient } from "../../support/fake-kube-client.js";
import { NS, recordingContext } from "./executor-fixtures.js";

const MYSQL = { app: "mysql", "application-crd-id": "kubeflow-pipelines" };

function pod(name: string, labels: Record<string, string>, namespace = NS): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace, labels },
    spec: { containers: [{ name: "main", image: "mysql:8.4" }] },
  };
}
const podRef = (name: string): ObjectRef => ({ apiVersion: "v1", kind: "Pod", name, namespace: NS });

describe("labelSelector", () => {
  const cases: { name: string; labels: Record<string, string>; selector: string }[] = [
    { name: "one label", labels: { app: "mysql" }, selector: "app=mysql" },
    {
      name: "several labels, sorted by key",
      labels: { "application-crd-id": "kubeflow-pipelines", app: "mysql", component: "db" },
      selector: "app=mysql,application-crd-id=kubeflow-pipelines,component=db",
    },
    { name: "no labels", labels: {}, selector: "" },
  ];
  it.each(cases)("$name", ({ labels, selector }) => {
    expect(labelSelector(labels)).toBe(selector);
  });
});

describe("waitPods", () => {
  it("refuses an empty selector before listing anything", async () => {
    const fake = new FakeKubeClient().seed([pod("mysql-1", MYSQL)]);
    await expect(
      waitPods(recordingContext(fake), NS, {}, podsGoneReadiness, "pods of mysql"),
    ).rejects.toMatchObject({
      code: "WAIT_FAILED",
      exitCode: 5,
      message: "pods of mysql: an empty selector would match every pod",
    });
    expect(fake.calls).toEqual([]);
  });

  it("watches the pods of the selector in the namespace, ignoring other labels and namespaces", async () => {
    const fake = new FakeKubeClient().seed([
      pod("minio-1", { app: "minio", "application-crd-id": "kubeflow-pipelines" }),
      pod("mysql-elsewhere", MYSQL, "other"),
    ]);
    const ctx = recordingContext(fake);
    await expect(waitPods(ctx, NS, MYSQL, podsGoneReadiness, "pods of mysql")).resolves.toEqual({
      done: true,
      ok: true,
      message: "No pods left",
    });
    expect(fake.callsOf("watchList")).toEqual([
      {
        method: "watchList",
        apiVersion: "v1",
        kind: "Pod",
        options: { namespace: NS, labelSelector: "app=mysql,application-crd-id=kubeflow-pipelines" },
      },
    ]);
    expect(ctx.progressed).toEqual(["pods of mysql: No pods left"]);
  });

  it("watches until the check is done, reporting each new message once, without polling", async () => {
    const fake = new FakeKubeClient().seed([pod("mysql-1", MYSQL), pod("mysql-2", MYSQL)]);
    const ctx = recordingContext(fake);
    let settled = false;
    const waitingFor = waitPods(ctx, NS, MYSQL, podsGoneReadiness, "pods of mysql").finally(() => {
      settled = true;
    });
    await sleep(700);
    expect(settled).toBe(false);
    expect(fake.callsOf("watchList")).toHaveLength(1);
    expect(fake.callsOf("list")).toEqual([]);
    await fake.delete(podRef("mysql-1"));
    await fake.delete(podRef("mysql-2"));
    await expect(waitingFor).resolves.toEqual({ done: true, ok: true, message: "No pods left" });
    expect(ctx.progressed).toEqual([
      "pods of mysql: Waiting for 2 pods to be gone (0 terminating): mysql-1, mysql-2",
      // Every change is seen as it happens, not only at the next poll.
      "pods of mysql: Waiting for 1 pods to be gone (0 terminating): mysql-2",
      "pods of mysql: No pods left",
    ]);
  });

  it("passes the listed pods to the check", async () => {
    const fake = new FakeKubeClient().seed([pod("mysql-1", MYSQL), pod("mysql-2", MYSQL)]);
    const seen: string[][] = [];
    await waitPods(
      recordingContext(fake),
      NS,
      MYSQL,
      (pods) => {
        seen.push(pods.map((p) => p.metadata.name));
        return ready("two pods");
      },
      "pods of mysql",
    );
    expect(seen).toEqual([["mysql-1", "mysql-2"]]);
  });

  it("rejects with WAIT_FAILED when the check fails", async () => {
    const fake = new FakeKubeClient().seed([pod("mysql-1", MYSQL)]);
    await expect(
      waitPods(recordingContext(fake), NS, MYSQL, () => failed("mysqld 8.0 on 8.4 data"), "mysql series"),
    ).rejects.toMatchObject({
      code: "WAIT_FAILED",
      exitCode: 5,
      message: "mysql series: mysqld 8.0 on 8.4 data",
    });
  });

  it("rejects with WAIT_TIMEOUT and the last message when the timeout passes", async () => {
    const fake = new FakeKubeClient().seed([pod("mysql-1", MYSQL)]);
    const error = await waitPods(
      recordingContext(fake, { timeoutSeconds: 0.2 }),
      NS,
      MYSQL,
      podsGoneReadiness,
      "pods of mysql",
    ).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: "WAIT_TIMEOUT",
      exitCode: 5,
      message: "pods of mysql: timed out after 0.2s (Waiting for 1 pods to be gone (0 terminating): mysql-1)",
      hint: expect.stringContaining("raise --timeout"),
    });
  });

  it("rejects with the signal's reason when the run is aborted", async () => {
    const fake = new FakeKubeClient().seed([pod("mysql-1", MYSQL)]);
    const controller = new AbortController();
    const waitingFor = waitPods(
      recordingContext(fake, { signal: controller.signal }),
      NS,
      MYSQL,
      () => waiting("still there"),
      "pods of mysql",
    );
    const reason = new Error("interrupted");
    setTimeout(() => controller.abort(reason), 100);
    await expect(waitingFor).rejects.toBe(reason);
  });

  it("rejects at once, without listing, when the signal is already aborted", async () => {
    const fake = new FakeKubeClient().seed([pod("mysql-1", MYSQL)]);
    const controller = new AbortController();
    const reason = new Error("interrupted");
    controller.abort(reason);
    await expect(
      waitPods(
        recordingContext(fake, { signal: controller.signal }),
        NS,
        MYSQL,
        podsGoneReadiness,
        "pods of mysql",
      ),
    ).rejects.toBe(reason);
    expect(fake.callsOf("watchList")).toEqual([]);
  });
});

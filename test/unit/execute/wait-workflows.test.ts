import { describe, expect, it } from "vitest";
import { followMigrationLog } from "../../../src/execute/follow-migration-log.js";
import { workflowsDoneReadiness } from "../../../src/execute/readiness/argoproj-v1alpha1-workflows-done.js";
import { waitWorkflowsDone } from "../../../src/execute/wait-workflows.js";
import type { PodLogRequest } from "../../../src/kube/kube-client.js";
import type { KubeObject } from "../../../src/model/kube-object.js";
import { FakeKubeClient } from "../../support/fake-kube-client.js";
import { NS, recordingContext } from "./executor-fixtures.js";

/** The Workflow CRD, Established: the fake then serves argoproj.io/v1alpha1 Workflows. */
const WORKFLOW_CRD: KubeObject = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "workflows.argoproj.io" },
  spec: {
    group: "argoproj.io",
    scope: "Namespaced",
    names: { kind: "Workflow", plural: "workflows", singular: "workflow", listKind: "WorkflowList" },
    versions: [{ name: "v1alpha1", served: true, storage: true }],
  },
  status: { conditions: [{ type: "Established", status: "True" }] },
};

function workflow(name: string, phase?: string): KubeObject {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Workflow",
    metadata: { name, namespace: NS },
    ...(phase === undefined ? {} : { status: { phase } }),
  };
}

describe("workflowsDoneReadiness", () => {
  it("waits while a Workflow has no phase yet, is Pending or Running, naming them; done when all finished", () => {
    expect(
      workflowsDoneReadiness([
        workflow("b", "Running"),
        workflow("a"),
        workflow("c", "Succeeded"),
        workflow("d", "Pending"),
      ]),
    ).toEqual({
      done: false,
      ok: false,
      message: "3 Workflows unfinished: a (no phase yet), b (Running), d (Pending)",
    });
    expect(
      workflowsDoneReadiness([workflow("c", "Succeeded"), workflow("e", "Failed"), workflow("f", "Error")]),
    ).toEqual({
      done: true,
      ok: true,
      message: "no Workflow is Pending or Running",
    });
  });
});

describe("waitWorkflowsDone", () => {
  it("returns at once when none runs, and times out naming the ones that do", async () => {
    const done = new FakeKubeClient().seed([WORKFLOW_CRD, workflow("c", "Succeeded")]);
    await expect(waitWorkflowsDone(recordingContext(done), NS)).resolves.toBe(
      "no Workflow is Pending or Running",
    );
    const running = new FakeKubeClient().seed([WORKFLOW_CRD, workflow("train", "Running")]);
    const ctx = recordingContext(running, { timeoutSeconds: 0 });
    await expect(waitWorkflowsDone(ctx, NS)).rejects.toMatchObject({
      code: "WORKFLOWS_STILL_RUNNING",
      message: `Argo Workflows of namespace ${NS} did not finish within 0s: 1 Workflow unfinished: train (Running)`,
    });
    expect(ctx.progressed).toEqual([`Argo Workflows of ${NS}: 1 Workflow unfinished: train (Running)`]);
  });
});

describe("followMigrationLog", () => {
  const apiServer: KubeObject = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "ml-pipeline", namespace: NS },
    spec: { selector: { matchLabels: { app: "ml-pipeline" } } },
  };
  const pod: KubeObject = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "ml-pipeline-1", namespace: NS, labels: { app: "ml-pipeline" } },
    status: { phase: "Running" },
  };
  const PATTERN = /recurring_run_(adoption|migration)\b/;

  it("shows each matching line of the API server's pods once, as progress", async () => {
    const client = new FakeKubeClient().seed([apiServer, pod]);
    const stop = new AbortController();
    const asked: PodLogRequest[] = [];
    Object.assign(client, {
      podLogs: async (request: PodLogRequest) => {
        asked.push(request);
        if (asked.length >= 2) stop.abort();
        return "starting\nrecurring_run_migration action=recreate id=7\nrecurring_run_adoption id=legacy-2.18 ready=true adopted_count=1\n";
      },
    });
    const ctx = recordingContext(client);
    await followMigrationLog(ctx, NS, "ml-pipeline", PATTERN, stop.signal);
    expect(asked[0]).toEqual({ namespace: NS, pod: "ml-pipeline-1", tailLines: 200 });
    expect(ctx.progressed).toEqual([
      "ml-pipeline-1: recurring_run_migration action=recreate id=7",
      "ml-pipeline-1: recurring_run_adoption id=legacy-2.18 ready=true adopted_count=1",
    ]);
  });

  it("a log that cannot be read ends the following with one note, no error; a client without logs does nothing", async () => {
    const client = new FakeKubeClient().seed([apiServer, pod]);
    Object.assign(client, {
      podLogs: async () => {
        throw new Error("pods/log is forbidden");
      },
    });
    const ctx = recordingContext(client);
    await expect(
      followMigrationLog(ctx, NS, "ml-pipeline", PATTERN, new AbortController().signal),
    ).resolves.toBe(undefined);
    expect(ctx.progressed).toEqual([
      "the API server's log cannot be read (pods/log is forbidden); its migration is still waited for",
    ]);
    const plain = recordingContext(new FakeKubeClient().seed([apiServer, pod]));
    await followMigrationLog(plain, NS, "ml-pipeline", PATTERN, new AbortController().signal);
    expect(plain.progressed).toEqual([]);
  });
});

import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { refKey } from "../../../src/execute/capture-before.js";
import { rollBackHop } from "../../../src/execute/roll-back-hop.js";
import { type KubeObject, type ObjectRef, refOf } from "../../../src/model/kube-object.js";
import { FakeKubeClient } from "../../support/fake-kube-client.js";
import {
  configMap,
  deployment,
  NS,
  recordingContext,
  rollOut,
  specOf,
  VIEWER_CRD,
  writes,
} from "./executor-fixtures.js";

const NAMESPACE: KubeObject = {
  apiVersion: "v1",
  kind: "Namespace",
  metadata: { name: NS },
  status: { phase: "Active" },
};
const KFP = { "application-crd-id": "kubeflow-pipelines" };

function service(name: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: NS, labels: KFP },
    spec: { ports: [{ port: 8888 }] },
  };
}

function pod(name: string, labels: Record<string, string>): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: NS, labels },
    spec: { containers: [{ name: "main", image: "x" }] },
  };
}
const podRef = (name: string): ObjectRef => ({ apiVersion: "v1", kind: "Pod", name, namespace: NS });
const deploymentRef = (name: string): ObjectRef => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  name,
  namespace: NS,
});

/** A Deployment of the same name whose selector (and template labels) moved, e.g. to a new `component` label. */
function movedSelector(name: string, image: string): KubeObject {
  const object = deployment(name, image);
  const labels = { app: name, component: "new", ...KFP };
  const spec = object.spec as { selector: unknown; template: { metadata: unknown } };
  spec.selector = { matchLabels: labels };
  spec.template.metadata = { labels };
  return object;
}

const captured = (object: KubeObject): [string, KubeObject] => [refKey(refOf(object)), object];
const absent = (object: KubeObject): [string, null] => [refKey(refOf(object)), null];

const imageOf = (fake: FakeKubeClient, name: string) =>
  specOf<{ template: { spec: { containers: { image: string }[] } } }>(fake, deploymentRef(name)).template.spec
    .containers[0]?.image;

describe("rollBackHop before the point of no return", () => {
  it("re-applies what the hop changed, deletes what it created, in reverse order, and never touches CRDs", async () => {
    const newCrd = structuredClone(VIEWER_CRD);
    (newCrd.metadata as { labels?: Record<string, string> }).labels = { release: "2.5.0" };
    const fake = new FakeKubeClient()
      .seed([
        NAMESPACE,
        newCrd,
        configMap("pipeline-install-config", { appVersion: "2.5.0" }),
        deployment("ml-pipeline", "api-server:2.5.0"),
        service("ml-pipeline-new"),
        deployment("cache-server", "cache:2.5.0"),
      ])
      .react(rollOut());
    const ctx = recordingContext(fake);
    const before: [string, KubeObject | null][] = [
      captured(VIEWER_CRD),
      captured(configMap("pipeline-install-config", { appVersion: "2.4.0" })),
      captured(deployment("ml-pipeline", "api-server:2.4.0")),
      absent(service("ml-pipeline-new")),
      absent(deployment("cache-server", "cache:2.5.0")),
      absent(configMap("never-created")),
    ];

    const result = await rollBackHop(ctx, before);

    expect(result).toEqual({
      actions: [
        "deleted deployment/cache-server -n kubeflow (created by the failed hop)",
        "deleted service/ml-pipeline-new -n kubeflow (created by the failed hop)",
        "restored deployment/ml-pipeline -n kubeflow",
        "restored configmap/pipeline-install-config -n kubeflow",
      ],
      restored: 4,
      kept: 0,
    });
    expect(writes(fake)).toEqual([
      "delete Deployment/cache-server",
      "delete Service/ml-pipeline-new",
      "apply Deployment/ml-pipeline",
      "apply ConfigMap/pipeline-install-config",
    ]);
    expect(fake.peek(deploymentRef("cache-server"))).toBeNull();
    expect(
      fake.peek({ apiVersion: "v1", kind: "Service", name: "ml-pipeline-new", namespace: NS }),
    ).toBeNull();
    expect(imageOf(fake, "ml-pipeline")).toBe("api-server:2.4.0");
    expect(
      fake.peek({ apiVersion: "v1", kind: "ConfigMap", name: "pipeline-install-config", namespace: NS })
        ?.data,
    ).toEqual({ appVersion: "2.4.0" });
    expect(fake.peek(refOf(VIEWER_CRD))?.metadata.labels).toEqual({ release: "2.5.0" });
    expect(fake.callsOf("get").map((call) => call.ref?.kind)).not.toContain("CustomResourceDefinition");
    expect(ctx.progressed).toContain("restored images: ml-pipeline=api-server:2.4.0");
    expect(ctx.warned).toEqual([]);
  });

  it("deletes a Deployment with Foreground propagation and anything else with Background, applies with force", async () => {
    const fake = new FakeKubeClient()
      .seed([NAMESPACE, deployment("cache-server", "cache:2.5.0"), service("ml-pipeline-new")])
      .react(rollOut());
    const before = [
      captured(configMap("pipeline-install-config")),
      absent(service("ml-pipeline-new")),
      absent(deployment("cache-server", "cache:2.5.0")),
    ];
    await rollBackHop(recordingContext(fake), before);
    expect(fake.callsOf("delete").map((call) => [call.ref?.kind, call.options])).toEqual([
      ["Deployment", { propagationPolicy: "Foreground" }],
      ["Service", { propagationPolicy: "Background" }],
    ]);
    expect(fake.callsOf("apply").map((call) => [call.ref?.kind, call.options])).toEqual([
      ["ConfigMap", { force: true }],
    ]);
  });

  it("waits for the pods of a Deployment the hop created to be gone", async () => {
    const labels = { app: "cache-server", ...KFP };
    const fake = new FakeKubeClient().seed([
      NAMESPACE,
      deployment("cache-server", "cache:2.5.0"),
      pod("cache-server-abc", labels),
    ]);
    setTimeout(() => void fake.delete(podRef("cache-server-abc")), 700);
    let settled = false;
    const rollingBack = rollBackHop(recordingContext(fake), [
      absent(deployment("cache-server", "cache:2.5.0")),
    ]).finally(() => {
      settled = true;
    });
    await sleep(400);
    expect(fake.peek(deploymentRef("cache-server"))).toBeNull();
    expect(settled).toBe(false);
    await expect(rollingBack).resolves.toEqual({
      actions: ["deleted deployment/cache-server -n kubeflow (created by the failed hop)"],
      restored: 1,
      kept: 0,
    });
    expect(fake.peek(podRef("cache-server-abc"))).toBeNull();
  });

  it("restores nothing and reports nothing for an empty capture", async () => {
    const fake = new FakeKubeClient().seed([NAMESPACE]);
    const ctx = recordingContext(fake);
    await expect(rollBackHop(ctx, [])).resolves.toEqual({ actions: [], restored: 0, kept: 0 });
    expect(fake.calls).toEqual([]);
    expect(ctx.progressed).toEqual([]);
  });

  it("warns, but resolves, when a restored Deployment does not become available", async () => {
    const fake = new FakeKubeClient()
      .seed([NAMESPACE, deployment("ml-pipeline", "api-server:2.5.0")])
      .react(rollOut(["api-server:2.4.0"]));
    const ctx = recordingContext(fake);
    const result = await rollBackHop(ctx, [captured(deployment("ml-pipeline", "api-server:2.4.0"))]);
    expect(result).toEqual({
      actions: ["restored deployment/ml-pipeline -n kubeflow"],
      restored: 1,
      kept: 0,
    });
    expect(ctx.warned).toEqual([
      expect.stringMatching(
        /^after rollback, not every restored Deployment became available: 1 of 1 objects did not become restored Deployments available: deployment\/ml-pipeline -n kubeflow: Rollout failed: /,
      ),
    ]);
  });
});

describe("rollBackHop of a Deployment whose selector changed", () => {
  it("deletes the new Deployment, waits until its pods are gone, then applies the old one", async () => {
    const newLabels = { app: "ml-pipeline", component: "new", ...KFP };
    const fake = new FakeKubeClient()
      .seed([
        NAMESPACE,
        movedSelector("ml-pipeline", "api-server:2.5.0"),
        pod("ml-pipeline-new-abc", newLabels),
      ])
      .react(rollOut());
    const podsAtApply: number[] = [];
    fake.react(({ verb, object }, client) => {
      if (verb !== "apply" || object.kind !== "Deployment") return;
      podsAtApply.push(client.all().filter((o) => o.kind === "Pod").length);
    });
    setTimeout(() => void fake.delete(podRef("ml-pipeline-new-abc")), 700);
    const ctx = recordingContext(fake);

    const result = await rollBackHop(ctx, [captured(deployment("ml-pipeline", "api-server:2.4.0"))]);

    expect(result).toEqual({
      actions: ["restored deployment/ml-pipeline -n kubeflow"],
      restored: 1,
      kept: 0,
    });
    expect(writes(fake)).toEqual([
      "delete Deployment/ml-pipeline",
      "delete Pod/ml-pipeline-new-abc",
      "apply Deployment/ml-pipeline",
    ]);
    expect(fake.callsOf("delete")[0]?.options).toEqual({ propagationPolicy: "Foreground" });
    expect(podsAtApply).toEqual([0]);
    expect(specOf<{ selector: unknown }>(fake, deploymentRef("ml-pipeline")).selector).toEqual({
      matchLabels: { app: "ml-pipeline", ...KFP },
    });
    expect(imageOf(fake, "ml-pipeline")).toBe("api-server:2.4.0");
    expect(ctx.progressed).toContain("pods of deployment/ml-pipeline -n kubeflow: No pods left");
  });

  it("applies in place, without deleting, when the selector is the same", async () => {
    const fake = new FakeKubeClient()
      .seed([NAMESPACE, deployment("ml-pipeline", "api-server:2.5.0")])
      .react(rollOut());
    await rollBackHop(recordingContext(fake), [captured(deployment("ml-pipeline", "api-server:2.4.0"))]);
    expect(writes(fake)).toEqual(["apply Deployment/ml-pipeline"]);
  });

  it("applies the old one when the Deployment is gone already", async () => {
    const fake = new FakeKubeClient().seed([NAMESPACE]).react(rollOut());
    await expect(
      rollBackHop(recordingContext(fake), [captured(deployment("ml-pipeline", "api-server:2.4.0"))]),
    ).resolves.toEqual({ actions: ["restored deployment/ml-pipeline -n kubeflow"], restored: 1, kept: 0 });
    expect(writes(fake)).toEqual(["apply Deployment/ml-pipeline"]);
    expect(imageOf(fake, "ml-pipeline")).toBe("api-server:2.4.0");
  });
});

describe("rollBackHop after the point of no return", () => {
  it("sends back only the Deployments not kept; kept ones and every other object stay at the new release", async () => {
    const fake = new FakeKubeClient()
      .seed([
        NAMESPACE,
        VIEWER_CRD,
        configMap("pipeline-install-config", { appVersion: "2.5.0" }),
        service("ml-pipeline-new"),
        deployment("mysql", "mysql:8.4"),
        deployment("ml-pipeline", "api-server:2.5.0"),
        deployment("ml-pipeline-ui", "ui:2.5.0"),
      ])
      .react(rollOut());
    const ctx = recordingContext(fake);
    const before = [
      captured(VIEWER_CRD),
      captured(configMap("pipeline-install-config", { appVersion: "2.4.0" })),
      absent(service("ml-pipeline-new")),
      captured(deployment("mysql", "mysql:8.0")),
      captured(deployment("ml-pipeline", "api-server:2.4.0")),
      captured(deployment("ml-pipeline-ui", "ui:2.4.0")),
    ];

    const result = await rollBackHop(ctx, before, {
      afterPointOfNoReturn: { keep: ["mysql", "ml-pipeline"] },
    });

    expect(result).toEqual({
      actions: [
        "restored deployment/ml-pipeline-ui -n kubeflow",
        "kept deployment/ml-pipeline -n kubeflow at the new release (the data moved forward; it is never restored to an older one)",
        "kept deployment/mysql -n kubeflow at the new release (the data moved forward; it is never restored to an older one)",
        "kept 2 configuration objects of the new release that the kept servers need: service/ml-pipeline-new -n kubeflow, configmap/pipeline-install-config -n kubeflow",
      ],
      restored: 1,
      kept: 4,
    });
    expect(writes(fake)).toEqual(["apply Deployment/ml-pipeline-ui"]);
    expect(imageOf(fake, "ml-pipeline-ui")).toBe("ui:2.4.0");
    expect(imageOf(fake, "mysql")).toBe("mysql:8.4");
    expect(imageOf(fake, "ml-pipeline")).toBe("api-server:2.5.0");
    expect(
      fake.peek({ apiVersion: "v1", kind: "ConfigMap", name: "pipeline-install-config", namespace: NS })
        ?.data,
    ).toEqual({ appVersion: "2.5.0" });
    expect(
      fake.peek({ apiVersion: "v1", kind: "Service", name: "ml-pipeline-new", namespace: NS }),
    ).not.toBeNull();
    expect(ctx.progressed).toContain("restored images: ml-pipeline-ui=ui:2.4.0");
  });

  it("still deletes a Deployment the hop created unless it is kept", async () => {
    const fake = new FakeKubeClient().seed([
      NAMESPACE,
      deployment("seaweedfs", "seaweedfs:3.0"),
      deployment("cache-server", "cache:2.5.0"),
    ]);
    const result = await rollBackHop(
      recordingContext(fake),
      [absent(deployment("seaweedfs", "seaweedfs:3.0")), absent(deployment("cache-server", "cache:2.5.0"))],
      { afterPointOfNoReturn: { keep: ["seaweedfs"] } },
    );
    expect(result).toEqual({
      actions: [
        "deleted deployment/cache-server -n kubeflow (created by the failed hop)",
        "kept deployment/seaweedfs -n kubeflow at the new release (the data moved forward; it is never restored to an older one)",
      ],
      restored: 1,
      kept: 1,
    });
    expect(fake.peek(deploymentRef("seaweedfs"))).not.toBeNull();
    expect(fake.peek(deploymentRef("cache-server"))).toBeNull();
  });

  it("keeps every object when nothing but configuration was captured, writing nothing", async () => {
    const fake = new FakeKubeClient().seed([NAMESPACE, configMap("pipeline-install-config")]);
    const result = await rollBackHop(
      recordingContext(fake),
      [captured(configMap("pipeline-install-config"))],
      {
        afterPointOfNoReturn: { keep: [] },
      },
    );
    expect(result).toEqual({
      actions: [
        "kept 1 configuration objects of the new release that the kept servers need: configmap/pipeline-install-config -n kubeflow",
      ],
      restored: 0,
      kept: 1,
    });
    expect(writes(fake)).toEqual([]);
  });
});

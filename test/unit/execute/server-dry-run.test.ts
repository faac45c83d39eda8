import { describe, expect, it } from "vitest";
import { DryRunRefused, InternalError, PreflightRefusal } from "../../../src/errors.js";
import { RECREATE_DRY_RUN_SUFFIX, serverDryRun } from "../../../src/execute/server-dry-run.js";
import type { KubeObject } from "../../../src/model/kube-object.js";
import type { Step, StepOf } from "../../../src/plan/step.js";
import { FakeKubeClient } from "../../support/fake-kube-client.js";
import { configMap, deployment, NS, recordingContext, secret, VIEWER_CRD } from "./executor-fixtures.js";

const NAMESPACE: KubeObject = { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } };

function withSelector(object: KubeObject, matchLabels: Record<string, string>): KubeObject {
  const spec = object.spec as { template: { metadata: { labels: Record<string, string> } } };
  return {
    ...object,
    spec: {
      ...spec,
      selector: { matchLabels },
      template: {
        ...spec.template,
        metadata: { labels: { ...spec.template.metadata.labels, ...matchLabels } },
      },
    },
  };
}

const apply = (id: string, objects: KubeObject[], force = true): Step => ({
  id,
  hop: 2,
  kind: "applyObjects",
  group: "workloads",
  force,
  objects: objects.map((object) => ({ action: "update" as const, object })),
});

const dryRun = (steps: Step[]): StepOf<"serverDryRun"> => ({
  id: "05-serverDryRun",
  hop: 2,
  kind: "serverDryRun",
  steps: steps.map((step) => step.id),
});

describe("serverDryRun", () => {
  it("runs every write of the hop with dryRun and changes nothing", async () => {
    const fake = new FakeKubeClient({ defaultNamespace: NS }).seed([
      NAMESPACE,
      configMap("pipeline-install-config", { appVersion: "2.5.0" }),
      deployment("ml-pipeline", "api:2.5.0"),
    ]);
    const before = fake.all();
    const writes: Step[] = [
      apply("06-applyObjects", [configMap("pipeline-install-config", { appVersion: "2.14.4" })]),
      {
        id: "07-createIfAbsent",
        kind: "createIfAbsent",
        group: "secrets",
        objects: [secret("new-secret", { a: "b" })],
      },
      apply("08-applyObjects", [
        deployment("ml-pipeline", "api:2.14.4"),
        deployment("ml-pipeline-ui", "ui:2.14.4"),
      ]),
    ];
    const ctx = recordingContext(fake, { steps: writes });
    await expect(serverDryRun(dryRun(writes), ctx)).resolves.toBe(
      "4 writes accepted by the API server in a dry run",
    );
    expect(fake.all()).toEqual(before);
    const calls = fake.calls.filter((call) => ["apply", "create"].includes(call.method));
    expect(calls.map((call) => [call.method, call.ref?.name, call.options])).toEqual([
      ["apply", "pipeline-install-config", { force: true, dryRun: true }],
      ["create", "new-secret", { dryRun: true }],
      ["apply", "ml-pipeline", { force: true, dryRun: true }],
      ["apply", "ml-pipeline-ui", { force: true, dryRun: true }],
    ]);
  });

  it("collects every refusal, then refuses the hop (exit 4) naming each object, verb and reason", async () => {
    const fake = new FakeKubeClient({ defaultNamespace: NS }).seed([
      NAMESPACE,
      configMap("pipeline-install-config", { appVersion: "2.5.0" }),
      deployment("ml-pipeline", "api:2.5.0"),
    ]);
    const before = fake.all();
    const writes: Step[] = [
      // Unforced: the value kubectl owns is a conflict.
      apply("06-applyObjects", [configMap("pipeline-install-config", { appVersion: "2.14.4" })], false),
      // The selector is immutable.
      apply("07-applyObjects", [withSelector(deployment("ml-pipeline", "api:2.14.4"), { tier: "api" })]),
    ];
    const error = await serverDryRun(dryRun(writes), recordingContext(fake, { steps: writes })).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(DryRunRefused);
    expect(error).toBeInstanceOf(PreflightRefusal);
    expect(error).toMatchObject({
      code: "SERVER_DRY_RUN_REJECTED",
      exitCode: 4,
      hop: 2,
      message: "the API server refused 2 of hop 2's 2 writes in a server-side dry run; none of them was made",
      details: [
        'apply configmap/pipeline-install-config -n kubeflow: API server says: Apply failed with 1 conflict: conflict with "kubectl": .data.appVersion (reason: Conflict, 409)',
        expect.stringMatching(
          /^apply deployment\/ml-pipeline -n kubeflow: API server says: Deployment.apps "ml-pipeline" is invalid: spec.selector: .*field is immutable \(reason: Invalid, 422\)$/,
        ),
      ],
    });
    expect(fake.all()).toEqual(before);
  });

  it("checks a recreated Deployment by a dry-run create under a derived name (its selector is immutable)", async () => {
    const fake = new FakeKubeClient({ defaultNamespace: NS }).seed([
      NAMESPACE,
      deployment("minio", "minio:old"),
    ]);
    const recreate: StepOf<"recreateDeployment"> = {
      id: "06-recreateDeployment",
      kind: "recreateDeployment",
      namespace: NS,
      name: "minio",
      reason: "its selector changed",
      object: withSelector(deployment("minio", "minio:new"), { "app.kubernetes.io/name": "minio" }),
    };
    const ctx = recordingContext(fake, { steps: [recreate] });
    await expect(serverDryRun(dryRun([recreate]), ctx)).resolves.toBe(
      "1 writes accepted by the API server in a dry run",
    );
    const [create] = fake.callsOf("create");
    expect([create?.ref?.name, create?.options]).toEqual([
      `minio${RECREATE_DRY_RUN_SUFFIX}`,
      { dryRun: true },
    ]);
    expect(fake.callsOf("apply")).toEqual([]);
    expect(
      fake.peek({
        ...create?.ref,
        apiVersion: "apps/v1",
        kind: "Deployment",
        name: `minio${RECREATE_DRY_RUN_SUFFIX}`,
      }),
    ).toBeNull();

    const broken = {
      ...recreate,
      object: {
        ...recreate.object,
        spec: { ...(recreate.object.spec as object), selector: { matchLabels: { x: "y" } } },
      },
    };
    await expect(
      serverDryRun(dryRun([broken]), recordingContext(fake, { steps: [broken] })),
    ).rejects.toMatchObject({
      details: [expect.stringContaining("`selector` does not match template `labels`")],
    });
  });

  it("skips objects of a CRD the same writes create, and refuses a kind nothing serves", async () => {
    const fake = new FakeKubeClient({ defaultNamespace: NS }).seed([NAMESPACE]);
    const viewer = (name: string, apiVersion = "kubeflow.org/v1beta1"): KubeObject => ({
      apiVersion,
      kind: "Viewer",
      metadata: { name, namespace: NS },
    });
    const writes: Step[] = [apply("06-applyObjects", [VIEWER_CRD]), apply("07-applyObjects", [viewer("v")])];
    await expect(serverDryRun(dryRun(writes), recordingContext(fake, { steps: writes }))).resolves.toBe(
      "1 writes accepted by the API server in a dry run; 1 objects of CRDs not established yet are checked when applied",
    );
    expect(
      fake.peek({
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        name: VIEWER_CRD.metadata.name,
      }),
    ).toBeNull();

    const orphan: Step[] = [apply("06-applyObjects", [{ ...viewer("w"), kind: "Widget" }])];
    await expect(
      serverDryRun(dryRun(orphan), recordingContext(fake, { steps: orphan })),
    ).rejects.toMatchObject({
      code: "SERVER_DRY_RUN_REJECTED",
      details: [
        "apply widget/w -n kubeflow: the API server does not serve kind Widget in kubeflow.org/v1beta1",
      ],
    });
  });

  it("creates nothing for a createIfAbsent object that exists", async () => {
    const fake = new FakeKubeClient({ defaultNamespace: NS }).seed([
      NAMESPACE,
      secret("mysql-secret", { a: "b" }),
    ]);
    const writes: Step[] = [
      {
        id: "06-createIfAbsent",
        kind: "createIfAbsent",
        group: "secrets",
        objects: [secret("mysql-secret", { a: "c" })],
      },
    ];
    await expect(serverDryRun(dryRun(writes), recordingContext(fake, { steps: writes }))).resolves.toBe(
      "0 writes accepted by the API server in a dry run",
    );
    expect(fake.callsOf("create")).toEqual([]);
  });

  it("names a step id the plan does not have as a bug", async () => {
    const fake = new FakeKubeClient({ defaultNamespace: NS });
    await expect(
      serverDryRun(
        { id: "01-serverDryRun", kind: "serverDryRun", steps: ["99-missing"] },
        recordingContext(fake),
      ),
    ).rejects.toThrow(InternalError);
  });
});

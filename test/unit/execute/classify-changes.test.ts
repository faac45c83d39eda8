import { describe, expect, it } from "vitest";
import { DryRunRefused, KubeApiError } from "../../../src/errors.js";
import { classifyChanges } from "../../../src/execute/classify-changes.js";
import type { ApplyOptions } from "../../../src/kube/kube-client.js";
import type { KubeObject } from "../../../src/model/kube-object.js";
import { PLAN_API_VERSION, type Plan } from "../../../src/plan/plan.js";
import type { Step } from "../../../src/plan/step.js";
import { FakeKubeClient } from "../../support/fake-kube-client.js";
import { configMap, deployment, NS, secret, VIEWER_CRD } from "./executor-fixtures.js";

const NAMESPACE: KubeObject = { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } };

function planOf(steps: Step[], hops = 1): Plan {
  return {
    apiVersion: PLAN_API_VERSION,
    kind: "Plan",
    command: "upgrade",
    namespace: NS,
    context: null,
    from: "2.5.0",
    to: "2.14.4",
    strategy: "manifests",
    hops: Array.from({ length: hops }, (_, i) => ({
      from: i === 0 ? "2.5.0" : "2.6.0",
      to: i === hops - 1 ? "2.14.4" : "2.6.0",
      strategy: "manifests" as const,
      reason: "test",
    })),
    storage: [],
    steps,
    warnings: [],
    notes: [],
    createdAt: "2026-12-03T10:00:00.000Z",
  };
}

const apply = (id: string, objects: KubeObject[], hop?: number): Step => ({
  id,
  ...(hop === undefined ? {} : { hop }),
  kind: "applyObjects",
  group: "workloads",
  force: true,
  objects: objects.map((object) => ({ action: "update" as const, object })),
});

const summary = (plan: Plan) =>
  plan.changes?.objects.map((c) => [c.step, c.kind, c.name, c.change, c.fields, c.basis]);

describe("classifyChanges", () => {
  it("classifies each object by a server-side dry run against the live object, writing nothing", async () => {
    const fake = new FakeKubeClient({ defaultNamespace: NS }).seed([
      NAMESPACE,
      configMap("pipeline-install-config", { appVersion: "2.5.0" }),
      configMap("kfp-launcher", { defaultPipelineRoot: "" }),
      deployment("ml-pipeline", "api:2.5.0"),
      deployment("ml-pipeline-old", "old:2.5.0"),
      secret("mysql-secret", { password: "s3cret" }),
    ]);
    const before = fake.all();
    const steps: Step[] = [
      apply("03-applyObjects", [
        configMap("pipeline-install-config", { appVersion: "2.14.4" }),
        configMap("kfp-launcher", { defaultPipelineRoot: "" }),
        configMap("metadata-grpc-configmap", { port: "8080" }),
      ]),
      {
        id: "04-createIfAbsent",
        kind: "createIfAbsent",
        group: "secrets",
        objects: [secret("mysql-secret", { password: "other" })],
      },
      apply("05-applyObjects", [deployment("ml-pipeline", "api:2.14.4")]),
      {
        id: "06-prune",
        kind: "prune",
        reason: "not in KFP 2.14.4",
        objects: [{ apiVersion: "apps/v1", kind: "Deployment", name: "ml-pipeline-old", namespace: NS }],
      },
    ];
    const { plan, diffs } = await classifyChanges(planOf(steps), fake);
    expect(fake.all()).toEqual(before);
    expect(summary(plan)).toEqual([
      ["03-applyObjects", "ConfigMap", "pipeline-install-config", "update", ["data.appVersion"], "server"],
      ["03-applyObjects", "ConfigMap", "kfp-launcher", "unchanged", [], "server"],
      ["03-applyObjects", "ConfigMap", "metadata-grpc-configmap", "create", [], "server"],
      ["04-createIfAbsent", "Secret", "mysql-secret", "unchanged", [], "server"],
      [
        "05-applyObjects",
        "Deployment",
        "ml-pipeline",
        "update",
        ["spec.template.spec.containers[name=ml-pipeline].image"],
        "server",
      ],
      ["06-prune", "Deployment", "ml-pipeline-old", "delete", [], "server"],
    ]);
    expect(plan.steps).toEqual(steps);
    const apiServer = diffs.find((diff) => diff.change.name === "ml-pipeline");
    expect(apiServer?.before).not.toHaveProperty("status");
    expect(apiServer?.after).not.toHaveProperty("metadata.resourceVersion");
    const writes = fake.calls.filter((call) => ["apply", "create", "delete", "patch"].includes(call.method));
    expect(writes.map((call) => [call.method, call.options])).toEqual([
      ["apply", { force: true, dryRun: true }],
      ["apply", { force: true, dryRun: true }],
      ["apply", { force: true, dryRun: true }],
      ["apply", { force: true, dryRun: true }],
    ]);
  });

  it("refuses the plan naming every object the API server rejects, before anything changes", async () => {
    const fake = new FakeKubeClient({ defaultNamespace: NS }).seed([
      NAMESPACE,
      deployment("ml-pipeline", "api:2.5.0"),
    ]);
    const before = fake.all();
    // New Deployments whose selector does not match their pod template: the API server says 422 Invalid.
    const moved = (name: string, image: string): KubeObject => {
      const object = deployment(name, image);
      (object.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels = {
        app: "x",
      };
      return object;
    };
    const plan = planOf([
      apply("03-applyObjects", [
        deployment("ml-pipeline", "api:2.14.4"),
        moved("ml-pipeline-ui", "ui:2.14.4"),
        moved("ml-pipeline-viewer", "viewer:2.14.4"),
      ]),
    ]);
    const refusal = await classifyChanges(plan, fake).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(DryRunRefused);
    expect(refusal).toMatchObject({ code: "SERVER_DRY_RUN_REJECTED", exitCode: 4 });
    const details = (refusal as DryRunRefused).details.join("\n");
    expect((refusal as DryRunRefused).details).toHaveLength(2);
    expect(details).toMatch(/deployment\/ml-pipeline-ui -n kubeflow.*does not match template/);
    expect(details).toMatch(/deployment\/ml-pipeline-viewer -n kubeflow.*does not match template/);
    expect(fake.all()).toEqual(before);
  });

  it("counts objects whose namespace the plan creates as created, unchecked", async () => {
    const fake = new FakeKubeClient({ defaultNamespace: NS });
    const { plan } = await classifyChanges(planOf([apply("02-applyObjects", [configMap("c")])]), fake);
    expect(plan.changes?.objects).toEqual([
      expect.objectContaining({ name: "c", change: "create", basis: "unchecked" }),
    ]);
  });

  it("counts an object whose CRD the plan creates as created, unchecked, and dry-runs the CRD itself", async () => {
    const fake = new FakeKubeClient({ defaultNamespace: NS }).seed([NAMESPACE]);
    const viewer: KubeObject = {
      apiVersion: "kubeflow.org/v1beta1",
      kind: "Viewer",
      metadata: { name: "v", namespace: NS },
      spec: {},
    };
    const { plan } = await classifyChanges(
      planOf([apply("02-applyObjects", [VIEWER_CRD]), apply("03-applyObjects", [viewer])]),
      fake,
    );
    expect(plan.changes?.objects.map((c) => [c.kind, c.change, c.basis, c.note])).toEqual([
      ["CustomResourceDefinition", "create", "server", undefined],
      [
        "Viewer",
        "create",
        "unchecked",
        "its CRD is created by this plan; the API server checks it when applied",
      ],
    ]);
  });

  it("compares later hops with the previous hop's objects, and says so", async () => {
    const fake = new FakeKubeClient({ defaultNamespace: NS }).seed([
      NAMESPACE,
      deployment("ml-pipeline", "api:2.5.0"),
      configMap("kfp-launcher", { defaultPipelineRoot: "" }),
    ]);
    const { plan } = await classifyChanges(
      planOf(
        [
          apply("03-applyObjects", [deployment("ml-pipeline", "api:2.6.0")], 1),
          apply(
            "09-applyObjects",
            [
              deployment("ml-pipeline", "api:2.14.4"),
              configMap("kfp-launcher", { defaultPipelineRoot: "" }),
              configMap("new"),
            ],
            2,
          ),
        ],
        2,
      ),
      fake,
    );
    expect(summary(plan)).toEqual([
      [
        "03-applyObjects",
        "Deployment",
        "ml-pipeline",
        "update",
        ["spec.template.spec.containers[name=ml-pipeline].image"],
        "server",
      ],
      [
        "09-applyObjects",
        "Deployment",
        "ml-pipeline",
        "update",
        ["spec.template.spec.containers[name=ml-pipeline].image"],
        "previousHop",
      ],
      ["09-applyObjects", "ConfigMap", "kfp-launcher", "unchanged", [], "previousHop"],
      ["09-applyObjects", "ConfigMap", "new", "create", [], "previousHop"],
    ]);
    expect(plan.changes?.basis.join("\n")).toMatch(/later hops: compared with the previous hop's objects/);
  });

  it("a plan that creates admin-binding first: a forbidden dry run is unchecked, not a refusal; without it, refused", async () => {
    /** A user who may read but not yet write: what the API server answers before admin-binding exists. */
    class ReadOnlyUser extends FakeKubeClient {
      override async apply(object: KubeObject, options: ApplyOptions): Promise<KubeObject> {
        if (options.dryRun) {
          throw new KubeApiError(`deployments.apps "${object.metadata.name}" is forbidden`, {
            statusCode: 403,
          });
        }
        return super.apply(object, options);
      }
    }
    const fake = new ReadOnlyUser({ defaultNamespace: NS }).seed([
      NAMESPACE,
      deployment("ml-pipeline", "api:2.5.0"),
    ]);
    const binding: Step = {
      id: "01-ensureAdminBinding",
      kind: "ensureAdminBinding",
      name: "admin-binding",
      clusterRole: "cluster-admin",
      user: "alice@example.com",
      missing: ["patch deployments.apps"],
    };
    const steps = [
      apply("02-applyObjects", [deployment("ml-pipeline", "api:2.14.4"), deployment("cache", "c:1")]),
    ];
    const { plan } = await classifyChanges(planOf([binding, ...steps]), fake);
    expect(summary(plan)).toEqual([
      ["02-applyObjects", "Deployment", "ml-pipeline", "update", [], "unchecked"],
      ["02-applyObjects", "Deployment", "cache", "create", [], "unchecked"],
    ]);
    expect(plan.changes?.objects[0]?.note).toMatch(/admin-binding, which this plan creates first/);
    await expect(classifyChanges(planOf(steps), fake)).rejects.toBeInstanceOf(DryRunRefused);
  });

  it("a Deployment recreated because its strategy becomes Recreate is dry-run created under another name", async () => {
    const fake = new FakeKubeClient({ defaultNamespace: NS }).seed([
      NAMESPACE,
      deployment("ml-pipeline-ui", "ui:2.17.0"),
    ]);
    const wanted = deployment("ml-pipeline-ui", "ui:2.18.1");
    (wanted.spec as { strategy?: unknown }).strategy = { type: "Recreate" };
    const before = fake.all();
    const { plan } = await classifyChanges(
      planOf([
        {
          id: "03-recreateDeployment",
          kind: "recreateDeployment",
          namespace: NS,
          name: "ml-pipeline-ui",
          reason: "its strategy becomes Recreate",
          object: wanted,
        },
      ]),
      fake,
    );
    expect(summary(plan)?.[0]?.slice(0, 4)).toEqual([
      "03-recreateDeployment",
      "Deployment",
      "ml-pipeline-ui",
      "recreate",
    ]);
    const writes = fake.calls.filter((call) => ["apply", "create"].includes(call.method));
    expect(writes.map((call) => [call.method, call.options])).toEqual([["create", { dryRun: true }]]);
    expect(fake.all()).toEqual(before);
  });
});

import { stripVTControlCharacters } from "node:util";
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../src/model/kube-object.js";
import type { Plan } from "../../../src/plan/plan.js";
import { renderPlanText } from "../../../src/plan/render-plan-text.js";
import { StepList } from "../../../src/plan/step-list.js";

const deployment = (name: string, image: string): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace: "kubeflow" },
  spec: { template: { spec: { containers: [{ name, image }] } } },
});
const configMap = (name: string): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace: "kubeflow" },
});

function aPlan(overrides: Partial<Plan> = {}): Plan {
  return {
    apiVersion: "kfp-upgrade/v1",
    kind: "Plan",
    command: "upgrade",
    namespace: "kubeflow",
    context: "kind-kfp",
    from: "2.3.0",
    to: "2.5.0",
    strategy: "manifests",
    hops: [{ from: "2.3.0", to: "2.5.0", strategy: "manifests", reason: "the target release" }],
    storage: [],
    steps: [],
    warnings: [],
    notes: [],
    createdAt: "2026-01-02T03:04:05.000Z",
    ...overrides,
  };
}

/** One step of each kind that counts, in the order a plan would have them. */
function everyKindOfChange(): StepList {
  const steps = new StepList();
  steps.add({ kind: "ensureNamespace", name: "kubeflow", exists: true });
  steps.add({ kind: "setReclaimPolicy", volume: "pvc-1", from: "Delete", to: "Retain" });
  steps.add({
    kind: "applyObjects",
    group: "config",
    force: true,
    objects: [
      { action: "create", object: configMap("kfp-launcher") },
      { action: "update", object: configMap("pipeline-install-config") },
    ],
  });
  steps.add({
    kind: "createIfAbsent",
    group: "secrets",
    objects: [
      { apiVersion: "v1", kind: "Secret", metadata: { name: "mysql-secret", namespace: "kubeflow" } },
    ],
  });
  steps.add({
    kind: "recreateDeployment",
    namespace: "kubeflow",
    name: "ml-pipeline",
    reason: "selector changes",
    object: deployment("ml-pipeline", "ghcr.io/kubeflow/kfp-api-server:2.5.0"),
  });
  steps.add({
    kind: "setImages",
    namespace: "kubeflow",
    deployment: "ml-pipeline-ui",
    containers: [
      {
        name: "ml-pipeline-ui",
        from: "gcr.io/ml-pipeline/frontend:2.3.0",
        to: "ghcr.io/kubeflow/kfp-frontend:2.5.0",
      },
    ],
  });
  steps.add({ kind: "waitRollout", namespace: "kubeflow", deployments: ["ml-pipeline", "ml-pipeline-ui"] });
  steps.add({
    kind: "prune",
    reason: "dropped",
    objects: [
      { apiVersion: "v1", kind: "Service", name: "workflow-controller-metrics", namespace: "kubeflow" },
      { apiVersion: "v1", kind: "ConfigMap", name: "old", namespace: "kubeflow" },
    ],
  });
  steps.add({ kind: "verifyBinding", namespace: "kubeflow", claims: [] });
  return steps;
}

describe("renderPlanText", () => {
  it("renders one line per change with its symbol, and ends with the count line", () => {
    const plan = aPlan({
      steps: everyKindOfChange().steps,
      storage: [
        {
          role: "mysql",
          claim: "mysql-pv-claim",
          mode: "existing",
          volumeName: "pvc-1",
          detail: "bound to PV pvc-1",
        },
      ],
      warnings: ["PV pvc-1 has reclaim policy Delete"],
      notes: ["Secrets kept as they are (never overwritten): mlpipeline-minio-artifact"],
    });
    expect(renderPlanText(plan, { color: false })).toBe(
      [
        "Plan: upgrade KFP 2.3.0 -> 2.5.0 in namespace kubeflow (context kind-kfp)",
        "Strategy: manifests",
        "",
        "Storage:",
        "  mysql (mysql-pv-claim): bound to PV pvc-1",
        "",
        "  ✓ namespace/kubeflow (exists)",
        "  ~ persistentvolume/pvc-1: reclaim policy Delete -> Retain",
        "  + configmap/kfp-launcher -n kubeflow",
        "  ~ configmap/pipeline-install-config -n kubeflow",
        "  + secret/mysql-secret -n kubeflow (only if absent; never overwritten)",
        "  ± deployment/ml-pipeline -n kubeflow: delete and create (selector changes)",
        "  ~ deployment/ml-pipeline-ui -n kubeflow [ml-pipeline-ui]: gcr.io/ml-pipeline/frontend:2.3.0 -> ghcr.io/kubeflow/kfp-frontend:2.5.0",
        "  … wait until 2 Deployments are rolled out and Available",
        "  - service/workflow-controller-metrics -n kubeflow (dropped)",
        "  - configmap/old -n kubeflow (dropped)",
        "  ✓ verify no data claims",
        "",
        "Warnings:",
        "  ! PV pvc-1 has reclaim policy Delete",
        "",
        "Notes:",
        "  - Secrets kept as they are (never overwritten): mlpipeline-minio-artifact",
        "",
        "Plan: 2 to create, 3 to update, 1 to recreate, 2 to delete; 1 waits.",
      ].join("\n"),
    );
  });

  const counts = [
    {
      name: "nothing but a wait",
      steps: () => [{ kind: "waitRollout" as const, namespace: "kubeflow", deployments: ["a"] }],
      line: "Plan: 0 to create, 0 to update, 0 to recreate, 0 to delete; 1 waits.",
    },
    {
      name: "a new namespace counts as a create, an existing one not at all",
      steps: () => [
        { kind: "ensureNamespace" as const, name: "a", exists: false },
        { kind: "ensureNamespace" as const, name: "b", exists: true },
      ],
      line: "Plan: 1 to create, 0 to update, 0 to recreate, 0 to delete; 0 waits.",
    },
    {
      name: "Retain for provisioned volumes counts each claim",
      steps: () => [{ kind: "retainClaimVolumes" as const, namespace: "kubeflow", claims: ["a", "b"] }],
      line: "Plan: 0 to create, 2 to update, 0 to recreate, 0 to delete; 0 waits.",
    },
  ];
  it.each(counts)("counts: $name", ({ steps, line }) => {
    const list = new StepList();
    list.addAll(steps());
    expect(
      renderPlanText(aPlan({ steps: list.steps }), { color: false })
        .split("\n")
        .at(-1),
    ).toBe(line);
  });

  it("a plan without steps says No changes and has no count line", () => {
    const text = renderPlanText(aPlan({ from: "2.5.0", hops: [] }), { color: false });
    expect(text).toBe(
      [
        "Plan: upgrade KFP 2.5.0 -> 2.5.0 in namespace kubeflow (context kind-kfp)",
        "",
        "No changes. The install is already at the requested release.",
      ].join("\n"),
    );
  });

  it("groups a multi-hop plan by hop, after the path", () => {
    const steps = new StepList();
    steps.add({ kind: "waitRollout", namespace: "kubeflow", deployments: ["mysql"] }, 1);
    steps.add({ kind: "waitRollout", namespace: "kubeflow", deployments: ["mysql", "ml-pipeline"] }, 2);
    const plan = aPlan({
      from: "1.8.5",
      to: "2.14.4",
      context: null,
      hops: [
        { from: "1.8.5", to: "2.5.0", strategy: "manifests", reason: "MySQL 5.7 → 8.0" },
        { from: "2.5.0", to: "2.14.4", strategy: "images", reason: "the target release" },
      ],
      steps: steps.steps,
    });
    expect(renderPlanText(plan, { color: false })).toBe(
      [
        "Plan: upgrade KFP 1.8.5 -> 2.14.4 in namespace kubeflow",
        "",
        "Path (2 hops):",
        "  1. 1.8.5 -> 2.5.0 [manifests]: MySQL 5.7 → 8.0",
        "  2. 2.5.0 -> 2.14.4 [images]: the target release",
        "",
        "Hop 1: 1.8.5 -> 2.5.0",
        "  … wait until 1 Deployments are rolled out and Available",
        "Hop 2: 2.5.0 -> 2.14.4",
        "  … wait until 2 Deployments are rolled out and Available",
        "",
        "Plan: 0 to create, 0 to update, 0 to recreate, 0 to delete; 2 waits.",
      ].join("\n"),
    );
  });

  it("titles a deploy by its target", () => {
    const plan = aPlan({ command: "deploy", from: null, to: "2.5.0" });
    expect(renderPlanText(plan, { color: false }).split("\n")[0]).toBe(
      "Plan: deploy KFP 2.5.0 into namespace kubeflow (context kind-kfp)",
    );
  });

  it("colours the symbols only when asked", () => {
    const plan = aPlan({ steps: everyKindOfChange().steps });
    const coloured = renderPlanText(plan, { color: true });
    expect(coloured).toContain("\u001b[32m+\u001b[39m configmap/kfp-launcher");
    expect(coloured).toContain("\u001b[31m-\u001b[39m service/workflow-controller-metrics");
    const plain = renderPlanText(plan, { color: false });
    expect(plain).not.toContain("\u001b[");
    // Colour changes nothing but the escapes.
    expect(stripVTControlCharacters(coloured)).toBe(plain);
  });

  it("marks the steps an earlier run finished, and says how many are left (resume)", () => {
    const steps = new StepList();
    steps.add({ kind: "setReclaimPolicy", volume: "pvc-1", from: "Delete", to: "Retain" });
    steps.add({ kind: "waitRollout", namespace: "kubeflow", deployments: ["ml-pipeline"] });
    const text = renderPlanText(aPlan({ steps: steps.steps }), {
      color: false,
      done: new Set([steps.steps[0]?.id ?? ""]),
    });
    expect(text).toContain("  ✓ done: ~ persistentvolume/pvc-1: reclaim policy Delete -> Retain\n");
    expect(text).not.toContain("  ~ persistentvolume/pvc-1");
    expect(text.split("\n").at(-1)).toBe("Resume: 1 of 2 steps done (✓), 1 to run.");
  });
});

describe("renderPlanText with the server-side dry run's classification", () => {
  const steps = new StepList();
  steps.add({ kind: "setReclaimPolicy", volume: "pvc-1", from: "Delete", to: "Retain" });
  steps.add({
    kind: "applyObjects",
    group: "workloads",
    force: true,
    objects: ["ml-pipeline", "ml-pipeline-ui", "cache-server", "minio"].map((name) => ({
      action: "update" as const,
      object: deployment(name, `${name}:2.5.0`),
    })),
  });
  steps.add({ kind: "waitRollout", namespace: "kubeflow", deployments: ["ml-pipeline"] });
  const [, apply] = steps.steps;
  const change = (name: string, kind: "create" | "update" | "unchanged", fields: string[] = []) => ({
    step: apply?.id ?? "",
    apiVersion: "apps/v1",
    kind: "Deployment",
    name,
    namespace: "kubeflow",
    change: kind,
    fields,
    basis: "server" as const,
  });
  const plan = aPlan({
    steps: steps.steps,
    changes: {
      basis: ["every object: a server-side dry run (dryRun=All) compared with the live object"],
      objects: [
        change("ml-pipeline", "update", ["spec.template.spec.containers[name=ml-pipeline].image"]),
        change("ml-pipeline-ui", "create"),
        change("cache-server", "unchanged"),
        change("minio", "unchanged"),
      ],
    },
  });

  it("shows each changed object with its fields, counts unchanged ones, and takes the count line from them", () => {
    const text = renderPlanText(plan, { color: false });
    expect(text).toContain(
      "  ~ deployment/ml-pipeline -n kubeflow: spec.template.spec.containers[name=ml-pipeline].image",
    );
    expect(text).toContain("  + deployment/ml-pipeline-ui -n kubeflow");
    expect(text).toContain("  = 2 unchanged objects (-v lists them)");
    expect(text).not.toContain("cache-server");
    expect(text).toContain("Compared:\n  - every object: a server-side dry run");
    expect(text).toMatch(
      /Plan: 1 to create, 2 to update, 0 to recreate, 0 to delete, 2 unchanged; 1 waits\.$/,
    );
  });

  it("lists the unchanged objects with -v", () => {
    const text = renderPlanText(plan, { color: false, verbose: true });
    expect(text).toContain("  = deployment/cache-server -n kubeflow");
    expect(text).toContain("  = deployment/minio -n kubeflow");
    expect(text).not.toContain("(-v lists them)");
  });

  it("counts from the steps without a classification (plain --dry-run)", () => {
    const text = renderPlanText({ ...plan, changes: undefined }, { color: false });
    expect(text).toMatch(/Plan: 0 to create, 5 to update, 0 to recreate, 0 to delete; 1 waits\.$/);
  });
});

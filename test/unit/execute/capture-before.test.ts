import { describe, expect, it } from "vitest";
import { touchedStatelessRefs } from "../../../src/execute/capture-before.js";
import type { Step } from "../../../src/plan/step.js";

describe("touchedStatelessRefs", () => {
  it("never captures CRDs (nor data objects), so a hop's rollback never restores or deletes them", () => {
    const steps: Step[] = [
      {
        id: "1",
        kind: "applyObjects",
        group: "crds",
        force: true,
        objects: [
          {
            action: "update",
            object: {
              apiVersion: "apiextensions.k8s.io/v1",
              kind: "CustomResourceDefinition",
              metadata: { name: "workflows.argoproj.io" },
            },
          },
        ],
      },
      {
        id: "2",
        kind: "applyObjects",
        group: "cluster",
        force: true,
        objects: [
          {
            action: "update",
            object: {
              apiVersion: "rbac.authorization.k8s.io/v1",
              kind: "ClusterRole",
              metadata: { name: "kubeflow-pipelines-cache-deployer-clusterrole" },
            },
          },
        ],
      },
      {
        id: "3",
        kind: "createIfAbsent",
        group: "secrets",
        objects: [
          { apiVersion: "v1", kind: "Secret", metadata: { name: "mysql-secret", namespace: "kubeflow" } },
        ],
      },
    ];
    expect(touchedStatelessRefs(steps).map((ref) => `${ref.kind}/${ref.name}`)).toEqual([
      "ClusterRole/kubeflow-pipelines-cache-deployer-clusterrole",
    ]);
  });
});

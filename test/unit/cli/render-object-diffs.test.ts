import { describe, expect, it } from "vitest";
import { renderObjectDiffs } from "../../../src/cli/render-object-diffs.js";
import type { ObjectDiff } from "../../../src/execute/classify-changes.js";

const change = (kind: string, name: string, what: ObjectDiff["change"]["change"]): ObjectDiff["change"] => ({
  step: "05-applyObjects",
  apiVersion: kind === "Deployment" ? "apps/v1" : "v1",
  kind,
  name,
  namespace: "kubeflow",
  change: what,
  fields: [],
  basis: "server",
});

describe("renderObjectDiffs", () => {
  it("prints a unified diff per changed object, named as kubectl diff names it, skipping unchanged ones", () => {
    const image = (tag: string) => ({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "ml-pipeline", namespace: "kubeflow" },
      spec: { template: { spec: { containers: [{ name: "api", image: `api:${tag}` }] } } },
    });
    const text = renderObjectDiffs(
      [
        {
          change: change("Deployment", "ml-pipeline", "update"),
          before: image("2.5.0"),
          after: image("2.14.4"),
        },
        { change: change("ConfigMap", "same", "unchanged"), before: { a: 1 }, after: { a: 1 } },
      ],
      false,
    );
    expect(text).toBe(
      [
        "diff update apps.v1.Deployment.kubeflow.ml-pipeline",
        "--- live/apps.v1.Deployment.kubeflow.ml-pipeline",
        "+++ planned/apps.v1.Deployment.kubeflow.ml-pipeline",
        "@@ -8,4 +8,4 @@",
        "     spec:",
        "       containers:",
        "         - name: api",
        "-          image: api:2.5.0",
        "+          image: api:2.14.4",
      ].join("\n"),
    );
    expect(text).not.toContain("same");
  });

  it("colours removed lines red and added lines green on a terminal", () => {
    const text = renderObjectDiffs(
      [
        {
          change: change("ConfigMap", "c", "update"),
          before: { data: { a: "1" } },
          after: { data: { a: "2" } },
        },
      ],
      true,
    );
    expect(text).toContain('\u001b[31m-  a: "1"\u001b[39m');
    expect(text).toContain('\u001b[32m+  a: "2"\u001b[39m');
  });

  it("never prints a Secret's values: equal ones are <redacted>, changed ones say before and after", () => {
    const secret = (password: string) => ({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "mysql-secret", namespace: "kubeflow" },
      data: { username: "cm9vdA==", password },
    });
    const text = renderObjectDiffs(
      [{ change: change("Secret", "mysql-secret", "update"), before: secret("b2xk"), after: secret("bmV3") }],
      false,
    );
    expect(text).not.toMatch(/cm9vdA|b2xk|bmV3/);
    expect(text).toContain("   username: <redacted>");
    expect(text).toContain('-  password: "<redacted: before>"');
    expect(text).toContain('+  password: "<redacted: after>"');
  });
});

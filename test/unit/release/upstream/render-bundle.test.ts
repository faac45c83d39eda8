import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { renderKustomization, renderTargets } from "../../../../src/release/upstream/render-bundle.js";

function tree(dirs: string[]): string {
  const root = mkdtempSync(path.join(tmpdir(), "kfp-tree-"));
  for (const dir of dirs) {
    mkdirSync(path.join(root, dir), { recursive: true });
    writeFileSync(path.join(root, dir, "kustomization.yaml"), "resources:\n- cm.yaml\n");
    writeFileSync(
      path.join(root, dir, "cm.yaml"),
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${path.basename(dir)}\n  namespace: kubeflow\n`,
    );
  }
  return root;
}

describe("renderTargets", () => {
  it("2.15.0's layout: cluster-scoped-resources, env/platform-agnostic and its -minio overlay", async () => {
    const root = tree([
      "cluster-scoped-resources",
      "env/platform-agnostic",
      "env/platform-agnostic-minio",
      "env/dev",
    ]);
    expect(await renderTargets(root)).toEqual([
      { path: "cluster-scoped-resources", file: "cluster-scoped.yaml" },
      { path: "env/platform-agnostic", file: "platform-agnostic.yaml" },
      { path: "env/platform-agnostic-minio", file: "platform-agnostic-minio.yaml" },
    ]);
  });

  it("older trees: env/dev, else base, holds the install", async () => {
    expect(await renderTargets(tree(["env/dev", "base"]))).toEqual([{ path: "env/dev", file: "dev.yaml" }]);
    expect(await renderTargets(tree(["base"]))).toEqual([{ path: "base", file: "base.yaml" }]);
  });

  it("refuses a tree with no namespaced install", async () => {
    await expect(renderTargets(tree(["cluster-scoped-resources"]))).rejects.toMatchObject({
      code: "RELEASE_LAYOUT_UNKNOWN",
    });
  });
});

describe("renderKustomization", () => {
  it("runs kubectl kustomize and returns its YAML", async () => {
    const root = tree(["base"]);
    expect(await renderKustomization(path.join(root, "base"))).toBe(
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: base\n  namespace: kubeflow\n",
    );
  });

  it("names a failed build and keeps kustomize's own message", async () => {
    const root = tree(["base"]);
    writeFileSync(path.join(root, "base", "kustomization.yaml"), "resources:\n- missing.yaml\n");
    const error = await renderKustomization(path.join(root, "base")).catch((e) => e);
    expect(error).toMatchObject({ code: "RELEASE_RENDER_FAILED" });
    expect(error.details.join("\n")).toContain("missing.yaml");
  });

  it("says so when kubectl is missing", async () => {
    const error = await renderKustomization(tree(["base"]), "/nonexistent/kubectl").catch((e) => e);
    expect(error).toMatchObject({ code: "KUBECTL_MISSING" });
  });
});

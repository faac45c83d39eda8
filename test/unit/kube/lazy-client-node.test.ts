import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const KUBE_DIR = path.resolve(import.meta.dirname, "../../../src/kube");
const files = readdirSync(KUBE_DIR, { recursive: true })
  .map(String)
  .filter((file) => file.endsWith(".ts"));

// `kfp-upgrade --help` must not pay for loading @kubernetes/client-node (about a second): only type imports are
// static, and the one runtime import is the dynamic one inside createKubeClient.
describe("@kubernetes/client-node loads lazily", () => {
  it.each(files)("%s imports it only as types", (file) => {
    const source = readFileSync(path.join(KUBE_DIR, file), "utf8");
    const staticImports = source.match(/^import\s+(?!type\b)[^;]*from\s+"@kubernetes\/client-node"/gm) ?? [];
    const sideEffectImports = source.match(/^import\s+"@kubernetes\/client-node"/gm) ?? [];
    expect([...staticImports, ...sideEffectImports]).toEqual([]);
  });

  it("is imported at runtime only by createKubeClient", () => {
    const dynamic = files.filter((file) =>
      /(?<!typeof )import\(\s*"@kubernetes\/client-node"\s*\)/.test(
        readFileSync(path.join(KUBE_DIR, file), "utf8"),
      ),
    );
    expect(dynamic).toEqual(["create-kube-client.ts"]);
  });
});

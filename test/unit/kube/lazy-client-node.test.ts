import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const KUBE_DIR = path.resolve(import.meta.dirname, "../../../src/kube");
const files = readdirSync(KUBE_DIR, { recursive: true })
  .map(String)
  .filter((file) => file.endsWith(".ts"));

// `kfp-upgrade --help` must not pay for loading @kubernetes/client-node (about a second): only type imports are
// static, except in kube-config-class.ts, which re-exports KubeConfig by name (so the bundler keeps nothing else)
// and is itself loaded only by the dynamic import inside createKubeClient.
describe("@kubernetes/client-node loads lazily", () => {
  it.each(files.filter((file) => file !== "kube-config-class.ts"))("%s imports it only as types", (file) => {
    const source = readFileSync(path.join(KUBE_DIR, file), "utf8");
    const staticImports = source.match(/^import\s+(?!type\b)[^;]*from\s+"@kubernetes\/client-node"/gm) ?? [];
    const sideEffectImports = source.match(/^import\s+"@kubernetes\/client-node"/gm) ?? [];
    expect([...staticImports, ...sideEffectImports]).toEqual([]);
  });

  it("is imported at runtime only by createKubeClient, through kube-config-class.ts", () => {
    const read = (file: string) => readFileSync(path.join(KUBE_DIR, file), "utf8");
    expect(
      files.filter((file) => /(?<!typeof )import\(\s*"@kubernetes\/client-node"\s*\)/.test(read(file))),
    ).toEqual([]);
    expect(read("kube-config-class.ts")).toMatch(
      /^export \{ KubeConfig \} from "@kubernetes\/client-node";$/m,
    );
    const loaders = files.filter((file) => /kube-config-class\.js/.test(read(file)));
    expect(loaders).toEqual(["create-kube-client.ts"]);
    expect(read("create-kube-client.ts")).toMatch(/import\("\.\/kube-config-class\.js"\)/);
  });
});

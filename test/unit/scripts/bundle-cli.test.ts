// What `npm run build` bundles (scripts/bundle-cli.ts) decides what every run loads before it does anything:
// the modules reached from src/cli/main.ts by static imports. `--help`, usage errors and `--version` must not pay
// for zod, the output formatting, YAML or the Kubernetes client; each loads with the first command that needs it.
import path from "node:path";
import { build, type Metafile } from "esbuild";
import { describe, expect, it } from "vitest";

const repoRoot = path.resolve(import.meta.dirname, "../../..");

async function metafileOf(entry: string): Promise<Metafile> {
  const result = await build({
    entryPoints: [path.join(repoRoot, entry)],
    absWorkingDir: repoRoot,
    bundle: true,
    platform: "node",
    format: "esm",
    splitting: true,
    outdir: "out",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  return result.metafile;
}

/** Every input reached from `entry` through static imports only (what loads before the first await import()). */
function staticClosure(metafile: Metafile, entry: string): Set<string> {
  const seen = new Set([entry]);
  const queue = [entry];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    for (const use of metafile.inputs[file]?.imports ?? []) {
      if (use.kind !== "import-statement" || use.external || seen.has(use.path)) continue;
      seen.add(use.path);
      queue.push(use.path);
    }
  }
  return seen;
}

const packageOf = (file: string) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file)?.[1];

describe("the bundled CLI's start-up", () => {
  it("loads only commander before a command runs", { timeout: 60_000 }, async () => {
    const metafile = await metafileOf("src/cli/main.ts");
    const closure = staticClosure(metafile, "src/cli/main.ts");
    const packages = new Set([...closure].map(packageOf).filter((name) => name !== undefined));
    expect([...packages]).toEqual(["commander"]);
    // The check can fail: the whole bundle does reach the heavy packages, through await import().
    const everything = new Set(Object.keys(metafile.inputs).map(packageOf));
    for (const heavy of ["zod", "chalk", "js-yaml", "@kubernetes/client-node", "execa"]) {
      expect(everything.has(heavy), heavy).toBe(true);
    }
  });

  it("keeps client-node's kubeconfig code and none of its generated API clients", {
    timeout: 60_000,
  }, async () => {
    const metafile = await metafileOf("src/kube/kube-config-class.ts");
    // Every file esbuild read is in metafile.inputs; what it kept is in the output's inputs.
    const kept = Object.values(metafile.outputs).flatMap((output) =>
      Object.entries(output.inputs)
        .filter(([, use]) => use.bytesInOutput > 0)
        .map(([file]) => file),
    );
    const inputs = kept.filter((file) => file.includes("@kubernetes/client-node/"));
    expect(inputs).toContain("node_modules/@kubernetes/client-node/dist/config.js");
    expect(inputs.filter((file) => file.includes("/gen/apis/"))).toEqual([]);
  });
});

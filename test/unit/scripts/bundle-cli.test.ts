// What `npm run build` bundles (scripts/bundle-cli.ts) decides what every run loads before it does anything:
// the modules reached from src/cli/main.ts by static imports. `--help`, usage errors and `--version` must not pay
// for zod, the output formatting, YAML or the Kubernetes client; each loads with the first command that needs it.
import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import module from "node:module";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
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

/** Either variable decides the cache by itself (NODE_DISABLE_COMPILE_CACHE whatever its value), so both go. */
function withoutCompileCacheVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { NODE_DISABLE_COMPILE_CACHE: _off, NODE_COMPILE_CACHE: _dir, ...rest } = env;
  return rest;
}

describe("bin/kfp-upgrade.js", () => {
  it("turns Node's compile cache on before the bundle loads (Node >= 22.1), and runs without it on Node 20", async () => {
    // The real bin beside a stand-in bundle whose main() reports whether the cache was on when it loaded.
    const dir = await mkdtemp(path.join(os.tmpdir(), "kfp-upgrade-bin-"));
    try {
      await mkdir(path.join(dir, "bin"));
      await mkdir(path.join(dir, "dist", "bundle"), { recursive: true });
      await copyFile(path.join(repoRoot, "bin", "kfp-upgrade.js"), path.join(dir, "bin", "kfp-upgrade.js"));
      await writeFile(path.join(dir, "package.json"), JSON.stringify({ type: "module" }));
      await writeFile(
        path.join(dir, "dist", "bundle", "main.js"),
        [
          'import module from "node:module";',
          "const cacheDir = module.getCompileCacheDir?.() ?? null;",
          "export async function main(args) {",
          "  console.log(JSON.stringify({ args, cacheDir }));",
          "  return 7;",
          "}",
        ].join("\n"),
      );
      const cache = path.join(dir, "node-compile-cache");
      const run = await promisify(execFile)(
        process.execPath,
        [path.join(dir, "bin", "kfp-upgrade.js"), "--help"],
        {
          // Node's own default directory, under os.tmpdir(); NODE_COMPILE_CACHE would turn the cache on by itself.
          env: withoutCompileCacheVariables({ ...process.env, TMPDIR: dir }),
        },
      ).catch((error: { code: number; stdout: string }) => error);
      expect("code" in run ? run.code : 0).toBe(7);
      const report = JSON.parse(run.stdout) as { args: string[]; cacheDir: string | null };
      expect(report.args).toEqual(["--help"]);
      const nodeHasCompileCache =
        typeof (module as { enableCompileCache?: unknown }).enableCompileCache === "function";
      const hasCacheDirGetter =
        typeof (module as { getCompileCacheDir?: unknown }).getCompileCacheDir === "function";
      if (nodeHasCompileCache && hasCacheDirGetter) expect(report.cacheDir).toMatch(new RegExp(`^${cache}`));
      else expect(report.cacheDir).toBeNull();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

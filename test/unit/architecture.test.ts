import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const repoRoot = path.resolve(import.meta.dirname, "../..");
const CLIENT_NODE = "@kubernetes/client-node";
/** Names client-node's KubeConfig statically so the bundler keeps only it; loaded itself with await import(). */
const KUBE_CONFIG_CLASS = "src/kube/kube-config-class.ts";
const NODE_IO = new Set(["fs", "fs/promises", "child_process"].flatMap((name) => [name, `node:${name}`]));
const PROCESS_RUNNERS = ["src/gcp/", "src/release/upstream/"];
const PURE_LAYERS = ["src/plan/", "src/storage/", "src/model/"];

/**
 * The layer order, top to bottom: each layer lists the layers it may import. `model` is the neutral home of the
 * shapes every layer shares (KubeObject, quantities, the cluster snapshot); files at the root of src/ (errors,
 * redaction) are importable from anywhere and import no layer. A layer missing here is a new one: add it.
 */
const MAY_IMPORT: Record<string, readonly string[]> = {
  cli: ["execute", "plan", "app", "release", "storage", "kube", "kfp", "gcp", "model"],
  execute: ["plan", "release", "storage", "kube", "kfp", "gcp", "model"],
  plan: ["app", "release", "storage", "model"],
  storage: ["app", "model"],
  app: ["model"],
  release: ["model"],
  kube: ["model"],
  kfp: ["model"],
  gcp: ["model"],
  model: [],
};
const ORDER = "cli -> execute -> plan -> storage -> app, release -> kube, kfp, gcp -> model";

function layerOf(repoPath: string): string | null {
  const match = /^src\/([^/]+)\//.exec(repoPath);
  if (match) return match[1] ?? null;
  return repoPath.startsWith("src/") ? "" : null;
}

interface ImportUse {
  file: string;
  /** The specifier as written; relative ones also resolved to a repo path (`src/kube/take-snapshot.ts`). */
  specifier: string;
  target: string;
  /** `import type` / `export type`: erased at compile time, never loaded. */
  typeOnly: boolean;
  /** `await import(…)`: loaded only when the code runs. */
  dynamic: boolean;
}

/** Every import of one source file, read with the TypeScript parser (not regular expressions). */
function importsOf(file: string, text: string): ImportUse[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const uses: ImportUse[] = [];
  const add = (specifier: string, typeOnly: boolean, dynamic: boolean) =>
    uses.push({ file, specifier, target: resolve(file, specifier), typeOnly, dynamic });
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      // `import { type A } from "x"` still loads "x" under verbatimModuleSyntax; only `import type` is erased.
      add(node.moduleSpecifier.text, node.importClause?.isTypeOnly === true, false);
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      add(node.moduleSpecifier.text, node.isTypeOnly, false);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const expression = node.moduleReference.expression;
      if (ts.isStringLiteral(expression)) add(expression.text, node.isTypeOnly, false);
    } else if (ts.isCallExpression(node) && node.arguments[0] && ts.isStringLiteralLike(node.arguments[0])) {
      if (node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node.arguments[0].text, false, true);
      if (ts.isIdentifier(node.expression) && node.expression.text === "require") {
        add(node.arguments[0].text, false, false);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return uses;
}

function resolve(file: string, specifier: string): string {
  if (!specifier.startsWith(".")) return specifier;
  return path.posix.join(path.posix.dirname(file), specifier).replace(/\.js$/, ".ts");
}

/** Every rule broken by these files, one line each. */
function violations(files: { file: string; text: string }[]): string[] {
  const found: string[] = [];
  for (const { file, text } of files) {
    for (const use of importsOf(file, text)) {
      const where = `${file} imports ${use.specifier}`;
      if (use.specifier === CLIENT_NODE && !file.startsWith("src/kube/")) {
        found.push(`${where}: only src/kube may use the Kubernetes client`);
      }
      if (use.specifier === CLIENT_NODE && !use.typeOnly && !use.dynamic && file !== KUBE_CONFIG_CLASS) {
        found.push(`${where} statically: load it with await import() so --help stays fast`);
      }
      // gcloud runs in src/gcp; `kubectl kustomize` renders fetched releases in src/release/upstream (DESIGN.md:
      // "release alone runs kustomize"), which the CLI loads only when a release must be fetched.
      if (use.specifier === "execa" && !PROCESS_RUNNERS.some((dir) => file.startsWith(dir))) {
        found.push(`${where}: only src/gcp and src/release/upstream may run processes`);
      }
      if (PURE_LAYERS.some((layer) => file.startsWith(layer))) {
        if (NODE_IO.has(use.specifier) && !use.typeOnly) {
          found.push(`${where}: plan, storage and model do no I/O`);
        }
      }
      const from = layerOf(file);
      const to = layerOf(use.target);
      if (from === null || to === null || from === to || to === "") continue;
      if (from === "") {
        found.push(`${where}: files at the root of src/ import no layer`);
        continue;
      }
      const allowed = MAY_IMPORT[from];
      if (allowed === undefined) found.push(`${where}: src/${from} is not in the layer table`);
      else if (!allowed.includes(to)) found.push(`${where}: dependencies point one way (${ORDER})`);
    }
  }
  return found;
}

function sourceFiles(dir: string): { file: string; text: string }[] {
  return readdirSync(path.join(repoRoot, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => {
      const absolute = path.join(entry.parentPath, entry.name);
      return {
        file: path.relative(repoRoot, absolute).split(path.sep).join("/"),
        text: readFileSync(absolute, "utf8"),
      };
    });
}

describe("architecture", () => {
  it("src/ keeps every layering rule", { timeout: 60_000 }, () => {
    const files = sourceFiles("src");
    expect(files.map((f) => f.file)).toEqual(
      expect.arrayContaining(["src/kube/create-kube-client.ts", "src/plan/step.ts"]),
    );
    expect(violations(files)).toEqual([]);
  });

  it("the Kubernetes client is reached, and only lazily, from src/kube", () => {
    const uses = sourceFiles("src").flatMap(({ file, text }) => importsOf(file, text));
    const runtime = uses.filter(
      (use) => use.specifier === CLIENT_NODE && !use.typeOnly && use.file !== KUBE_CONFIG_CLASS,
    );
    for (const use of runtime)
      expect(use).toMatchObject({ dynamic: true, file: expect.stringMatching(/^src\/kube\//) });
    // The one static import names KubeConfig for the bundler, and its module is itself only loaded lazily.
    const viaClass = uses.filter((use) => use.target === KUBE_CONFIG_CLASS);
    expect(viaClass.length).toBeGreaterThan(0);
    for (const use of viaClass)
      expect(use).toMatchObject({ dynamic: true, file: "src/kube/create-kube-client.ts" });
  });

  // The rules above pass on src/ only if they can fail: each of these snippets breaks one.
  const broken = [
    {
      name: "the Kubernetes client outside src/kube",
      file: "src/execute/run-plan.ts",
      text: 'import type { KubeConfig } from "@kubernetes/client-node";',
      violation:
        "src/execute/run-plan.ts imports @kubernetes/client-node: only src/kube may use the Kubernetes client",
    },
    {
      name: "a static import of the Kubernetes client, even in src/kube",
      file: "src/kube/http-kube-client.ts",
      text: 'import { KubeConfig } from "@kubernetes/client-node";',
      violation:
        "src/kube/http-kube-client.ts imports @kubernetes/client-node statically: load it with await import() so --help stays fast",
    },
    {
      name: "an inline type import, which still loads the module",
      file: "src/kube/api-transport.ts",
      text: 'import { type KubeConfig } from "@kubernetes/client-node";',
      violation:
        "src/kube/api-transport.ts imports @kubernetes/client-node statically: load it with await import() so --help stays fast",
    },
    {
      name: "a require of the Kubernetes client",
      file: "src/kube/x.ts",
      text: 'const k8s = require("@kubernetes/client-node");',
      violation:
        "src/kube/x.ts imports @kubernetes/client-node statically: load it with await import() so --help stays fast",
    },
    {
      name: "execa outside src/gcp",
      file: "src/cli/commands/deploy.ts",
      text: 'const { execa } = await import("execa");',
      violation:
        "src/cli/commands/deploy.ts imports execa: only src/gcp and src/release/upstream may run processes",
    },
    {
      name: "node:fs in src/plan",
      file: "src/plan/build-deploy-plan.ts",
      text: 'import { readFileSync } from "node:fs";',
      violation: "src/plan/build-deploy-plan.ts imports node:fs: plan, storage and model do no I/O",
    },
    {
      name: "child_process in src/storage",
      file: "src/storage/gcp-disk-volume.ts",
      text: 'import { execSync } from "child_process";',
      violation: "src/storage/gcp-disk-volume.ts imports child_process: plan, storage and model do no I/O",
    },
    {
      name: "kube code in src/plan",
      file: "src/plan/storage-steps.ts",
      text: 'import { takeSnapshot } from "../kube/take-snapshot.js";',
      violation: `src/plan/storage-steps.ts imports ../kube/take-snapshot.js: dependencies point one way (${ORDER})`,
    },
    {
      name: "the kube layer reaching up into storage (the old kube <-> storage cycle)",
      file: "src/kube/snapshot-state.ts",
      text: 'import { parseQuantity } from "../storage/check-volume-fits.js";',
      violation: `src/kube/snapshot-state.ts imports ../storage/check-volume-fits.js: dependencies point one way (${ORDER})`,
    },
    {
      name: "the kube layer reaching up into release",
      file: "src/kube/take-snapshot.ts",
      text: 'import type { Release } from "../release/release.js";',
      violation: `src/kube/take-snapshot.ts imports ../release/release.js: dependencies point one way (${ORDER})`,
    },
    {
      name: "the executor importing the KFAPP layer (it gets narrow interfaces instead)",
      file: "src/execute/run-command.ts",
      text: 'import { appendHistory } from "../app/history.js";',
      violation: `src/execute/run-command.ts imports ../app/history.js: dependencies point one way (${ORDER})`,
    },
    {
      name: "the model importing anything of ours",
      file: "src/model/kube-object.ts",
      text: 'import type { Step } from "../plan/step.js";',
      violation: `src/model/kube-object.ts imports ../plan/step.js: dependencies point one way (${ORDER})`,
    },
    {
      name: "the executor from src/plan",
      file: "src/plan/plan.ts",
      text: 'export { runPlan } from "../execute/run-plan.js";',
      violation: `src/plan/plan.ts imports ../execute/run-plan.js: dependencies point one way (${ORDER})`,
    },
    {
      name: "the CLI from src/execute, even as a type",
      file: "src/execute/run-plan.ts",
      text: 'import type { GlobalOptions } from "../cli/global-options.js";',
      violation: `src/execute/run-plan.ts imports ../cli/global-options.js: dependencies point one way (${ORDER})`,
    },
    {
      name: "a layer nobody placed",
      file: "src/widgets/x.ts",
      text: 'import { refOf } from "../model/kube-object.js";',
      violation: "src/widgets/x.ts imports ../model/kube-object.js: src/widgets is not in the layer table",
    },
    {
      name: "a root file importing a layer",
      file: "src/errors.ts",
      text: 'import type { Plan } from "./plan/plan.js";',
      violation: "src/errors.ts imports ./plan/plan.js: files at the root of src/ import no layer",
    },
  ];
  it.each(broken)("catches $name", ({ file, text, violation }) => {
    expect(violations([{ file, text }])).toEqual([violation]);
  });

  const allowed = [
    {
      name: "the snapshot schema in src/plan",
      file: "src/plan/x.ts",
      text: 'import { clusterSnapshotSchema } from "../model/cluster-snapshot.js";',
    },
    {
      name: "errors from any layer",
      file: "src/kube/x.ts",
      text: 'import { KubeApiError } from "../errors.js";',
    },
    {
      name: "a lazy import of the client in src/kube",
      file: "src/kube/x.ts",
      text: 'const k8s = await import("@kubernetes/client-node");',
    },
    {
      name: "a type import of the client in src/kube",
      file: "src/kube/x.ts",
      text: 'import type { KubeConfig } from "@kubernetes/client-node";',
    },
    {
      name: "a type query of the client in src/kube",
      file: "src/kube/x.ts",
      text: 'export type M = typeof import("@kubernetes/client-node");',
    },
    { name: "execa in src/gcp", file: "src/gcp/gcloud.ts", text: 'import { execa } from "execa";' },
    {
      name: "execa in the release renderer",
      file: "src/release/upstream/render-bundle.ts",
      text: 'import { execa } from "execa";',
    },
    {
      name: "node:crypto in src/plan",
      file: "src/plan/plan-hash.ts",
      text: 'import { createHash } from "node:crypto";',
    },
  ];
  it.each(allowed)("allows $name", ({ file, text }) => {
    expect(violations([{ file, text }])).toEqual([]);
  });
});

describe("the local control plane", () => {
  // Product tooling (`npm run cluster:up`, the demo): tests, the demo and the benchmarks use it, never the reverse.
  it("imports nothing from the tests, the demo, the benchmarks or src", () => {
    const uses = sourceFiles("local-cluster").flatMap(({ file, text }) => importsOf(file, text));
    expect(uses.length).toBeGreaterThan(0);
    const upward = uses.filter((use) => /^(test|scripts|bench|src)\//.test(use.target));
    expect(upward).toEqual([]);
  });
});

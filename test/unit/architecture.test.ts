import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const repoRoot = path.resolve(import.meta.dirname, "../..");
const CLIENT_NODE = "@kubernetes/client-node";
const NODE_IO = new Set(["fs", "fs/promises", "child_process"].flatMap((name) => [name, `node:${name}`]));
const PURE_LAYERS = ["src/plan/", "src/storage/"];
/** Pure code may know the shape of a snapshot, never how it is taken. */
const PURE_KUBE_SCHEMA = "src/kube/cluster-snapshot.ts";

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
      if (use.specifier === CLIENT_NODE && !use.typeOnly && !use.dynamic) {
        found.push(`${where} statically: load it with await import() so --help stays fast`);
      }
      if (use.specifier === "execa" && !file.startsWith("src/gcp/")) {
        found.push(`${where}: only src/gcp may run processes`);
      }
      if (PURE_LAYERS.some((layer) => file.startsWith(layer))) {
        if (NODE_IO.has(use.specifier) && !use.typeOnly) found.push(`${where}: plan and storage do no I/O`);
        if (use.target.startsWith("src/kube/") && !(use.typeOnly && use.target === PURE_KUBE_SCHEMA)) {
          found.push(`${where}: plan and storage may only import types from ${PURE_KUBE_SCHEMA}`);
        }
        if (/^src\/(cli|execute|app|gcp)\//.test(use.target) && !use.typeOnly) {
          found.push(
            `${where}: dependencies point one way (cli -> app, release, plan, execute -> storage, kube, gcp)`,
          );
        }
      }
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
  it("src/ keeps every layering rule", () => {
    const files = sourceFiles("src");
    expect(files.map((f) => f.file)).toEqual(
      expect.arrayContaining(["src/kube/create-kube-client.ts", "src/plan/step.ts"]),
    );
    expect(violations(files)).toEqual([]);
  });

  it("the Kubernetes client is reached, and only lazily, from src/kube", () => {
    const uses = sourceFiles("src").flatMap(({ file, text }) => importsOf(file, text));
    const runtime = uses.filter((use) => use.specifier === CLIENT_NODE && !use.typeOnly);
    expect(runtime.length).toBeGreaterThan(0);
    for (const use of runtime)
      expect(use).toMatchObject({ dynamic: true, file: expect.stringMatching(/^src\/kube\//) });
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
      violation: "src/cli/commands/deploy.ts imports execa: only src/gcp may run processes",
    },
    {
      name: "node:fs in src/plan",
      file: "src/plan/build-deploy-plan.ts",
      text: 'import { readFileSync } from "node:fs";',
      violation: "src/plan/build-deploy-plan.ts imports node:fs: plan and storage do no I/O",
    },
    {
      name: "child_process in src/storage",
      file: "src/storage/gcp-disk-volume.ts",
      text: 'import { execSync } from "child_process";',
      violation: "src/storage/gcp-disk-volume.ts imports child_process: plan and storage do no I/O",
    },
    {
      name: "kube runtime code in src/plan",
      file: "src/plan/storage-steps.ts",
      text: 'import { takeSnapshot } from "../kube/take-snapshot.js";',
      violation:
        "src/plan/storage-steps.ts imports ../kube/take-snapshot.js: plan and storage may only import types from src/kube/cluster-snapshot.ts",
    },
    {
      name: "the snapshot schema at runtime in src/storage",
      file: "src/storage/check-volume-fits.ts",
      text: 'import { clusterSnapshotSchema } from "../kube/cluster-snapshot.js";',
      violation:
        "src/storage/check-volume-fits.ts imports ../kube/cluster-snapshot.js: plan and storage may only import types from src/kube/cluster-snapshot.ts",
    },
    {
      name: "the executor from src/plan",
      file: "src/plan/plan.ts",
      text: 'export { runPlan } from "../execute/run-plan.js";',
      violation:
        "src/plan/plan.ts imports ../execute/run-plan.js: dependencies point one way (cli -> app, release, plan, execute -> storage, kube, gcp)",
    },
  ];
  it.each(broken)("catches $name", ({ file, text, violation }) => {
    expect(violations([{ file, text }])).toEqual([violation]);
  });

  const allowed = [
    {
      name: "a type import of the snapshot schema in src/plan",
      file: "src/plan/x.ts",
      text: 'import type { ClusterSnapshot } from "../kube/cluster-snapshot.js";',
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
      name: "node:crypto in src/plan",
      file: "src/plan/plan-hash.ts",
      text: 'import { createHash } from "node:crypto";',
    },
  ];
  it.each(allowed)("allows $name", ({ file, text }) => {
    expect(violations([{ file, text }])).toEqual([]);
  });
});

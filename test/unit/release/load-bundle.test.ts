import { mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { loadBundle } from "../../../src/release/load-bundle.js";
import { FIXTURE_BUNDLES, SHARED_MANIFESTS } from "./shared-bundles.js";

const broken = path.join(FIXTURE_BUNDLES, "broken/2.5.0");

function tempBundle(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "kfp-bundle-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

describe("loadBundle reports every broken document, naming file and document", () => {
  it("collects all problems of all files in one ConfigError", async () => {
    await expect(loadBundle(broken)).rejects.toMatchObject({
      code: "BUNDLE_INVALID",
      exitCode: 3,
      message: `Release bundle ${broken} does not load: 3 problems`,
      details: [
        `${broken}/missing-kind.yaml document 1 at line 1 (name ml-pipeline): kind: Invalid input: expected string, received undefined`,
        `${broken}/no-selector.yaml document 2 at line 9 (deployment/ml-pipeline-ui -n kubeflow): spec.selector: a Deployment needs selector.matchLabels or matchExpressions`,
        `${broken}/truncated.yaml document 2 at line 15: YAML error: unexpected end of the stream within a double quoted scalar`,
      ],
    });
  });

  const singles = [
    {
      name: "a document without metadata.name names its kind",
      text: "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n",
      detail:
        "document 1 at line 1 (a ConfigMap without a name): metadata.name: Invalid input: expected string, received undefined",
    },
    {
      name: "a scalar document",
      text: "---\njust text\n",
      detail: "document 1 at line 1: (root): Invalid input: expected object, received string",
    },
    {
      name: "a broken item of a List",
      text: "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Secret\n    metadata: {name: s}\n  - kind: Service\n    metadata: {name: svc}\n",
      detail:
        "document 1 at line 1 item 2 (service/svc): apiVersion: Invalid input: expected string, received undefined",
    },
    {
      name: "a Deployment with an empty selector",
      text: "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {}}\n",
      detail:
        "document 1 at line 1 (deployment/d): spec.selector: a Deployment needs selector.matchLabels or matchExpressions",
    },
    {
      name: "bad indentation",
      text: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n   namespace: b\n",
      detail: "document 1 at line 5: YAML error: bad indentation of a mapping entry",
    },
  ];
  it.each(singles)("$name", async ({ text, detail }) => {
    const dir = tempBundle({ "app.yaml": text });
    await expect(loadBundle(dir)).rejects.toMatchObject({
      details: [`${path.join(dir, "app.yaml")} ${detail}`],
    });
  });

  it("reports a file it cannot read", async () => {
    const dir = tempBundle({ "good.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: kubeflow}\n" });
    symlinkSync(path.join(dir, "missing-target"), path.join(dir, "gone.yaml"));
    await expect(loadBundle(dir)).rejects.toMatchObject({
      code: "BUNDLE_INVALID",
      details: [`${path.join(dir, "gone.yaml")}: cannot read it (ENOENT)`],
    });
  });

  const dirs = [
    {
      name: "a missing directory",
      dir: path.join(FIXTURE_BUNDLES, "no-such-bundle"),
      code: "BUNDLE_UNREADABLE",
    },
    {
      name: "a directory with no YAML",
      dir: path.join(FIXTURE_BUNDLES, "mixed/not-a-version"),
      code: "BUNDLE_EMPTY",
    },
  ];
  it.each(dirs)("refuses $name", async ({ dir, code }) => {
    await expect(loadBundle(dir)).rejects.toMatchObject({ code, exitCode: 3 });
  });
});

describe("loadBundle reads odd but valid bundles", () => {
  it("one dev.yaml with a List, empty and comment-only documents, flow style and an end marker", async () => {
    const bundle = await loadBundle(path.join(FIXTURE_BUNDLES, "mixed/3.0.0"));
    expect(bundle.files).toEqual(["dev.yaml"]);
    expect(bundle.objects.map((object) => `${object.kind}/${object.metadata.name}`)).toEqual([
      "PersistentVolumeClaim/mysql-pv-claim",
      "PersistentVolumeClaim/seaweedfs-pvc",
      "ConfigMap/pipeline-install-config",
      "Deployment/ml-pipeline",
      "Deployment/mysql",
      "Deployment/seaweedfs",
    ]);
  });

  it("reads the shared 2.17.0 bundle, 883 KB of CRDs included", async () => {
    const bundle = await loadBundle(path.join(SHARED_MANIFESTS, "2.17.0"));
    expect(bundle.files).toEqual(["cluster-scoped.yaml", "platform-agnostic.yaml"]);
    expect(bundle.objects).toHaveLength(16 + 72);
  });
});

describe("loadBundle variants: <name>-minio.yaml stands in for <name>.yaml, never both", () => {
  const cases = [
    {
      name: "default skips the -minio file",
      variant: "default",
      files: ["cluster-scoped.yaml", "platform-agnostic.yaml"],
      objects: 15 + 71,
      has: "Deployment/seaweedfs",
      lacks: "Deployment/minio",
    },
    {
      name: "minio reads it in place of platform-agnostic.yaml",
      variant: "minio",
      files: ["cluster-scoped.yaml", "platform-agnostic-minio.yaml"],
      objects: 15 + 68,
      has: "Deployment/minio",
      lacks: "Deployment/seaweedfs",
    },
  ] as const;
  it.each(cases)("2.15.0: $name", async ({ variant, files, objects, has, lacks }) => {
    const bundle = await loadBundle(path.join(SHARED_MANIFESTS, "2.15.0"), { variant });
    const names = bundle.objects.map((object) => `${object.kind}/${object.metadata.name}`);
    expect(bundle).toMatchObject({ files, hasMinioVariant: true });
    expect(bundle.objects).toHaveLength(objects);
    expect(names).toContain(has);
    expect(names).not.toContain(lacks);
  });

  it("a -minio file with no base file is an ordinary file", async () => {
    const dir = tempBundle({
      "extra-minio.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: kubeflow}\n",
    });
    await expect(loadBundle(dir)).resolves.toMatchObject({
      files: ["extra-minio.yaml"],
      hasMinioVariant: false,
    });
  });
});

describe("loadBundle with a parsed-YAML cache", () => {
  it("loads the same objects from the cache as from the YAML, and parses a changed file again", async () => {
    const cache = mkdtempSync(path.join(tmpdir(), "kfp-parsed-"));
    onTestFinished(() => rmSync(cache, { recursive: true, force: true }));
    const dir = path.join(SHARED_MANIFESTS, "2.14.4");
    const parsed = await loadBundle(dir);
    const first = await loadBundle(dir, { parsedYamlCache: cache });
    expect(readdirSync(cache).length).toBeGreaterThan(0);
    const second = await loadBundle(dir, { parsedYamlCache: cache });
    expect(first.objects).toEqual(parsed.objects);
    expect(second.objects).toEqual(parsed.objects);

    const edited = tempBundle({ "a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: one\n" });
    expect((await loadBundle(edited, { parsedYamlCache: cache })).objects[0]?.metadata.name).toBe("one");
    writeFileSync(path.join(edited, "a.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: two\n");
    expect((await loadBundle(edited, { parsedYamlCache: cache })).objects[0]?.metadata.name).toBe("two");
  });

  it("never caches a file with a YAML error: the error is reported on every load", async () => {
    const cache = mkdtempSync(path.join(tmpdir(), "kfp-parsed-"));
    onTestFinished(() => rmSync(cache, { recursive: true, force: true }));
    for (let run = 0; run < 2; run += 1) {
      await expect(loadBundle(broken, { parsedYamlCache: cache })).rejects.toMatchObject({
        code: "BUNDLE_INVALID",
      });
    }
    const entries = readdirSync(cache);
    expect(entries.length).toBe(2); // the two files that parse; truncated.yaml is never stored
  });
});

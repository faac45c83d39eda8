import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import yaml from "js-yaml";
import { SHARED_MANIFESTS } from "./run-cli.js";

interface Doc {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  data?: Record<string, string>;
  spec?: {
    template?: { spec?: { containers?: { name: string; image?: string; env?: unknown[] }[] } };
  };
  [key: string]: unknown;
}

/** KFP's own images are tagged with the release; kustomize's `images:` sets that tag, as upstream's base does. */
const PLACEHOLDER_TAG = "set-by-kustomize";
const KFP_IMAGE = /^(ghcr\.io\/kubeflow\/kfp-[a-z-]+|gcr\.io\/ml-pipeline\/[a-z-]+)$/;

const load = (file: string): Doc[] =>
  (yaml.loadAll(readFileSync(file, "utf8")) as (Doc | null)[]).filter((doc): doc is Doc => doc !== null);
const dump = (docs: readonly unknown[]): string =>
  docs.map((doc) => yaml.dump(doc, { noRefs: true, lineWidth: -1 })).join("---\n");
const write = (file: string, text: string) => {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
};

export interface TreeOptions {
  /**
   * The shared bundle whose objects the tree reproduces; default `version`. With another version (a release newer
   * than the shared bundles, such as 2.18.0 from 2.17.0) the KFP images and appVersion carry `version`.
   */
  from?: string;
  /** Changes the KFP image tag the base sets (a tampered archive claims one version and carries another). */
  imageTag?: string;
}

/**
 * Writes `<root>/manifests/kustomize/` laid out like kubeflow/pipelines' tree at `version`, whose kustomizations
 * reproduce the shared bundle's objects: `cluster-scoped-resources` (a base of CRDs plus its own Namespace etc.),
 * `base/` (every namespaced object with KFP images at a placeholder tag that an `images:` transformer sets, the
 * `pipeline-install-config` ConfigMap from a configMapGenerator, and the API server's env removed) and the overlay
 * `env/platform-agnostic` (the base plus a strategic-merge patch that puts the env back). Also a few files outside
 * `manifests/kustomize`, which extraction must skip. Returns the KFP image names the `images:` list sets.
 */
export function writeReleaseTree(root: string, version: string, options: TreeOptions = {}): string[] {
  const fromVersion = options.from ?? version;
  const from = path.join(SHARED_MANIFESTS, fromVersion);
  const k = (relative: string) => path.join(root, "manifests/kustomize", relative);
  write(path.join(root, "README.md"), `Kubeflow Pipelines ${version} (test tree)\n`);
  write(path.join(root, "backend/src/apiserver/main.go"), "package main\n");

  const cluster = load(path.join(from, "cluster-scoped.yaml"));
  const crds = cluster.filter((doc) => doc.kind === "CustomResourceDefinition");
  write(k("third-party/crds/crds.yaml"), dump(crds));
  write(k("third-party/crds/kustomization.yaml"), dump([{ resources: ["crds.yaml"] }]));
  write(
    k("cluster-scoped-resources/resources.yaml"),
    dump(cluster.filter((doc) => doc.kind !== "CustomResourceDefinition")),
  );
  write(
    k("cluster-scoped-resources/kustomization.yaml"),
    dump([
      {
        apiVersion: "kustomize.config.k8s.io/v1beta1",
        kind: "Kustomization",
        resources: ["resources.yaml", "../third-party/crds"],
      },
    ]),
  );

  const namespaced = load(path.join(from, "platform-agnostic.yaml"));
  const installConfig = namespaced.find(
    (doc) => doc.kind === "ConfigMap" && doc.metadata?.name === "pipeline-install-config",
  );
  if (!installConfig?.data || !installConfig.metadata)
    throw new Error(`${from} has no pipeline-install-config`);
  const images = new Set<string>();
  let apiEnv: unknown[] | undefined;
  const base = namespaced
    .filter((doc) => doc !== installConfig)
    .map((original) => {
      const doc = structuredClone(original);
      for (const container of doc.spec?.template?.spec?.containers ?? []) {
        const [name, tag] = (container.image ?? "").split(":");
        if (name && KFP_IMAGE.test(name) && tag === fromVersion) {
          images.add(name);
          container.image = `${name}:${PLACEHOLDER_TAG}`;
        }
        if (doc.kind === "Deployment" && doc.metadata?.name === "ml-pipeline" && container.env) {
          apiEnv = container.env;
          delete container.env;
        }
      }
      return doc;
    });
  if (!apiEnv) throw new Error(`${from}: the ml-pipeline Deployment has no env to patch back`);
  write(k("base/pipeline/resources.yaml"), dump(base));
  const configFiles = Object.keys(installConfig.data).sort();
  for (const key of configFiles) {
    const value = installConfig.data[key] ?? "";
    // A release made from another's bundle (`from`) names itself, as upstream's appVersion does.
    write(k(`base/pipeline/config/${key}`), key === "appVersion" && value === fromVersion ? version : value);
  }
  write(
    k("base/kustomization.yaml"),
    dump([
      {
        apiVersion: "kustomize.config.k8s.io/v1beta1",
        kind: "Kustomization",
        resources: ["pipeline/resources.yaml"],
        generatorOptions: { disableNameSuffixHash: true },
        configMapGenerator: [
          {
            name: "pipeline-install-config",
            namespace: installConfig.metadata.namespace,
            files: configFiles.map((key) => `${key}=pipeline/config/${key}`),
            options: { labels: installConfig.metadata.labels ?? {} },
          },
        ],
        images: [...images].sort().map((name) => ({ name, newTag: options.imageTag ?? version })),
      },
    ]),
  );
  const apiServer = namespaced.find(
    (doc) => doc.kind === "Deployment" && doc.metadata?.name === "ml-pipeline",
  );
  write(
    k("env/platform-agnostic/api-server-env.yaml"),
    dump([
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "ml-pipeline", namespace: apiServer?.metadata?.namespace },
        spec: { template: { spec: { containers: [{ name: "ml-pipeline-api-server", env: apiEnv }] } } },
      },
    ]),
  );
  write(
    k("env/platform-agnostic/kustomization.yaml"),
    dump([
      {
        apiVersion: "kustomize.config.k8s.io/v1beta1",
        kind: "Kustomization",
        resources: ["../../base"],
        patches: [{ path: "api-server-env.yaml" }],
      },
    ]),
  );
  return [...images].sort();
}

/**
 * The tree as GitHub serves it: `git archive --format=tar.gz --prefix=pipelines-<version>/ <tag>` of a repository
 * holding it (GitHub builds its tag archives with git archive, including the pax header with the commit id).
 */
export async function buildReleaseArchive(version: string, options: TreeOptions = {}): Promise<Buffer> {
  const repo = mkdtempSync(path.join(tmpdir(), "kfp-release-tree-"));
  try {
    writeReleaseTree(repo, version, options);
    const git = (args: string[]) =>
      execa("git", ["-c", "user.name=test", "-c", "user.email=test@example.invalid", ...args], {
        cwd: repo,
        env: { GIT_AUTHOR_DATE: "2025-01-01T00:00:00Z", GIT_COMMITTER_DATE: "2025-01-01T00:00:00Z" },
        encoding: "buffer",
      });
    await git(["init", "-q"]);
    await git(["add", "-A"]);
    await git(["commit", "-q", "-m", `release ${version}`]);
    await git(["tag", version]);
    const archive = await git(["archive", "--format=tar.gz", `--prefix=pipelines-${version}/`, version]);
    return Buffer.from(archive.stdout);
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
}

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import yaml from "js-yaml";
import { onTestFinished } from "vitest";
import type { KubeObject } from "../../src/model/kube-object.js";
import { bundleNamespace, retargetNamespace } from "../../src/plan/retarget-namespace.js";
import { loadBundle } from "../../src/release/load-bundle.js";
import type { Defer } from "./derived-manifests.js";
import { eventually, kubectl } from "./e2e-cluster.js";
import { type Binding, boundVolume, unavailableDeployments } from "./kfp-install.js";
import { SHARED_MANIFESTS } from "./run-cli.js";

// KFP installed the way other tools install it, so that tests can upgrade such installs with kfp-upgrade: the real
// rendered bundle, moved into the test's namespace as kfp-upgrade moves it (KFP's docs install into `kubeflow`, which
// every test would share), then `kubectl apply` client-side or server-side. test/support/helm-chart.ts does Helm.

export interface BundleOptions {
  /** Manifests directory (`<version>/*.yaml`); default the shared bundles. */
  manifests?: string;
  /** Added to every object's labels, e.g. the `argocd.argoproj.io/instance` label Argo CD tracks objects by. */
  labels?: Record<string, string>;
  /** Leave the Namespace object out (Helm charts do not carry the namespace they install into). */
  withoutNamespace?: boolean;
}

/** Every object of bundle `version` in file order (the install docs' order), in `namespace`. */
export async function retargetedBundle(
  version: string,
  namespace: string,
  options: BundleOptions = {},
): Promise<KubeObject[]> {
  const { objects } = await loadBundle(path.join(options.manifests ?? SHARED_MANIFESTS, version));
  return retargetNamespace(objects, bundleNamespace(objects), namespace)
    .filter((object) => !(options.withoutNamespace && object.kind === "Namespace"))
    .map((object) =>
      options.labels
        ? {
            ...object,
            metadata: { ...object.metadata, labels: { ...object.metadata.labels, ...options.labels } },
          }
        : object,
    );
}

/** The objects as one multi-document YAML file, as `kubectl kustomize` prints them. */
export function toYaml(objects: KubeObject[]): string {
  return objects.map((object) => yaml.dump(object, { lineWidth: -1, noRefs: true })).join("---\n");
}

export type KubectlApplyMode = "client-side" | "server-side";

/**
 * `kubectl apply -f <bundle>` (client-side: the `kubectl-client-side-apply` field manager and the
 * last-applied-configuration annotation) or `kubectl apply --server-side -f <bundle>` (field manager `kubectl`)
 * of KFP `version` into `namespace`, with the cluster's kubectl. The namespace is created by the apply.
 */
export async function kubectlInstall(
  version: string,
  namespace: string,
  mode: KubectlApplyMode,
  options: BundleOptions = {},
): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), "kfp-kubectl-install-"));
  try {
    const file = path.join(dir, `kfp-${version}.yaml`);
    await writeFile(file, toYaml(await retargetedBundle(version, namespace, options)));
    await kubectl(["apply", ...(mode === "server-side" ? ["--server-side"] : []), "-f", file]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The install's data claims once Bound, and its Deployments rolled out. */
export async function waitForInstall(namespace: string): Promise<{ mysql: Binding; minio: Binding }> {
  const mysql = await boundVolume(namespace, "mysql-pv-claim");
  const minio = await boundVolume(namespace, "minio-pvc");
  await eventually(
    `every Deployment in ${namespace} rolled out`,
    async () => ((await unavailableDeployments(namespace)).length === 0 ? true : undefined),
    { timeoutSeconds: 150, intervalMs: 500 },
  );
  return { mysql, minio };
}

/** A temporary directory, removed through `defer`. */
export async function tempDir(prefix: string, defer: Defer = onTestFinished): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), `${prefix}-`));
  defer(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

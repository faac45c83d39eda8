import { execFile } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { cachedBinaries } from "../../local-cluster/build-binaries.js";
import { e2eCluster, kubectl } from "./e2e-cluster.js";
import { type BundleOptions, retargetedBundle, tempDir, toYaml } from "./other-installers.js";

// KFP installed with Helm 4 (built by local-cluster from helm.sh/helm/v4) from a chart whose one template is the
// rendered bundle: `.Files.Get` includes the file as it is, so the `{{` in KFP's ConfigMaps is not template code.

/** The helm binary built by `tsx local-cluster/cli.ts build`. */
export async function helmPath(): Promise<string> {
  const { helm } = await cachedBinaries();
  return path.join(helm.dir, "helm");
}

/** `helm <args>` against the shared cluster, with Helm's config, cache and data in `home`; resolves stdout. */
export async function helm(args: readonly string[], home: string): Promise<string> {
  const binary = await helmPath();
  return new Promise((resolve, reject) => {
    execFile(
      binary,
      [...args, `--kubeconfig=${e2eCluster().kubeconfigPath}`],
      {
        env: {
          PATH: process.env.PATH ?? "",
          HOME: home,
          HELM_CACHE_HOME: path.join(home, "cache"),
          HELM_CONFIG_HOME: path.join(home, "config"),
          HELM_DATA_HOME: path.join(home, "data"),
        },
        maxBuffer: 64 * 1024 * 1024,
        timeout: 150_000,
      },
      (error, stdout, stderr) => {
        if (error)
          reject(new Error(`helm ${args.join(" ")}: ${stderr.trim() || error.message}`, { cause: error }));
        else resolve(stdout);
      },
    );
  });
}

/** A chart `kubeflow-pipelines` of KFP `version` in `<dir>/chart`: Chart.yaml and one template including the bundle. */
export async function writeBundleChart(
  dir: string,
  version: string,
  namespace: string,
  options: BundleOptions = {},
): Promise<string> {
  const chart = path.join(dir, "chart");
  await mkdir(path.join(chart, "templates"), { recursive: true });
  await mkdir(path.join(chart, "files"), { recursive: true });
  await writeFile(
    path.join(chart, "Chart.yaml"),
    [
      "apiVersion: v2",
      "name: kubeflow-pipelines",
      "description: Kubeflow Pipelines, the rendered standalone manifests",
      "type: application",
      `version: ${version}`,
      `appVersion: "${version}"`,
      "",
    ].join("\n"),
  );
  const objects = await retargetedBundle(version, namespace, { ...options, withoutNamespace: true });
  await writeFile(path.join(chart, "files", "kfp.yaml"), toYaml(objects));
  await writeFile(path.join(chart, "templates", "kfp.yaml"), '{{ .Files.Get "files/kfp.yaml" }}\n');
  return chart;
}

export interface HelmRelease {
  name: string;
  namespace: string;
  status: string;
  chart: string;
}

/**
 * `helm install <release>` of a bundle chart of KFP `version` into the new `namespace`. Returns Helm's
 * home directory for later `helm` calls; removed when the test finishes.
 */
export async function helmInstall(
  release: string,
  version: string,
  namespace: string,
  options: BundleOptions = {},
): Promise<string> {
  const home = await tempDir("kfp-helm");
  const chart = await writeBundleChart(home, version, namespace, options);
  // Not `--create-namespace`: Helm labels a namespace it creates, which a fresh kfp-upgrade install's has not.
  await kubectl(["create", "namespace", namespace]);
  await helm(["install", release, chart, "--namespace", namespace], home);
  return home;
}

/** `helm list -n <namespace>`: the releases Helm knows there. */
export async function helmList(namespace: string, home: string): Promise<HelmRelease[]> {
  return JSON.parse(
    await helm(["list", "--namespace", namespace, "--output", "json"], home),
  ) as HelmRelease[];
}

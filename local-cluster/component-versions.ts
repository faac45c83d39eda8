import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";

/** The Go wrapper modules live beside this file; their go.mod `require` lines are the single source of versions. */
export const CLUSTER_SOURCE_DIR = import.meta.dirname;

export type ComponentName = "kubernetes" | "etcd" | "kwok" | "kfp-api-server" | "helm";

export interface Component {
  name: ComponentName;
  /** Directory of the wrapper Go module. */
  moduleDir: string;
  /** The module whose `require` version names the cache entry. */
  mainModule: string;
  /** Binaries produced into the cache entry. */
  binaries: string[];
}

export const COMPONENTS: readonly Component[] = [
  {
    name: "kubernetes",
    moduleDir: join(CLUSTER_SOURCE_DIR, "k8s"),
    mainModule: "k8s.io/kubernetes",
    binaries: ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl"],
  },
  {
    name: "etcd",
    moduleDir: join(CLUSTER_SOURCE_DIR, "etcd"),
    mainModule: "go.etcd.io/etcd/server/v3",
    binaries: ["etcd"],
  },
  {
    name: "kwok",
    moduleDir: join(CLUSTER_SOURCE_DIR, "kwok"),
    mainModule: "sigs.k8s.io/kwok",
    binaries: ["kwok"],
  },
  {
    // KFP's API server at 2.0.5, the one backend release whose module builds whole from the module proxy; the
    // real-servers harness (real-kfp-servers.ts) runs it beside the simulated ml-pipeline pods.
    name: "kfp-api-server",
    moduleDir: join(CLUSTER_SOURCE_DIR, "kfp-api-server"),
    mainModule: "github.com/kubeflow/pipelines",
    binaries: ["apiserver"],
  },
  {
    // Not part of the control plane: the e2e tests install KFP with Helm as users do, to test adopting such installs.
    name: "helm",
    moduleDir: join(CLUSTER_SOURCE_DIR, "helm"),
    mainModule: "helm.sh/helm/v4",
    binaries: ["helm"],
  },
];

/** Root of everything cached outside the repo: built binaries, the dev cluster pointer. */
export function cacheRoot(): string {
  return process.env.KFP_UPGRADE_CACHE ?? join(homedir(), ".cache", "kfp-upgrade");
}

/** Reads the version a wrapper go.mod requires for `component.mainModule`. */
export async function componentVersion(component: Component): Promise<string> {
  const goMod = await readFile(join(component.moduleDir, "go.mod"), "utf8");
  const escaped = component.mainModule.replaceAll(".", "\\.");
  const match = new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\S+)`, "m").exec(goMod);
  if (match?.[1] === undefined) {
    throw new Error(`${component.moduleDir}/go.mod: no require line for ${component.mainModule}`);
  }
  return match[1];
}

/** `${cache}/bin/<component>-<version>/`: one directory per component version. */
export function binaryCacheDir(component: Component, version: string): string {
  return join(cacheRoot(), "bin", `${component.name}-${version}`);
}

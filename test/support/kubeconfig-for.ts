import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import yaml from "js-yaml";
import { e2eCluster, kubectl } from "./e2e-cluster.js";

interface Kubeconfig {
  clusters: { name: string; cluster: Record<string, unknown> }[];
  users: { name: string; user: Record<string, unknown> }[];
  contexts: { name: string; context: { cluster: string; user: string; namespace?: string } }[];
  "current-context": string;
}

function sharedKubeconfig(): Kubeconfig {
  return yaml.load(readFileSync(e2eCluster().kubeconfigPath, "utf8")) as Kubeconfig;
}

/**
 * A kubeconfig in `dir` for ServiceAccount `namespace/name` of the shared cluster, with a token from `kubectl
 * create token`; the context keeps the shared kubeconfig's name, so only the user differs.
 */
export async function serviceAccountKubeconfig(
  dir: string,
  namespace: string,
  name: string,
): Promise<string> {
  const shared = sharedKubeconfig();
  const token = (await kubectl(["create", "token", name, "-n", namespace, "--duration=2h"])).trim();
  const context = shared.contexts.find((c) => c.name === shared["current-context"]);
  const cluster = shared.clusters.find((c) => c.name === context?.context.cluster);
  if (!context || !cluster) throw new Error("the shared kubeconfig has no current context");
  const file = path.join(dir, `kubeconfig-${name}`);
  const config: Kubeconfig = {
    clusters: [cluster],
    users: [{ name, user: { token } }],
    contexts: [{ name: context.name, context: { cluster: cluster.name, user: name } }],
    "current-context": context.name,
  };
  writeFileSync(file, yaml.dump({ apiVersion: "v1", kind: "Config", ...config }));
  return file;
}

/** The shared kubeconfig with every context renamed to each of `names` (same cluster and user), `current` current. */
export function kubeconfigWithContexts(dir: string, names: string[], current: string): string {
  const shared = sharedKubeconfig();
  const context = shared.contexts.find((c) => c.name === shared["current-context"]);
  if (!context) throw new Error("the shared kubeconfig has no current context");
  const file = path.join(dir, `kubeconfig-${names.join("-")}`);
  const config: Kubeconfig = {
    ...shared,
    contexts: names.map((name) => ({ name, context: context.context })),
    "current-context": current,
  };
  writeFileSync(file, yaml.dump({ apiVersion: "v1", kind: "Config", ...config }));
  return file;
}

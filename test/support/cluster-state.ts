import { kubectlJson } from "./e2e-cluster.js";

interface Item {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    resourceVersion: string;
    uid: string;
    deletionTimestamp?: string;
  };
}

const NAMESPACED =
  "deployments,services,configmaps,secrets,serviceaccounts,roles,rolebindings,persistentvolumeclaims,networkpolicies,leases";
const CLUSTER = "persistentvolumes,customresourcedefinitions,clusterroles,clusterrolebindings,namespaces";

/**
 * Every object a run could touch, as `kind/namespace/name -> resourceVersion`: compare two of these to prove that
 * a refused or dry run changed nothing.
 */
export async function clusterState(
  namespaces: readonly string[],
  kubeconfigPath?: string,
): Promise<Map<string, string>> {
  const options = kubeconfigPath ? { kubeconfigPath } : {};
  const lists = await Promise.all([
    kubectlJson<{ items: Item[] }>(["get", CLUSTER], options),
    ...namespaces.map((namespace) =>
      kubectlJson<{ items: Item[] }>(
        ["get", NAMESPACED, "-n", namespace, "--ignore-not-found"],
        options,
      ).catch(() => ({ items: [] as Item[] })),
    ),
  ]);
  const state = new Map<string, string>();
  for (const list of lists) {
    for (const item of list.items) {
      // Other tests' namespaces come and go while this one runs; only the namespaces under test count.
      if (item.kind === "Namespace" && !namespaces.includes(item.metadata.name)) continue;
      // An earlier test's PV on its way out (its claim's namespace still terminating) changes on its own schedule.
      if (item.metadata.deletionTimestamp) continue;
      state.set(
        `${item.kind}/${item.metadata.namespace ?? ""}/${item.metadata.name}`,
        item.metadata.resourceVersion,
      );
    }
  }
  return state;
}

/** Keys whose resourceVersion differs, appeared or disappeared between two states. */
export function changedObjects(before: Map<string, string>, after: Map<string, string>): string[] {
  const changed: string[] = [];
  for (const [key, version] of before) if (after.get(key) !== version) changed.push(key);
  for (const key of after.keys()) if (!before.has(key)) changed.push(key);
  return changed.sort();
}

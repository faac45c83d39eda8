import { KubeApiError } from "../errors.js";
import type { KubeClient } from "../kube/kube-client.js";
import type { ObjectRef } from "../model/kube-object.js";

export const HISTORY_CONFIGMAP = "kfp-upgrade-history";
const MAX_ENTRIES = 200;

/**
 * Appends a run to the `kfp-upgrade-history` ConfigMap in the namespace, so the history survives the loss of the
 * KFAPP directory. Optimistic concurrency: a conflicting writer makes us re-read and append again.
 */
export async function recordHistoryInCluster(
  client: KubeClient,
  namespace: string,
  entry: unknown,
): Promise<void> {
  const ref: ObjectRef = { apiVersion: "v1", kind: "ConfigMap", name: HISTORY_CONFIGMAP, namespace };
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const existing = await client.get(ref);
    const lines = ((existing?.data as { "history.jsonl"?: string } | undefined)?.["history.jsonl"] ?? "")
      .split("\n")
      .filter(Boolean);
    const data = { "history.jsonl": `${[...lines, JSON.stringify(entry)].slice(-MAX_ENTRIES).join("\n")}\n` };
    try {
      if (existing) await client.replace({ ...existing, data });
      else {
        await client.create({
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: {
            name: HISTORY_CONFIGMAP,
            namespace,
            labels: { "app.kubernetes.io/managed-by": "kfp-upgrade" },
          },
          data,
        });
      }
      return;
    } catch (error) {
      if (!(error instanceof KubeApiError && error.statusCode === 409)) throw error;
    }
  }
}

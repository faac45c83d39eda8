import { z } from "zod";
import type { KubeClient } from "../kube/kube-client.js";
import type { ClusterSnapshot } from "../model/cluster-snapshot.js";

export const ARGO_API = "argoproj.io/v1alpha1";

const workflowSchema = z.object({
  metadata: z.object({ name: z.string(), namespace: z.string().optional() }),
  status: z.object({ phase: z.string().optional() }).optional(),
});

/** Argo's phases of a Workflow that has not finished (`Pending`, `Running`; none yet when just created). */
const UNFINISHED = new Set(["", "Pending", "Running"]);

/**
 * The install's Argo Workflows that have not finished (`namespace/name`), read-only; none when the cluster serves no
 * Workflow API. A hop into a release whose guide asks for a drain (2.18) must wait for them.
 */
export async function readRunningWorkflows(
  client: KubeClient,
  snapshot: ClusterSnapshot,
  namespace: string,
): Promise<string[]> {
  if (!snapshot.servedApiVersions.includes(ARGO_API)) return [];
  const items = await client.list(ARGO_API, "Workflow", { namespace });
  return items
    .flatMap((item) => {
      const parsed = workflowSchema.safeParse(item);
      if (!parsed.success || !UNFINISHED.has(parsed.data.status?.phase ?? "")) return [];
      return [`${parsed.data.metadata.namespace ?? namespace}/${parsed.data.metadata.name}`];
    })
    .sort();
}

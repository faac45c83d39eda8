import type { KubeClient } from "../kube/kube-client.js";
import { type DeploymentProgress, deploymentProgress } from "./readiness/apps-v1-deployment-progress.js";

/**
 * Reads what `kubectl describe` would show for Deployments `names` of `namespace` (their ReplicaSets, pods and the
 * pods' `Unhealthy` events: four lists, whatever the number of Deployments) and returns each one's progress, in
 * the order of `names`. A Deployment that does not exist is left out.
 */
export async function readDeploymentProgress(
  client: KubeClient,
  namespace: string,
  names: readonly string[],
): Promise<DeploymentProgress[]> {
  const [deployments, replicaSets, pods, events] = await Promise.all([
    client.list("apps/v1", "Deployment", { namespace }),
    client.list("apps/v1", "ReplicaSet", { namespace }),
    // A Deployment's pods never succeed or fail for good; KFP's finished run pods, often thousands, are left out.
    client.list("v1", "Pod", { namespace, fieldSelector: "status.phase!=Succeeded,status.phase!=Failed" }),
    client.list("v1", "Event", { namespace, fieldSelector: "involvedObject.kind=Pod,reason=Unhealthy" }),
  ]);
  const byName = new Map(deployments.map((deployment) => [deployment.metadata.name, deployment]));
  return names.flatMap((name) => {
    const deployment = byName.get(name);
    return deployment ? [deploymentProgress(deployment, replicaSets, pods, events)] : [];
  });
}

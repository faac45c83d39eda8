import type { ClusterSnapshot } from "../model/cluster-snapshot.js";
import type { ReleaseInfo } from "../release/release-info.js";
import type { StepDraft } from "./step-list.js";

/**
 * The `images` strategy: point each KFP-built Deployment at the target release's image, with the registry and
 * component names of that release (the 2.4.0 move to ghcr.io/kubeflow/kfp-*). What `upgrade_kfp.sh` amounted to,
 * and the only way to move a ksonnet-era 0.1.x install, whose manifests no current cluster accepts.
 */
export function imageSteps(input: {
  snapshot: ClusterSnapshot;
  namespace: string;
  release: ReleaseInfo;
  /** Images already set by an earlier hop of the same plan, by `deployment/container`. */
  current: Map<string, string>;
}): { steps: StepDraft[]; deployments: string[]; skipped: string[] } {
  const steps: StepDraft[] = [];
  const deployments: string[] = [];
  const skipped: string[] = [];
  for (const component of input.release.components.filter((c) => c.versioned)) {
    const deployment = input.snapshot.deployments.find(
      (d) => d.namespace === input.namespace && d.name === component.deployment,
    );
    if (!deployment) {
      skipped.push(component.deployment);
      continue;
    }
    const container =
      deployment.containers.find((c) => c.name === component.container) ??
      (deployment.containers.length === 1 ? deployment.containers[0] : undefined);
    if (!container) {
      skipped.push(`${component.deployment} (no container ${component.container})`);
      continue;
    }
    const key = `${deployment.name}/${container.name}`;
    const from = input.current.get(key) ?? container.image;
    const to = `${component.image}:${input.release.version}`;
    input.current.set(key, to);
    if (from === to) continue;
    steps.push({
      kind: "setImages",
      namespace: input.namespace,
      deployment: deployment.name,
      containers: [{ name: container.name, from, to }],
    });
    deployments.push(deployment.name);
  }
  return { steps, deployments, skipped };
}

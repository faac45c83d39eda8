import type { TestProject } from "vitest/node";
import {
  attachCluster,
  deadProcessLogs,
  killClusterNow,
  type LocalCluster,
  startCluster,
} from "../../local-cluster/local-cluster.js";
import { devClusterStateDir, newClusterStateDir } from "../../local-cluster/state-dirs.js";
import type { E2eClusterInfo } from "../support/e2e-cluster.js";

const log = (line: string) => process.stderr.write(`[e2e cluster] ${line}\n`);

/**
 * Starts one real control plane for the whole e2e run (binaries must be built: `tsx local-cluster/cli.ts build`)
 * and provides its kubeconfig to the tests. KFP_UPGRADE_E2E_USE_DEV_CLUSTER=1 reuses the running
 * `npm run cluster:up` cluster instead and leaves it running (faster local iteration).
 */
export async function setup(project: TestProject): Promise<() => Promise<void>> {
  let cluster: LocalCluster;
  let owned = true;
  if (process.env.KFP_UPGRADE_E2E_USE_DEV_CLUSTER === "1") {
    const dev = await attachCluster(devClusterStateDir());
    if (!dev) throw new Error(`KFP_UPGRADE_E2E_USE_DEV_CLUSTER=1 but no cluster in ${devClusterStateDir()}`);
    cluster = dev;
    owned = false;
    log(`using the dev cluster ${cluster.kubeconfigPath}`);
  } else {
    const stateDir = await newClusterStateDir("run");
    // If the runner dies without teardown, do not leave a control plane behind.
    process.once("exit", () => killClusterNow(stateDir));
    cluster = await startCluster({ stateDir, log });
    log(
      `Kubernetes ${cluster.kubernetesVersion} up in ${cluster.startSeconds}s; kubeconfig ${cluster.kubeconfigPath}`,
    );
  }
  const info: E2eClusterInfo = {
    kubeconfigPath: cluster.kubeconfigPath,
    stateDir: cluster.stateDir,
    apiServerUrl: cluster.apiServerUrl,
    hostPathRoot: cluster.hostPathRoot,
    provisionedRoot: cluster.provisionedRoot,
    kubernetesVersion: cluster.kubernetesVersion,
    kubectlPath: cluster.kubectlPath,
  };
  project.provide("e2eCluster", info);
  return async () => {
    if (!owned) return;
    const { processes, dead, tails } = await deadProcessLogs(cluster, 60);
    const memory = processes
      .map((p) => `${p.name} ${p.rssKiB === undefined ? "-" : Math.round(p.rssKiB / 1024)} MiB`)
      .join(", ");
    log(`RSS at teardown: ${memory}`);
    if (dead.length > 0) log(`died before teardown: ${dead.join(", ")}\n${tails}`);
    await cluster.stop();
  };
}

// The dev cluster of `npm run cluster:up` and the commands of local-cluster/cli.ts. Progress goes to stderr.
import { ensureBinaries } from "./build-binaries.js";
import {
  attachCluster,
  clusterOwnerRunning,
  isClusterUp,
  type LocalCluster,
  startCluster,
  stopClusterAt,
} from "./local-cluster.js";
import { devClusterStateDir, e2eClusterStateDirs } from "./state-dirs.js";

const progress = (line: string) => process.stderr.write(`${line}\n`);

export async function buildBinaries(): Promise<void> {
  const started = performance.now();
  const dirs = await ensureBinaries({ log: progress });
  for (const [name, entry] of Object.entries(dirs)) {
    const how = entry.built ? "built now" : `cached, built ${entry.info.builtAt}`;
    progress(`${name} ${entry.info.version}: ${entry.dir} (${how}; build took ${entry.info.buildSeconds}s)`);
  }
  progress(`binaries ready in ${((performance.now() - started) / 1000).toFixed(1)}s`);
}

/** Starts the dev cluster unless it already runs; shared by `up` and scripts/demo.ts. */
export async function up(): Promise<LocalCluster> {
  const stateDir = devClusterStateDir();
  const existing = await attachCluster(stateDir);
  if (existing && (await isClusterUp(existing))) {
    progress(`cluster already up in ${stateDir}`);
    return existing;
  }
  const started = performance.now();
  await ensureBinaries({ log: progress });
  const cluster = await startCluster({ stateDir, log: progress });
  progress(
    `cluster up in ${((performance.now() - started) / 1000).toFixed(1)}s (control plane start ${cluster.startSeconds}s), ` +
      `Kubernetes ${cluster.kubernetesVersion}, API ${cluster.apiServerUrl}`,
  );
  progress(`stop it with: npm run cluster:down`);
  return cluster;
}

export async function down(): Promise<void> {
  const stateDir = devClusterStateDir();
  const stopped = await stopClusterAt(stateDir);
  progress(stopped ? `cluster in ${stateDir} stopped and removed` : `no cluster in ${stateDir}`);
}

export async function status(): Promise<void> {
  const cluster = await attachCluster(devClusterStateDir());
  if (!cluster) {
    progress(`no cluster in ${devClusterStateDir()}`);
    process.exitCode = 1;
    return;
  }
  const up_ = await isClusterUp(cluster);
  console.log(
    `${up_ ? "up" : "DOWN"} ${cluster.kubeconfigPath} ${cluster.apiServerUrl} ${cluster.kubernetesVersion}`,
  );
  for (const p of await cluster.processes()) {
    const rss = p.rssKiB === undefined ? "-" : `${(p.rssKiB / 1024).toFixed(0)} MiB`;
    console.log(
      `${p.name.padEnd(24)} pid ${String(p.pid).padEnd(8)} ${p.running ? "running" : "gone"}  rss ${rss}`,
    );
  }
  if (!up_) process.exitCode = 1;
}

/**
 * Stops e2e clusters whose owner (the test runner that started them) is gone. Clusters of runs still in progress
 * (another checkout, another engineer) are left alone.
 */
export async function reap(): Promise<void> {
  for (const dir of await e2eClusterStateDirs()) {
    if (await clusterOwnerRunning(dir)) {
      progress(`leaving ${dir}: the run that started it is still going`);
      continue;
    }
    if (await stopClusterAt(dir).catch((error: unknown) => progress(`reap ${dir}: ${String(error)}`))) {
      progress(`stopped leftover cluster in ${dir}`);
    }
  }
}

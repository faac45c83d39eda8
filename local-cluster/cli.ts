// Control-plane harness CLI: `tsx local-cluster/cli.ts build|up|down|status|reap`. Progress goes to stderr; the
// kubeconfig path (the data) goes to stdout.
import { buildBinaries, down, reap, status, up } from "./dev-cluster.js";

const USAGE = `usage: tsx local-cluster/cli.ts <command>

  build    build kube-apiserver, kube-controller-manager, kube-scheduler, etcd, kwok and helm unless cached
  up       build if needed, start the dev cluster (idempotent) and print its kubeconfig path
  down     stop the dev cluster by its recorded pids and remove its state dir (idempotent)
  status   print the dev cluster's processes and their memory
  reap     stop every e2e cluster (test runs, second clusters) left behind, by recorded pids; for CI traps

Environment: KFP_UPGRADE_CACHE (binary cache, default ~/.cache/kfp-upgrade),
KFP_UPGRADE_CLUSTER_DIR (dev cluster state, default /tmp/kfp-upgrade-<uid>/cluster).`;

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (rest.length > 0) throw new Error(`unexpected arguments: ${rest.join(" ")}\n${USAGE}`);
  switch (command) {
    case "build":
      return buildBinaries();
    case "up": {
      const cluster = await up();
      console.log(cluster.kubeconfigPath);
      return;
    }
    case "down":
      return down();
    case "status":
      return status();
    case "reap":
      return reap();
    default:
      console.error(USAGE);
      process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});

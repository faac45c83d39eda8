// `npm run demo`: the main job of kfp-upgrade on a real local control plane, one numbered step at a time.
// Steps are data: append to STEPS as the deploy/upgrade/reinstall commands land.
import type { LocalCluster } from "../local-cluster/local-cluster.js";

interface DemoContext {
  cluster?: LocalCluster;
  /** The demo started this cluster in its private network namespace and stops it at the end. */
  ownCluster?: boolean;
}

/** Set by local-cluster/in-netns.sh: this process runs in a private network namespace that has only loopback. */
const IN_NETNS = process.env.KFP_UPGRADE_NETNS === "1";

interface DemoStep {
  title: string;
  run(context: DemoContext): Promise<void>;
}

interface NodeList {
  items: {
    metadata: { name: string; labels?: Record<string, string> };
    status?: { conditions?: { type: string; status: string }[] };
  }[];
}

const say = (line = "") => process.stdout.write(`${line}\n`);

function requireCluster(context: DemoContext): LocalCluster {
  if (!context.cluster) throw new Error("the cluster step has not run");
  return context.cluster;
}

const STEPS: DemoStep[] = [
  {
    title:
      "Start the local control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok)",
    async run(context) {
      if (IN_NETNS) {
        // Nothing outside this namespace can reach a cluster started in it, nor may it share the dev cluster's
        // state directory: a cluster of its own, stopped when the demo ends.
        const { startCluster } = await import("../local-cluster/local-cluster.js");
        const { newClusterStateDir } = await import("../local-cluster/state-dirs.js");
        context.cluster = await startCluster({
          stateDir: await newClusterStateDir("demo"),
          log: (line) => process.stderr.write(`${line}\n`),
        });
        context.ownCluster = true;
      } else {
        const { up } = await import("../local-cluster/dev-cluster.js");
        context.cluster = await up();
      }
      say(`kubeconfig: ${context.cluster.kubeconfigPath}`);
      say(`API server: ${context.cluster.apiServerUrl} (Kubernetes ${context.cluster.kubernetesVersion})`);
      if (context.ownCluster)
        say(
          "(in the demo's private network namespace, with the real KFP servers; it stops when the demo ends)",
        );
      else
        say(
          `try:        ${context.cluster.kubectlPath} --kubeconfig ${context.cluster.kubeconfigPath} get nodes`,
        );
    },
  },
  {
    title: "List the fake nodes kwok keeps Ready",
    async run(context) {
      const rest = await requireCluster(context).rest();
      const nodes = (await rest.expect("GET", "/api/v1/nodes")) as NodeList;
      for (const node of nodes.items) {
        const ready = node.status?.conditions?.find((c) => c.type === "Ready")?.status === "True";
        const zone = node.metadata.labels?.["topology.kubernetes.io/zone"] ?? "-";
        say(`${node.metadata.name.padEnd(16)} zone=${zone.padEnd(8)} ${ready ? "Ready" : "NotReady"}`);
      }
    },
  },
  {
    title: "Deploy, upgrade, delete and reinstall Kubeflow Pipelines on the same volumes",
    async run(context) {
      const { walkthrough } = await import("./demo-walkthrough.js");
      let part = 0;
      await walkthrough(
        requireCluster(context),
        (title) => {
          part += 1;
          say();
          say(`-- 3.${part} ${title}`);
        },
        { realServers: IN_NETNS },
      );
    },
  },
];

async function main(): Promise<void> {
  const context: DemoContext = {};
  try {
    for (const [index, step] of STEPS.entries()) {
      say();
      say(`== ${index + 1}/${STEPS.length} ${step.title}`);
      await step.run(context);
    }
  } finally {
    if (context.ownCluster) await context.cluster?.stop();
  }
  say();
  say(
    context.ownCluster
      ? "The demo's cluster stopped with it. For a cluster that keeps running: npm run cluster:up"
      : "The cluster keeps running; stop it with: npm run cluster:down",
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});

// The four ways to upgrade KFP that `npm run bench` compares, each run from the same starting state (bench-cluster.ts
// installStartingState: the same release on the same two pre-created, seeded PVs) and fed the same bench bundle:
// - kfp-upgrade: `upgrade --yes --no-backup` (preflight, data-safety phases and verification included), once from
//   its own install (`deploy`) and once from kubectl's install (which it adopts);
// - kubectl, the install docs' procedure: server-side apply of cluster-scoped.yaml, `kubectl wait` for the CRDs,
//   server-side apply of the env, `kubectl rollout status` of every Deployment;
// - kpt: `kpt live apply --server-side` with its reconcile wait, adopting the kubectl-made objects into a new
//   inventory (`--inventory-policy=adopt`);
// - Helm 4 (built by local-cluster from helm.sh/helm/v4): `helm upgrade --install --wait --take-ownership` (then
//   also with `--force-conflicts`, which its conflict message suggests) of a
//   chart whose one template is the rendered bundle, the way Helm users adopt objects another tool made.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { KubeObject } from "../src/model/kube-object.js";
import { peerBundle, toYaml } from "./bench-bundles.js";
import type { BenchCluster } from "./bench-cluster.js";
import { failureLine, type ProcessRun, runProcess } from "./processes.js";

export interface UpgradeContext {
  cluster: BenchCluster;
  namespace: string;
  manifests: string;
  from: string;
  to: string;
  /** A fresh directory for this run's files (app dir, chart, kpt package, request counts). */
  workDir: string;
  /** The helm binary; undefined when it was not built. */
  helmPath: string | undefined;
  kfpUpgradeBin: string;
}

export interface ContenderRun {
  ok: boolean;
  /** Why it failed, in the tool's words. */
  why: string | null;
  processes: ProcessRun[];
  /** kfp-upgrade only: its own count of API requests (KFP_UPGRADE_REQUEST_COUNTS). */
  requests: { total: number; byRoute: Record<string, number> } | null;
  /** kfp-upgrade only: seconds spent in its plan steps, by step kind (from its `-o json` step events). */
  stepSeconds?: Record<string, number>;
  /** kfp-upgrade only: seconds from starting it to its first step-start event (start-up, preflight, plan). */
  beforeFirstStepSeconds?: number | null;
}

/** Seconds by step kind from kfp-upgrade's `-o json` events (one JSON object per line). */
export function stepSecondsOf(stdout: string): Record<string, number> {
  const kinds = new Map<string, string>();
  const seconds: Record<string, number> = {};
  for (const line of stdout.split("\n")) {
    if (!line.startsWith("{")) continue;
    let event: { type?: string; stepId?: string; kind?: string; durationMs?: number };
    try {
      event = JSON.parse(line) as typeof event;
    } catch {
      continue;
    }
    if (event.type === "step-start" && event.stepId && event.kind) kinds.set(event.stepId, event.kind);
    if (event.type === "step-end" && event.stepId && typeof event.durationMs === "number") {
      const kind = kinds.get(event.stepId) ?? "unknown";
      seconds[kind] = (seconds[kind] ?? 0) + event.durationMs / 1000;
    }
  }
  return seconds;
}

export interface Contender {
  name: string;
  /**
   * Who installs the starting release (default kubectl's documented procedure). kfp-upgrade's own `deploy` puts
   * its app in `<workDir>/app`, where the contender's `upgrade` finds it.
   */
  installedBy?: "kubectl" | "kfp-upgrade";
  upgrade(context: UpgradeContext): Promise<ContenderRun>;
}

/** The app directory kfp-upgrade's install and upgrade of one run share. */
export const appDirOf = (workDir: string) => path.join(workDir, "app");

/** Runs `steps` in order and stops at the first that fails. */
async function sequence(steps: (() => Promise<ProcessRun>)[]): Promise<ContenderRun> {
  const processes: ProcessRun[] = [];
  for (const step of steps) {
    const run = await step();
    processes.push(run);
    if (run.exitCode !== 0)
      return {
        ok: false,
        why: `${run.command.slice(0, 60)}: ${failureLine(run)}`,
        processes,
        requests: null,
      };
  }
  return { ok: true, why: null, processes, requests: null };
}

export interface KfpUpgradeOptions {
  /** A built kfp-upgrade (default the checkout's own). */
  bin?: string;
  installedBy?: "kubectl" | "kfp-upgrade";
  /** More `upgrade` options, e.g. `--object-store seaweedfs` for a hop that switches the object store. */
  upgradeArgs?: readonly string[];
}

/**
 * kfp-upgrade's `upgrade`. The local cluster runs no KFP API server (its pods are kwok's), so the inventory reads
 * are skipped: unreachable, they would cost a 10 s wait that a live KFP does not.
 */
export function kfpUpgradeContender(name: string, options: KfpUpgradeOptions = {}): Contender {
  const bin = options.bin;
  return {
    name,
    installedBy: options.installedBy ?? "kubectl",
    async upgrade(context) {
      const countsFile = path.join(context.workDir, "requests.json");
      const appDir = appDirOf(context.workDir);
      await mkdir(appDir, { recursive: true });
      let firstStepMs: number | null = null;
      const run = await runProcess(
        process.execPath,
        [
          bin ?? context.kfpUpgradeBin,
          "--app-dir",
          appDir,
          "--manifests",
          context.manifests,
          "-n",
          context.namespace,
          "--yes",
          "-o",
          "json",
          "upgrade",
          "--tag",
          context.to,
          "--no-backup",
          "--skip-inventory",
          ...(options.upgradeArgs ?? []),
        ],
        {
          env: {
            KUBECONFIG: context.cluster.kubeconfigPath,
            NO_COLOR: "1",
            KFP_UPGRADE_REQUEST_COUNTS: countsFile,
          },
          onStdoutLine: (line, ms) => {
            if (firstStepMs === null && line.includes('"type":"step-start"')) firstStepMs = ms;
          },
        },
      );
      const requests = await readFile(countsFile, "utf8")
        .then((text) => JSON.parse(text) as ContenderRun["requests"])
        .catch(() => null);
      return {
        ok: run.exitCode === 0,
        why: run.exitCode === 0 ? null : failureLine(run),
        processes: [run],
        requests,
        stepSeconds: stepSecondsOf(run.stdout),
        beforeFirstStepSeconds: firstStepMs === null ? null : firstStepMs / 1000,
      };
    },
  };
}

/** kfp-upgrade upgrading the release it installed itself. */
export const kfpUpgradeOwnInstall = kfpUpgradeContender("kfp-upgrade (own install)", {
  installedBy: "kfp-upgrade",
});
/** kfp-upgrade upgrading the release kubectl's procedure installed (it adopts the objects first). */
export const kfpUpgradeFromKubectl = kfpUpgradeContender("kfp-upgrade (from kubectl's install)");

const kubectlArgs = (context: UpgradeContext, args: string[]) => [
  `--kubeconfig=${context.cluster.kubeconfigPath}`,
  ...args,
];

function deploymentNames(objects: readonly KubeObject[]): string[] {
  return objects.filter((o) => o.kind === "Deployment").map((o) => o.metadata.name);
}

export const kubectlProcedure: Contender = {
  name: "kubectl (documented procedure)",
  async upgrade(context) {
    const bundle = await peerBundle(context.manifests, context.to, context.namespace);
    const clusterFile = path.join(context.workDir, "cluster-scoped.yaml");
    const envFile = path.join(context.workDir, "env.yaml");
    await writeFile(clusterFile, toYaml(bundle.clusterScoped));
    await writeFile(envFile, toYaml(bundle.env));
    const kubectl = (args: string[]) => () =>
      runProcess(context.cluster.kubectlPath, kubectlArgs(context, args), { timeoutMs: 330_000 });
    const crds = bundle.clusterScoped
      .filter((o) => o.kind === "CustomResourceDefinition")
      .map((o) => `crd/${o.metadata.name}`);
    return sequence([
      kubectl(["apply", "--server-side", "-f", clusterFile]),
      kubectl(["wait", "--for=condition=established", "--timeout=60s", ...crds]),
      kubectl(["apply", "--server-side", "-f", envFile]),
      ...deploymentNames(bundle.env).map((name) =>
        kubectl(["rollout", "status", `deployment/${name}`, "-n", context.namespace, "--timeout=300s"]),
      ),
    ]);
  },
};

export const kptLiveApply: Contender = {
  name: "kpt live apply",
  async upgrade(context) {
    const bundle = await peerBundle(context.manifests, context.to, context.namespace);
    const pkg = path.join(context.workDir, "kfp");
    await mkdir(pkg, { recursive: true });
    await writeFile(path.join(pkg, "kfp.yaml"), toYaml([...bundle.clusterScoped, ...bundle.env]));
    const kpt = (args: string[]) => () =>
      runProcess("kpt", args, { timeoutMs: 400_000, env: { HOME: context.workDir } });
    return sequence([
      kpt(["pkg", "init", pkg]),
      kpt([
        "live",
        "init",
        pkg,
        "--namespace",
        context.namespace,
        "--name",
        "kfp-inventory",
        "--inventory-id",
        `bench-${context.namespace}`,
        "--kubeconfig",
        context.cluster.kubeconfigPath,
      ]),
      kpt([
        "live",
        "apply",
        pkg,
        "--server-side",
        "--inventory-policy=adopt",
        "--reconcile-timeout=5m",
        "--output=events",
        "--kubeconfig",
        context.cluster.kubeconfigPath,
      ]),
    ]);
  },
};

function helmContender(name: string, extraFlags: readonly string[]): Contender {
  return {
    name,
    async upgrade(context) {
      const helm = context.helmPath;
      if (!helm) {
        return {
          ok: false,
          why: "helm is not built (tsx local-cluster/cli.ts build)",
          processes: [],
          requests: null,
        };
      }
      const bundle = await peerBundle(context.manifests, context.to, context.namespace);
      const chart = path.join(context.workDir, "chart");
      await mkdir(path.join(chart, "templates"), { recursive: true });
      await mkdir(path.join(chart, "files"), { recursive: true });
      await writeFile(
        path.join(chart, "Chart.yaml"),
        `apiVersion: v2\nname: kubeflow-pipelines\ntype: application\nversion: ${context.to}\nappVersion: "${context.to}"\n`,
      );
      // `.Files.Get` includes the bundle as it is: the `{{` in KFP's ConfigMaps is not template code.
      const objects = [...bundle.clusterScoped, ...bundle.env].filter((o) => o.kind !== "Namespace");
      await writeFile(path.join(chart, "files", "kfp.yaml"), toYaml(objects));
      await writeFile(path.join(chart, "templates", "kfp.yaml"), '{{ .Files.Get "files/kfp.yaml" }}\n');
      const home = context.workDir;
      return sequence([
        () =>
          runProcess(
            helm,
            [
              "upgrade",
              "--install",
              "kfp",
              chart,
              "--namespace",
              context.namespace,
              "--wait",
              "--take-ownership",
              ...extraFlags,
              "--timeout",
              "5m",
              `--kubeconfig=${context.cluster.kubeconfigPath}`,
            ],
            {
              timeoutMs: 330_000,
              env: {
                HOME: home,
                HELM_CACHE_HOME: path.join(home, "helm-cache"),
                HELM_CONFIG_HOME: path.join(home, "helm-config"),
                HELM_DATA_HOME: path.join(home, "helm-data"),
              },
            },
          ),
      ]);
    },
  };
}

/** Helm as it comes: server-side apply as field manager `helm`, so kubectl's fields conflict. */
export const helmUpgrade = helmContender("helm upgrade --install --wait", []);
/** What Helm's conflict message suggests next. */
export const helmForceConflicts = helmContender("helm ... --force-conflicts", ["--force-conflicts"]);

export const CONTENDERS: readonly Contender[] = [
  kfpUpgradeOwnInstall,
  kfpUpgradeFromKubectl,
  kubectlProcedure,
  kptLiveApply,
  helmUpgrade,
  helmForceConflicts,
];

// What `npm run bench` does to its local cluster outside of the contenders' runs: the shared starting state (KFP
// installed with kubectl's documented procedure onto two pre-created, seeded PVs), the checks after a run (claims
// still on the same PVs, the critical path from the cluster's timestamps, the API server's request counter), and
// removing an install so the next contender starts from the same state.
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { classifyImage, versionFromTag } from "../local-cluster/data-store-rules.js";
import type { KubeObject } from "../src/model/kube-object.js";
import { seedMinioVolume, seedMysqlVolume } from "../test/support/seed-volume.js";
import { type PeerBundle, peerBundle, toYaml } from "./bench-bundles.js";
import { type CriticalPath, criticalPath, type TimedDeployment, type TimedObject } from "./critical-path.js";
import { failureLine, type ProcessRun, runProcess } from "./processes.js";

export interface BenchCluster {
  kubeconfigPath: string;
  kubectlPath: string;
  hostPathRoot: string;
}

export const DATA_CLAIMS = ["mysql-pv-claim", "minio-pvc"] as const;

export async function kubectl(
  cluster: BenchCluster,
  args: readonly string[],
  input?: string,
): Promise<string> {
  const run = await kubectlRun(cluster, args, input);
  if (run.exitCode !== 0) throw new Error(`kubectl ${args.join(" ")}: ${failureLine(run)}`);
  return run.stdout;
}

export function kubectlRun(
  cluster: BenchCluster,
  args: readonly string[],
  input?: string,
): Promise<ProcessRun> {
  return runProcess(cluster.kubectlPath, [`--kubeconfig=${cluster.kubeconfigPath}`, ...args], {
    ...(input === undefined ? {} : { input }),
  });
}

export async function kubectlJson<T>(cluster: BenchCluster, args: readonly string[]): Promise<T> {
  return JSON.parse(await kubectl(cluster, [...args, "-o", "json"])) as T;
}

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 300_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(500);
  }
}

interface Deployment extends TimedDeployment {
  metadata: { name: string; generation?: number };
  spec: { replicas?: number };
  status?: TimedDeployment["status"] & {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
  };
}

/** Every Deployment of the namespace rolled out, as `kubectl rollout status` sees it. */
export async function rolledOut(cluster: BenchCluster, namespace: string): Promise<boolean> {
  const list = await kubectlJson<{ items: Deployment[] }>(cluster, ["get", "deployments", "-n", namespace]);
  return list.items.every((d) => {
    const replicas = d.spec.replicas ?? 1;
    const status = d.status ?? {};
    return (
      status.conditions?.some((c) => c.type === "Available" && c.status === "True") === true &&
      status.observedGeneration === d.metadata.generation &&
      status.updatedReplicas === replicas &&
      status.replicas === replicas &&
      status.availableReplicas === replicas
    );
  });
}

export async function waitRolledOut(cluster: BenchCluster, namespace: string): Promise<void> {
  await until(`every Deployment in ${namespace} rolled out`, async () =>
    (await rolledOut(cluster, namespace)) ? true : undefined,
  );
}

function mysqlVersionIn(bundle: PeerBundle): string | undefined {
  for (const object of bundle.env) {
    if (object.kind !== "Deployment") continue;
    const containers = (
      object.spec as { template?: { spec?: { containers?: { image: string }[] } } } | undefined
    )?.template?.spec?.containers;
    for (const container of containers ?? []) {
      const image = classifyImage(container.image);
      if (image?.kind === "mysql") return versionFromTag(image.tag);
    }
  }
  return undefined;
}

export interface StartingState {
  namespace: string;
  /** claim -> UID of the pre-created PV it is bound to */
  volumes: Record<string, string>;
  pvNames: string[];
  /** The release's objects (cluster-scoped and in the namespace) as installed, to remove them afterwards. */
  bundle: PeerBundle;
}

/** kfp-upgrade installs the starting release itself: `deploy` with this build, its app in `appDir`. */
export interface KfpUpgradeInstaller {
  bin: string;
  appDir: string;
}

/**
 * Two Retain hostPath PVs, seeded (MySQL's directory records the release's MySQL version, so the data-store
 * simulation checks every server started on it) and pre-bound to KFP's claims in `namespace`; then KFP `version`
 * installed and rolled out: by kubectl's documented procedure, or with `installer` by kfp-upgrade's own
 * `deploy --mysql-pv --minio-pv` onto the same PVs.
 */
export async function installStartingState(
  cluster: BenchCluster,
  manifests: string,
  version: string,
  namespace: string,
  installer?: KfpUpgradeInstaller,
): Promise<StartingState> {
  const bundle = await peerBundle(manifests, version, namespace);
  const mysqlVersion = mysqlVersionIn(bundle);
  const pvNames: string[] = [];
  for (const claim of DATA_CLAIMS) {
    const name = `${namespace}-${claim}`;
    const dir = path.join(cluster.hostPathRoot, name);
    await mkdir(dir, { recursive: true });
    if (claim === "mysql-pv-claim") await seedMysqlVolume(dir, mysqlVersion ? { mysqlVersion } : {});
    else await seedMinioVolume(dir);
    const pv = {
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: { name },
      spec: {
        capacity: { storage: "20Gi" },
        accessModes: ["ReadWriteOnce"],
        persistentVolumeReclaimPolicy: "Retain",
        storageClassName: "standard",
        claimRef: { namespace, name: claim },
        hostPath: { path: dir, type: "Directory" },
      },
    };
    await kubectl(cluster, ["create", "-f", "-"], JSON.stringify(pv));
    pvNames.push(name);
  }
  if (installer) await deployWithKfpUpgrade(cluster, manifests, version, namespace, installer, pvNames);
  else {
    await kubectl(cluster, ["apply", "--server-side", "-f", "-"], toYaml(bundle.clusterScoped));
    await kubectl(cluster, ["wait", "--for=condition=established", "--timeout=60s", "crd", "--all"]);
    await kubectl(cluster, ["apply", "--server-side", "-f", "-"], toYaml(bundle.env));
  }
  const volumes = await claimVolumes(cluster, namespace);
  await waitRolledOut(cluster, namespace);
  return { namespace, volumes, pvNames, bundle };
}

async function deployWithKfpUpgrade(
  cluster: BenchCluster,
  manifests: string,
  version: string,
  namespace: string,
  installer: KfpUpgradeInstaller,
  [mysqlPv, minioPv]: string[],
): Promise<void> {
  await mkdir(installer.appDir, { recursive: true });
  const run = await runProcess(
    process.execPath,
    [
      installer.bin,
      "--app-dir",
      installer.appDir,
      "--manifests",
      manifests,
      "-n",
      namespace,
      "--yes",
      "deploy",
      "--tag",
      version,
      "--mysql-pv",
      mysqlPv ?? "",
      "--minio-pv",
      minioPv ?? "",
    ],
    { env: { KUBECONFIG: cluster.kubeconfigPath, NO_COLOR: "1" } },
  );
  if (run.exitCode !== 0) throw new Error(`kfp-upgrade deploy --tag ${version}: ${failureLine(run)}`);
}

/** claim -> UID of the PV it is bound to now ("" when unbound), waiting for the claims to bind. */
export async function claimVolumes(
  cluster: BenchCluster,
  namespace: string,
): Promise<Record<string, string>> {
  const volumes: Record<string, string> = {};
  for (const claim of DATA_CLAIMS) {
    const volumeName = await until(`${claim} bound`, async () => {
      const pvc = await kubectlJson<{ spec: { volumeName?: string }; status: { phase?: string } }>(cluster, [
        "get",
        "pvc",
        claim,
        "-n",
        namespace,
      ]).catch(() => undefined);
      return pvc?.status.phase === "Bound" ? pvc.spec.volumeName : undefined;
    });
    const pv = await kubectlJson<{ metadata: { uid: string } }>(cluster, ["get", "pv", volumeName ?? ""]);
    volumes[claim] = pv.metadata.uid;
  }
  return volumes;
}

/** Whether each data claim is still Bound to the PV it had (checked once, no waiting). */
export async function sameVolumes(cluster: BenchCluster, state: StartingState): Promise<boolean> {
  for (const claim of DATA_CLAIMS) {
    const pvc = await kubectlJson<{ spec: { volumeName?: string }; status: { phase?: string } }>(cluster, [
      "get",
      "pvc",
      claim,
      "-n",
      state.namespace,
    ]).catch(() => undefined);
    if (pvc?.status.phase !== "Bound" || !pvc.spec.volumeName) return false;
    const pv = await kubectlJson<{ metadata: { uid: string } }>(cluster, ["get", "pv", pvc.spec.volumeName]);
    if (pv.metadata.uid !== state.volumes[claim]) return false;
  }
  return true;
}

const RELEASE_KINDS_IN_NAMESPACE =
  "deployments,services,configmaps,secrets,serviceaccounts,roles,rolebindings,persistentvolumeclaims,networkpolicies";
const RELEASE_KINDS_CLUSTER = "customresourcedefinitions,clusterroles,clusterrolebindings,priorityclasses";

/** The run's critical path from the cluster's timestamps (see critical-path.ts). */
export async function readCriticalPath(
  cluster: BenchCluster,
  namespace: string,
  sinceMs: number,
): Promise<CriticalPath | undefined> {
  const managed = ["--show-managed-fields"];
  const inNamespace = await kubectlJson<{ items: TimedObject[] }>(cluster, [
    "get",
    RELEASE_KINDS_IN_NAMESPACE,
    "-n",
    namespace,
    ...managed,
  ]);
  const clusterScoped = await kubectlJson<{ items: TimedObject[] }>(cluster, [
    "get",
    RELEASE_KINDS_CLUSTER,
    ...managed,
  ]);
  const deployments = await kubectlJson<{ items: TimedDeployment[] }>(cluster, [
    "get",
    "deployments",
    "-n",
    namespace,
  ]);
  return criticalPath([...inNamespace.items, ...clusterScoped.items], deployments.items, sinceMs);
}

/** The API server's own count of requests it served (every client: the contender, controllers, kwok). */
export async function apiServerRequestTotal(cluster: BenchCluster): Promise<number> {
  const text = await kubectl(cluster, ["get", "--raw", "/metrics"]);
  let total = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith("apiserver_request_total{")) continue;
    const value = Number(line.slice(line.lastIndexOf(" ") + 1));
    if (Number.isFinite(value)) total += value;
  }
  return total;
}

function refArgs(object: KubeObject): string[] {
  const [group] = object.apiVersion.includes("/") ? object.apiVersion.split("/") : [""];
  const resource = `${object.kind.toLowerCase()}${group ? `.${group}` : ""}`;
  return [`${resource}/${object.metadata.name}`];
}

/**
 * Removes an install: its namespace (waited for), its cluster-scoped objects (and those of the release it was
 * upgraded to) and the pre-created PVs with their
 * directories, so the next contender installs its starting state on a clean cluster.
 */
export async function removeInstall(
  cluster: BenchCluster,
  state: StartingState,
  upgradedTo?: PeerBundle,
): Promise<void> {
  await kubectl(cluster, ["delete", "namespace", state.namespace, "--ignore-not-found", "--timeout=300s"]);
  // The target release's cluster-scoped objects too: a tool that failed half way (or Helm's ownership labels on
  // them) must not leak into the next contender's starting state.
  // The env file holds cluster-scoped objects too (KFP's PriorityClass).
  const clusterScoped = [
    ...state.bundle.clusterScoped,
    ...state.bundle.env,
    ...(upgradedTo?.clusterScoped ?? []),
    ...(upgradedTo?.env ?? []),
  ].filter((o) => !o.metadata.namespace && o.kind !== "Namespace");
  const refs = [...new Set(clusterScoped.flatMap(refArgs))];
  if (refs.length > 0) await kubectl(cluster, ["delete", ...refs, "--ignore-not-found", "--timeout=120s"]);
  // A PV provisioned during the run (2.17.0's seaweedfs-pvc), which kfp-upgrade switched to Retain, goes too.
  const pvs = await kubectlJson<{
    items: { metadata: { name: string }; spec: { claimRef?: { namespace?: string } } }[];
  }>(cluster, ["get", "pv"]);
  const provisioned = pvs.items
    .filter((pv) => pv.spec.claimRef?.namespace === state.namespace)
    .map((pv) => pv.metadata.name);
  const pvNames = [...new Set([...state.pvNames, ...provisioned])];
  await kubectl(cluster, ["delete", "pv", ...pvNames, "--ignore-not-found", "--timeout=120s"]);
  for (const name of state.pvNames)
    await rm(path.join(cluster.hostPathRoot, name), { recursive: true, force: true });
}

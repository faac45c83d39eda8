import { readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import yaml from "js-yaml";
import { expect, onTestFinished } from "vitest";
import { changedObjects, clusterState } from "./cluster-state.js";
import { e2eCluster, eventually, kubectl, kubectlJson, uniqueName } from "./e2e-cluster.js";
import type { CliRun } from "./run-cli.js";
import { runCli, SHARED_MANIFESTS } from "./run-cli.js";
import { seedMinioVolume, seedMysqlVolume } from "./seed-volume.js";
import { volumeFingerprint } from "./volume-fingerprint.js";

// Cluster-side checks for the end-to-end scenarios that install KFP: claims and their PVs, Deployments and their
// images, Secrets, and a cleanup that really waits, so one test's teardown cannot show up in the next one's
// before/after comparison of the cluster.

export interface Meta {
  name: string;
  namespace?: string;
  uid: string;
  resourceVersion: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
}
export interface Pvc {
  metadata: Meta;
  spec: { volumeName?: string; storageClassName?: string };
  status: { phase?: string };
}
export interface Pv {
  metadata: Meta;
  spec: {
    capacity?: { storage?: string };
    accessModes?: string[];
    storageClassName?: string;
    persistentVolumeReclaimPolicy?: string;
    hostPath?: { path: string; type?: string };
    claimRef?: { name: string; namespace: string; uid?: string };
  };
  status: { phase?: string };
}
interface Container {
  name: string;
  image: string;
}
export interface Deployment {
  metadata: Meta;
  spec: { replicas?: number; template: { spec: { containers: Container[] } } };
  status: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    conditions?: { type: string; status: string }[];
  };
}
interface List<T> {
  items: T[];
}

/** The kubeconfig to use: the shared cluster's unless a second cluster's is given. */
export interface ClusterOption {
  kubeconfigPath?: string;
}

const opts = (cluster: ClusterOption = {}) =>
  cluster.kubeconfigPath ? { kubeconfigPath: cluster.kubeconfigPath } : {};

/**
 * A namespace name for a test that lets the CLI create the namespace. When the test finishes the namespace is
 * deleted and waited for, then every PV whose claimRef points into it is deleted and its directory removed
 * (PVs the CLI switched to Retain would otherwise outlive the test).
 */
export function testNamespace(prefix: string, cluster: ClusterOption = {}): string {
  const namespace = uniqueName(prefix);
  onTestFinished(async () => {
    await deleteNamespaceAndWait(namespace, cluster);
    const pvs = await kubectlJson<List<Pv>>(["get", "persistentvolumes"], opts(cluster));
    for (const pv of pvs.items.filter((item) => item.spec.claimRef?.namespace === namespace)) {
      await kubectl(["delete", "persistentvolume", pv.metadata.name, "--ignore-not-found"], opts(cluster));
      const dir = pv.spec.hostPath?.path;
      if (dir?.startsWith("/tmp/")) await rm(dir, { recursive: true, force: true });
    }
  });
  return namespace;
}

/** `kubectl delete namespace` and wait until it is gone (its pods, claims and finalizers included). */
export async function deleteNamespaceAndWait(namespace: string, cluster: ClusterOption = {}): Promise<void> {
  await kubectl(["delete", "namespace", namespace, "--ignore-not-found", "--wait=false"], opts(cluster));
  await eventually(
    `namespace/${namespace} gone`,
    async () => {
      const out = await kubectl(
        ["get", "namespace", namespace, "--ignore-not-found", "-o", "name"],
        opts(cluster),
      );
      return out.trim() === "" ? true : undefined;
    },
    { timeoutSeconds: 150, intervalMs: 500 },
  );
}

export function getClaim(namespace: string, name: string, cluster: ClusterOption = {}): Promise<Pvc> {
  return kubectlJson<Pvc>(["get", "persistentvolumeclaim", name, "-n", namespace], opts(cluster));
}

export function getVolume(name: string, cluster: ClusterOption = {}): Promise<Pv> {
  return kubectlJson<Pv>(["get", "persistentvolume", name], opts(cluster));
}

export interface Binding {
  claim: Pvc;
  pv: Pv;
}

/** The claim, Bound, and the PV it is bound to. */
export async function boundVolume(
  namespace: string,
  claim: string,
  cluster: ClusterOption = {},
): Promise<Binding> {
  const pvc = await eventually(`persistentvolumeclaim/${claim} in ${namespace} Bound`, async () => {
    const current = await getClaim(namespace, claim, cluster);
    return current.status.phase === "Bound" ? current : undefined;
  });
  return { claim: pvc, pv: await getVolume(pvc.spec.volumeName ?? "", cluster) };
}

export interface Fingerprints {
  mysql: string | null;
  objectStore: string | null;
}

/**
 * Fills a MySQL and an object-store directory with the seed data; returns their fingerprints. `mysqlVersion`
 * (e.g. `mysqlVersionOf("2.5.0")` from mysql-data.ts) is recorded in the MySQL directory for the data-store
 * simulation; without it the directory has no record and any MySQL series starts on it.
 */
export async function seedDataDirs(
  mysqlDir: string,
  objectStoreDir: string,
  options: { mysqlVersion?: string } = {},
): Promise<Fingerprints> {
  await seedMysqlVolume(mysqlDir, options);
  await seedMinioVolume(objectStoreDir);
  return { mysql: await volumeFingerprint(mysqlDir), objectStore: await volumeFingerprint(objectStoreDir) };
}

export async function fingerprintsOf(mysqlDir: string, objectStoreDir: string): Promise<Fingerprints> {
  return { mysql: await volumeFingerprint(mysqlDir), objectStore: await volumeFingerprint(objectStoreDir) };
}

export function hostPathOf(pv: Pv): string {
  const dir = pv.spec.hostPath?.path;
  if (!dir) throw new Error(`persistentvolume/${pv.metadata.name} has no hostPath`);
  return dir;
}

export function listDeployments(namespace: string, cluster: ClusterOption = {}): Promise<List<Deployment>> {
  return kubectlJson<List<Deployment>>(["get", "deployments", "-n", namespace], opts(cluster));
}

/** `deployment -> container -> image` of everything in the namespace. */
export async function imagesIn(
  namespace: string,
  cluster: ClusterOption = {},
): Promise<Record<string, Record<string, string>>> {
  const list = await listDeployments(namespace, cluster);
  return Object.fromEntries(list.items.map((d) => [d.metadata.name, containerImages(d)]));
}

function containerImages(deployment: {
  spec: { template: { spec: { containers: Container[] } } };
}): Record<string, string> {
  return Object.fromEntries(deployment.spec.template.spec.containers.map((c) => [c.name, c.image]));
}

/**
 * Deployments that are not (yet) rolled out as `kubectl rollout status` sees it: the current generation observed,
 * every replica updated to the current template and available, no old replica left, and Available True.
 */
export async function unavailableDeployments(
  namespace: string,
  cluster: ClusterOption = {},
): Promise<string[]> {
  const list = await listDeployments(namespace, cluster);
  return list.items
    .filter((d) => {
      const available = d.status.conditions?.find((c) => c.type === "Available")?.status === "True";
      const replicas = d.spec.replicas ?? 1;
      return !(
        available &&
        d.status.observedGeneration === d.metadata.generation &&
        (d.status.updatedReplicas ?? 0) === replicas &&
        (d.status.replicas ?? 0) === replicas &&
        (d.status.availableReplicas ?? 0) === replicas
      );
    })
    .map((d) => d.metadata.name)
    .sort();
}

/** `deployment -> container -> image` as a rendered bundle file declares them (the oracle for "target images"). */
export function bundleImages(
  version: string,
  file = "platform-agnostic.yaml",
): Record<string, Record<string, string>> {
  const documents = yaml.loadAll(readFileSync(path.join(SHARED_MANIFESTS, version, file), "utf8")) as {
    kind?: string;
    metadata?: { name?: string };
    spec?: { template: { spec: { containers: Container[] } } };
  }[];
  return Object.fromEntries(
    documents
      .filter((d) => d?.kind === "Deployment" && d.spec !== undefined)
      .map((d) => [d.metadata?.name ?? "", containerImages(d as Required<typeof d>)]),
  );
}

export interface SecretState {
  resourceVersion: string;
  uid: string;
  data: Record<string, string>;
}

/** `name -> {resourceVersion, uid, data}` of the namespace's Secrets. */
export async function secretsIn(
  namespace: string,
  cluster: ClusterOption = {},
): Promise<Record<string, SecretState>> {
  const list = await kubectlJson<List<{ metadata: Meta; data?: Record<string, string> }>>(
    ["get", "secrets", "-n", namespace],
    opts(cluster),
  );
  return Object.fromEntries(
    list.items.map((s) => [
      s.metadata.name,
      { resourceVersion: s.metadata.resourceVersion, uid: s.metadata.uid, data: s.data ?? {} },
    ]),
  );
}

/** Ids of the steps the run finished successfully, in order. */
export function finishedSteps(run: CliRun): string[] {
  return run.events.filter((e) => e.type === "step-end" && e.ok === true).map((e) => String(e.stepId));
}

/** Kinds of the steps the run started, by id. */
export function stepKinds(run: CliRun): Record<string, string> {
  return Object.fromEntries(
    run.events.filter((e) => e.type === "step-start").map((e) => [String(e.stepId), String(e.kind)]),
  );
}

/** The `bindings` of the run's result event: claim -> PV UID. */
export function resultBindings(run: CliRun): Record<string, string | null> {
  const bindings = (run.result?.bindings ?? []) as { claim: string; volumeUid: string | null }[];
  return Object.fromEntries(bindings.map((b) => [b.claim, b.volumeUid]));
}

/** Runs `body`, logs how long it took as `[e2e timing] name: N.Ns`, and returns its value. */
export async function timed<T>(name: string, body: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await body();
  } finally {
    const seconds = (performance.now() - started) / 1000;
    console.log(`[e2e timing] ${name}: ${seconds.toFixed(1)}s`);
  }
}

/** The directory dynamically provisioned volumes live in on this machine. */
export function provisionedRoot(): string {
  return e2eCluster().provisionedRoot;
}

/**
 * Runs `kfp-upgrade <args> --dry-run` and checks that it changed nothing: every object a run could touch keeps its
 * resourceVersion (none appears or disappears), and the KFAPP directory keeps every byte. Returns the printed plan.
 */
export async function expectDryRunChangesNothing(
  args: readonly string[],
  options: { appDir: string; namespace: string; kubeconfigPath?: string },
): Promise<unknown> {
  const clusterBefore = await clusterState([options.namespace], options.kubeconfigPath);
  const appDirBefore = await volumeFingerprint(options.appDir);
  const run = await runCli([...args, "--dry-run"], {
    appDir: options.appDir,
    ...(options.kubeconfigPath ? { kubeconfigPath: options.kubeconfigPath } : {}),
  });
  expect(run.exitCode, run.stderr).toBe(0);
  expect(run.json).toMatchObject({ kind: "Plan" });
  expect(
    changedObjects(clusterBefore, await clusterState([options.namespace], options.kubeconfigPath)),
  ).toEqual([]);
  expect(await volumeFingerprint(options.appDir)).toBe(appDirBefore);
  return run.json;
}

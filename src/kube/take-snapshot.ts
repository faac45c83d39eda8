import { KubeApiError } from "../errors.js";
import { ownersFromMarks } from "../model/cluster-ownership.js";
import type { ClusterSnapshot, HelmReleaseState } from "../model/cluster-snapshot.js";
import { type ObjectOwnership, ownershipOf } from "../model/field-owners.js";
import type { KubeObject } from "../model/kube-object.js";
import { runningServers } from "../model/running-servers.js";
import { isUnfinishedWorkflowPhase } from "../model/workflow-phase.js";
import type { KubeClient } from "./kube-client.js";
import {
  detectInstalledVersion,
  toClaimState,
  toClusterObjectState,
  toCrdState,
  toDeploymentState,
  toObjectState,
  toStorageClassState,
  toVolumeState,
} from "./snapshot-state.js";

export interface SnapshotOptions {
  namespace: string;
  /** Only these PVCs go into `claims` (all of them still go into `objects`); default: every PVC in the namespace. */
  claimNames?: string[] | undefined;
}

export interface KindRef {
  apiVersion: string;
  kind: string;
}

/** Namespaced kinds, besides those the snapshot reads in full anyway, that a prune may have to consider. */
export const PRUNE_CANDIDATE_KINDS: readonly KindRef[] = [
  { apiVersion: "v1", kind: "Service" },
  { apiVersion: "v1", kind: "ServiceAccount" },
  { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role" },
  { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding" },
  { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy" },
];

/**
 * Cluster-scoped kinds KFP installs besides CRDs. All of them are read (ClusterRoleBindings in full, for their
 * subjects; the others as metadata): a release's object of the same name may belong to another install. Only those
 * labelled `KFP_LABEL_SELECTOR` or marked by kfp-upgrade become prune candidates (`objects`).
 */
export const KFP_CLUSTER_KINDS: readonly KindRef[] = [
  { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole" },
  { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding" },
  { apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass" },
];

export const KFP_LABEL_KEY = "application-crd-id";
export const KFP_LABEL_SELECTOR = `${KFP_LABEL_KEY}=kubeflow-pipelines`;

const CRD_API = "apiextensions.k8s.io/v1";

/**
 * Everything a plan needs, read in one discovery round and then one parallel batch of list calls (about 20
 * requests, however many objects). Secrets and prune candidates are read as metadata only, so Secret data never
 * reaches this process. A namespace that does not exist yields `exists: false` and empty lists.
 */
export async function takeSnapshot(client: KubeClient, options: SnapshotOptions): Promise<ClusterSnapshot> {
  const { namespace } = options;
  const served = new Set(await client.servedApiVersions());
  // Older or slimmer clusters lack some group versions (or a kind within one): nothing of that kind exists there.
  const listIfServed = async (apiVersion: string, read: () => Promise<KubeObject[]>) => {
    if (!served.has(apiVersion)) return [];
    try {
      return await read();
    } catch (error) {
      if (error instanceof KubeApiError && error.code === "KUBE_KIND_NOT_SERVED") return [];
      throw error;
    }
  };
  const inNamespace = { namespace };
  const applicationVersion = ["app.k8s.io/v1beta1", "app.k8s.io/v1"].find((version) => served.has(version));

  const [
    namespaceObject,
    deployments,
    claims,
    volumes,
    secrets,
    configMaps,
    crds,
    storageClasses,
    csiDrivers,
    namespacedObjects,
    clusterObjects,
    apiServers,
    namespaces,
    activeWorkflows,
  ] = await Promise.all([
    client.get({ apiVersion: "v1", kind: "Namespace", name: namespace }),
    client.list("apps/v1", "Deployment", inNamespace),
    client.list("v1", "PersistentVolumeClaim", inNamespace),
    client.list("v1", "PersistentVolume"),
    client.listMetadata("v1", "Secret", inNamespace),
    client.list("v1", "ConfigMap", inNamespace),
    listIfServed(CRD_API, () => client.list(CRD_API, "CustomResourceDefinition")),
    listIfServed("storage.k8s.io/v1", () => client.list("storage.k8s.io/v1", "StorageClass")),
    listIfServed("storage.k8s.io/v1", () => client.listMetadata("storage.k8s.io/v1", "CSIDriver")),
    Promise.all(
      [
        ...PRUNE_CANDIDATE_KINDS,
        ...(applicationVersion ? [{ apiVersion: applicationVersion, kind: "Application" }] : []),
      ].map(({ apiVersion, kind }) =>
        listIfServed(apiVersion, () => client.listMetadata(apiVersion, kind, inNamespace)),
      ),
    ),
    Promise.all(
      KFP_CLUSTER_KINDS.map(({ apiVersion, kind }) =>
        listIfServed(apiVersion, () =>
          kind === "ClusterRoleBinding"
            ? client.list(apiVersion, kind)
            : client.listMetadata(apiVersion, kind),
        ),
      ),
    ),
    client
      .listMetadata("apps/v1", "Deployment", { fieldSelector: "metadata.name=ml-pipeline" })
      .catch(() => []),
    // Whether the namespace an owner mark names still exists; without the right to list, every one may.
    client
      .listMetadata("v1", "Namespace")
      .then((list) => list.map((ns) => ns.metadata.name).sort(compareText))
      .catch(() => null),
    served.has(WORKFLOW_API) ? readActiveWorkflows(client, namespace) : Promise.resolve([]),
  ]);

  const wantedClaims = options.claimNames ? new Set(options.claimNames) : null;
  const marked = (object: KubeObject) =>
    object.metadata.labels?.[KFP_LABEL_KEY] === "kubeflow-pipelines" ||
    ownersFromMarks(object.metadata).length > 0;
  const objects = [
    ...configMaps,
    ...deployments,
    ...claims,
    ...secrets,
    ...namespacedObjects.flat(),
    ...clusterObjects.flat().filter(marked),
    ...crds.filter(marked),
  ]
    .map(toObjectState)
    .sort(
      (a, b) =>
        compareText(a.kind, b.kind) ||
        compareText(a.namespace ?? "", b.namespace ?? "") ||
        compareText(a.name, b.name),
    );

  const ownership = [
    ...(namespaceObject ? [namespaceObject] : []),
    ...configMaps,
    ...deployments,
    ...claims,
    ...secrets,
    ...namespacedObjects.flat(),
    ...clusterObjects.flat(),
    ...crds,
  ]
    .map(ownershipOf)
    .sort(
      (a, b) =>
        compareText(a.kind, b.kind) ||
        compareText(a.namespace ?? "", b.namespace ?? "") ||
        compareText(a.name, b.name),
    );
  const helmReleases = await readHelmReleases(client, ownership);

  return {
    context: client.context,
    namespace: {
      name: namespace,
      exists: namespaceObject !== null,
      phase: phaseOf(namespaceObject),
    },
    ...detectInstalledVersion(configMaps, deployments),
    deployments: byName(deployments).map(toDeploymentState),
    running: runningServers(deployments.map(toDeploymentState)),
    claims: byName(claims)
      .filter((claim) => wantedClaims === null || wantedClaims.has(claim.metadata.name))
      .map(toClaimState),
    volumes: byName(volumes).map(toVolumeState),
    crds: byName(crds).map((crd) => toCrdState(crd, foreignManager(crd))),
    otherInstalls: apiServers
      .map((deployment) => deployment.metadata.namespace ?? "")
      .filter((other) => other !== "" && other !== namespace)
      .sort(compareText),
    namespaces,
    clusterObjects: clusterObjects
      .flat()
      .map(toClusterObjectState)
      .sort((a, b) => compareText(a.kind, b.kind) || compareText(a.name, b.name)),
    secrets: byName(secrets).map((secret) => secret.metadata.name),
    storageClasses: byName(storageClasses).map(toStorageClassState),
    csiDrivers: byName(csiDrivers).map((driver) => driver.metadata.name),
    servedApiVersions: [...served].sort(),
    objects,
    ownership,
    activeWorkflows,
    helmReleases,
  };
}

const WORKFLOW_API = "argoproj.io/v1alpha1";

/** Argo Workflows of the namespace that have not finished (no phase yet, Pending or Running); null when forbidden. */
async function readActiveWorkflows(
  client: KubeClient,
  namespace: string,
): Promise<ClusterSnapshot["activeWorkflows"]> {
  try {
    const workflows = await client.list(WORKFLOW_API, "Workflow", { namespace });
    return byName(workflows)
      .map((workflow) => ({ name: workflow.metadata.name, phase: workflowPhase(workflow) }))
      .filter((workflow) => isUnfinishedWorkflowPhase(workflow.phase));
  } catch (error) {
    if (error instanceof KubeApiError && error.code === "KUBE_KIND_NOT_SERVED") return [];
    if (error instanceof KubeApiError && error.code === "KUBE_FORBIDDEN") return null;
    throw error;
  }
}

function workflowPhase(workflow: KubeObject): string | null {
  const phase = (workflow.status as { phase?: unknown } | undefined)?.phase;
  return typeof phase === "string" && phase !== "" ? phase : null;
}

/**
 * The records of each Helm release the marks name (two metadata lists per release, none without a Helm mark):
 * Secrets for Helm's default driver, ConfigMaps for HELM_DRIVER=configmap. A failure to read them is not ignored:
 * `helm uninstall` deletes what the records' manifests list, so records the plan does not see would outlive it.
 */
async function readHelmReleases(
  client: KubeClient,
  ownership: ObjectOwnership[],
): Promise<HelmReleaseState[]> {
  const releases = new Map<string, { name: string; namespace: string }>();
  for (const { helmRelease } of ownership) {
    if (helmRelease) releases.set(`${helmRelease.namespace}/${helmRelease.name}`, helmRelease);
  }
  const sorted = [...releases.values()].sort(
    (a, b) => compareText(a.namespace, b.namespace) || compareText(a.name, b.name),
  );
  return Promise.all(
    sorted.map(async ({ name, namespace }) => {
      const options = { namespace, labelSelector: `owner=helm,name=${name}` };
      const [secrets, configMaps] = await Promise.all(
        (["Secret", "ConfigMap"] as const).map((kind) =>
          client.listMetadata("v1", kind, options).then((items) =>
            byName(items).map((item) => ({
              kind,
              name: item.metadata.name,
              uid: typeof item.metadata.uid === "string" ? item.metadata.uid : "",
            })),
          ),
        ),
      );
      return { name, namespace, records: [...(secrets ?? []), ...(configMaps ?? [])] };
    }),
  );
}

function phaseOf(namespace: KubeObject | null): string | null {
  const status = namespace?.status;
  if (typeof status !== "object" || status === null) return null;
  const phase = (status as { phase?: unknown }).phase;
  return typeof phase === "string" ? phase : null;
}

function byName(objects: KubeObject[]): KubeObject[] {
  return [...objects].sort((a, b) => compareText(a.metadata.name, b.metadata.name));
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Helm or another deployment tool that owns a CRD; kfp-upgrade's own and KFP's labels do not count. */
function foreignManager(crd: KubeObject): string | null {
  const helmRelease = crd.metadata.annotations?.["meta.helm.sh/release-name"];
  if (helmRelease) return `Helm release ${helmRelease}`;
  const managedBy = crd.metadata.labels?.["app.kubernetes.io/managed-by"];
  if (managedBy && managedBy !== "kfp-upgrade") return managedBy;
  return null;
}

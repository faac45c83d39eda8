import { kubectlJson } from "./e2e-cluster.js";
import { type ClusterObjectRef, type LiveObject, liveClusterObjects } from "./kfp-cluster-objects.js";

// Two KFP installs in different namespaces compared object by object: what an upgraded install looks like against a
// fresh install of the same release. Only what the API server or the cluster sets differently for two installs is
// left out; every field an applier wrote (labels, annotations, specs, data) must be the same.

const NAMESPACED_KINDS =
  "deployments,services,configmaps,secrets,serviceaccounts,roles,rolebindings,persistentvolumeclaims,networkpolicies";

export const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
/** kfp-upgrade's record of its runs: its data differs between a deploy and an upgrade by design. */
const HISTORY_CONFIGMAP = "kfp-upgrade-history";
/**
 * Never adopted or applied over, so they keep kubectl's last-applied annotation: the data claims, credential Secrets,
 * and the Namespace (kfp-upgrade creates it when it is missing, never applies it).
 */
const KEPT_AS_INSTALLED = new Set(["PersistentVolumeClaim", "Secret", "Namespace"]);
const SERVER_SET_METADATA = [
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "managedFields",
  "selfLink",
];
/** Set by the controllers that bind claims to volumes. */
const BIND_ANNOTATION = /^(pv\.kubernetes\.io|volume\.kubernetes\.io|volume\.beta\.kubernetes\.io)\//;

/** `Kind/name` -> the live object: the namespace, everything of NAMESPACED_KINDS in it, and the cluster objects. */
export async function installObjects(
  namespace: string,
  clusterRefs: readonly ClusterObjectRef[],
): Promise<Record<string, LiveObject>> {
  const [namespaceObject, namespaced, cluster] = await Promise.all([
    kubectlJson<LiveObject>(["get", "namespace", namespace]),
    kubectlJson<{ items: LiveObject[] }>(["get", NAMESPACED_KINDS, "-n", namespace]),
    liveClusterObjects(clusterRefs),
  ]);
  const objects: Record<string, LiveObject> = {};
  for (const object of [namespaceObject, ...namespaced.items, ...cluster]) {
    objects[`${object.kind}/${object.kind === "Namespace" ? "<namespace>" : object.metadata.name}`] = object;
  }
  return objects;
}

type Json = Record<string, unknown>;

/**
 * The object without what differs between two installs of the same release in two namespaces: server-set metadata,
 * status, Service cluster IPs, the Deployment revision, a claim's volume and bind annotations, kfp-upgrade's run
 * history; every occurrence of the namespace's name (DNS names, binding subjects, kfp-upgrade's owner marks) reads
 * `<namespace>`. Claims, credential Secrets and the Namespace keep kubectl's last-applied annotation (never adopted).
 */
export function normaliseObject(object: LiveObject, namespace: string): Json {
  const copy = structuredClone(object) as Json & {
    metadata: Json & { annotations?: Record<string, string> };
  };
  delete copy.status;
  for (const field of SERVER_SET_METADATA) delete copy.metadata[field];
  const annotations = { ...copy.metadata.annotations };
  delete annotations["deployment.kubernetes.io/revision"];
  if (copy.kind === "PersistentVolumeClaim") {
    for (const key of Object.keys(annotations)) if (BIND_ANNOTATION.test(key)) delete annotations[key];
    delete (copy.spec as Json | undefined)?.volumeName;
  }
  if (KEPT_AS_INSTALLED.has(String(copy.kind))) delete annotations[LAST_APPLIED];
  if (Object.keys(annotations).length > 0) copy.metadata.annotations = annotations;
  else delete copy.metadata.annotations;
  if (copy.kind === "Service") {
    delete (copy.spec as Json | undefined)?.clusterIP;
    delete (copy.spec as Json | undefined)?.clusterIPs;
  }
  if (copy.kind === "ConfigMap" && copy.metadata.name === HISTORY_CONFIGMAP) delete copy.data;
  return JSON.parse(JSON.stringify(copy).replaceAll(namespace, "<namespace>")) as Json;
}

/** Every object of the install, normalised (see normaliseObject), by `Kind/name`. */
export async function normalisedInstall(
  namespace: string,
  clusterRefs: readonly ClusterObjectRef[],
): Promise<Record<string, Json>> {
  const objects = await installObjects(namespace, clusterRefs);
  return Object.fromEntries(
    Object.entries(objects).map(([key, object]) => [key, normaliseObject(object, namespace)]),
  );
}

/** `Kind/name` of the objects that still carry kubectl's last-applied annotation (KEPT_AS_INSTALLED aside). */
export function lastAppliedLeft(objects: Record<string, LiveObject>): string[] {
  return Object.entries(objects)
    .filter(
      ([, object]) =>
        !KEPT_AS_INSTALLED.has(object.kind) &&
        (object.metadata.annotations as Record<string, string> | undefined)?.[LAST_APPLIED] !== undefined,
    )
    .map(([key]) => key)
    .sort();
}

import { APPLIED_BY_ANNOTATION, ownersFromMarks } from "../model/cluster-ownership.js";
import type {
  ClaimState,
  ClusterObjectState,
  ClusterSnapshot,
  DeploymentState,
  ObjectState,
  OwnerReference,
  VolumeState,
} from "../model/cluster-snapshot.js";
import { dataWriterOf } from "../model/data-writer.js";
import type { KubeObject } from "../model/kube-object.js";
import { podSecretRefs } from "../model/pod-secret-refs.js";
import { parseQuantityOrNull } from "../model/quantity.js";
import { volumeSource } from "../model/volume-source.js";

export { volumeSource } from "../model/volume-source.js";

/** Pure mappings from API objects to the plain snapshot records; unknown shapes degrade to defaults, never throw. */

type Json = Record<string, unknown>;

export function toDeploymentState(deployment: KubeObject): DeploymentState {
  const spec = record(deployment.spec);
  const status = record(deployment.status);
  const podSpec = record(record(record(spec.template).spec));
  return {
    name: deployment.metadata.name,
    namespace: deployment.metadata.namespace ?? "",
    uid: string(deployment.metadata.uid) ?? "",
    labels: deployment.metadata.labels ?? {},
    selector: stringMap(record(spec.selector).matchLabels),
    containers: records(podSpec.containers).map((container) => ({
      name: string(container.name) ?? "",
      image: string(container.image) ?? "",
    })),
    secretRefs: podSecretRefs(podSpec),
    replicas: number(spec.replicas) ?? 1,
    readyReplicas: number(status.readyReplicas) ?? 0,
    availableReplicas: number(status.availableReplicas) ?? 0,
    updatedReplicas: number(status.updatedReplicas) ?? 0,
    claims: records(podSpec.volumes)
      .map((volume) => string(record(volume.persistentVolumeClaim).claimName))
      .filter((claim): claim is string => typeof claim === "string" && claim !== ""),
    strategy: string(record(spec.strategy).type) ?? null,
  };
}

/** A CRD as the plan compares it with a release's: versions served and stored, who applied it last, its owners. */
export function toCrdState(crd: KubeObject, managedBy: string | null): ClusterSnapshot["crds"][number] {
  const versions = records(record(crd.spec).versions);
  return {
    name: crd.metadata.name,
    established: isEstablished(crd),
    managedBy,
    servedVersions: versions
      .filter((version) => version.served === true)
      .map((version) => string(version.name) ?? "")
      .filter(Boolean)
      .sort(compareText),
    storedVersions: strings(record(crd.status).storedVersions).sort(compareText),
    appliedByRelease: crd.metadata.annotations?.[APPLIED_BY_ANNOTATION] ?? null,
    owners: ownersFromMarks(crd.metadata),
  };
}

/** A ClusterRole, ClusterRoleBinding or PriorityClass reduced to what ownership needs. */
export function toClusterObjectState(object: KubeObject): ClusterObjectState {
  const subjects = records((object as { subjects?: unknown }).subjects);
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    name: object.metadata.name,
    owners: ownersFromMarks(object.metadata),
    subjectNamespaces: [
      ...new Set(
        subjects
          .filter((subject) => subject.kind === "ServiceAccount")
          .map((subject) => string(subject.namespace) ?? "")
          .filter(Boolean),
      ),
    ].sort(compareText),
  };
}

export function toClaimState(claim: KubeObject): ClaimState {
  const spec = record(claim.spec);
  return {
    name: claim.metadata.name,
    namespace: claim.metadata.namespace ?? "",
    uid: string(claim.metadata.uid) ?? "",
    phase: string(record(claim.status).phase) ?? "Pending",
    volumeName: string(spec.volumeName) || null,
    storageClassName: string(spec.storageClassName) ?? null,
    requestBytes: quantity(record(record(spec.resources).requests).storage),
    accessModes: strings(spec.accessModes),
    ownerReferences: ownerReferences(claim),
    deleting: claim.metadata.deletionTimestamp != null,
  };
}

export function toVolumeState(volume: KubeObject): VolumeState {
  const spec = record(volume.spec);
  const claimRef = spec.claimRef === undefined || spec.claimRef === null ? null : record(spec.claimRef);
  return {
    name: volume.metadata.name,
    uid: string(volume.metadata.uid) ?? "",
    phase: string(record(volume.status).phase) ?? "Pending",
    claimRef: claimRef
      ? {
          namespace: string(claimRef.namespace) ?? "",
          name: string(claimRef.name) ?? "",
          uid: string(claimRef.uid) || null,
        }
      : null,
    capacityBytes: quantity(record(spec.capacity).storage),
    accessModes: strings(spec.accessModes),
    // The API server defaults it, so a PV without one is unusual; it is never assumed to be Retain.
    reclaimPolicy: string(spec.persistentVolumeReclaimPolicy) ?? null,
    storageClassName: string(spec.storageClassName) || null,
    source: volumeSource(spec),
    ownerReferences: ownerReferences(volume),
    dataWrittenBy: dataWriterOf(volume.metadata.annotations),
  };
}

export function toObjectState(object: KubeObject): ObjectState {
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    name: object.metadata.name,
    namespace: object.metadata.namespace ?? null,
    uid: string(object.metadata.uid) ?? "",
    labels: object.metadata.labels ?? {},
    ownerReferences: ownerReferences(object),
  };
}

export function isEstablished(crd: KubeObject): boolean {
  return records(record(crd.status).conditions).some(
    (condition) => condition.type === "Established" && condition.status === "True",
  );
}

const DEFAULT_CLASS_ANNOTATIONS = [
  "storageclass.kubernetes.io/is-default-class",
  "storageclass.beta.kubernetes.io/is-default-class",
];

export function toStorageClassState(storageClass: KubeObject): ClusterSnapshot["storageClasses"][number] {
  const annotations = storageClass.metadata.annotations ?? {};
  return {
    name: storageClass.metadata.name,
    isDefault: DEFAULT_CLASS_ANNOTATIONS.some((key) => annotations[key] === "true"),
    provisioner: string(storageClass.provisioner) ?? "",
    reclaimPolicy: string(storageClass.reclaimPolicy) ?? "Delete",
  };
}

const INSTALL_CONFIG_PREFIX = "pipeline-install-config";
const API_SERVER_DEPLOYMENT = "ml-pipeline";

/**
 * `pipeline-install-config` appVersion when there is one (the exact name first, then kustomize-suffixed names),
 * else the tag of the `ml-pipeline` Deployment's api-server image (`…/api-server:0.1.12`, `…/kfp-api-server:2.5.0`).
 */
export function detectInstalledVersion(
  configMaps: KubeObject[],
  deployments: KubeObject[],
): Pick<ClusterSnapshot, "installedVersion" | "versionSource"> {
  const candidates = configMaps
    .filter((configMap) => configMap.metadata.name.startsWith(INSTALL_CONFIG_PREFIX))
    .sort(
      (a, b) =>
        rank(a.metadata.name) - rank(b.metadata.name) || compareText(a.metadata.name, b.metadata.name),
    );
  for (const configMap of candidates) {
    const appVersion = string(record(configMap.data).appVersion)?.trim();
    if (appVersion) return { installedVersion: appVersion, versionSource: "appVersion" };
  }
  const apiServer = deployments.find((deployment) => deployment.metadata.name === API_SERVER_DEPLOYMENT);
  if (apiServer) {
    const containers = toDeploymentState(apiServer).containers;
    const container =
      containers.find((candidate) => candidate.name === "ml-pipeline-api-server") ??
      containers.find((candidate) => /api-server/.test(candidate.image)) ??
      containers[0];
    const tag = container ? imageTag(container.image) : null;
    if (tag) return { installedVersion: tag.replace(/^v(?=\d)/, ""), versionSource: "image" };
  }
  return { installedVersion: null, versionSource: "none" };
}

/** `registry:5000/repo/name:tag@sha256:…` → `tag`; null without a tag. */
export function imageTag(image: string): string | null {
  const withoutDigest = image.split("@")[0] ?? "";
  const lastSlash = withoutDigest.lastIndexOf("/");
  const lastColon = withoutDigest.lastIndexOf(":");
  return lastColon > lastSlash ? withoutDigest.slice(lastColon + 1) || null : null;
}

function rank(name: string): number {
  return name === INSTALL_CONFIG_PREFIX ? 0 : 1;
}

function ownerReferences(object: KubeObject): OwnerReference[] {
  return records(object.metadata.ownerReferences).map((owner) => ({
    apiVersion: string(owner.apiVersion) ?? "",
    kind: string(owner.kind) ?? "",
    name: string(owner.name) ?? "",
    uid: string(owner.uid) ?? "",
  }));
}

function quantity(value: unknown): number {
  if (typeof value !== "string" && typeof value !== "number") return 0;
  return parseQuantityOrNull(value) ?? 0;
}

function record(value: unknown): Json {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

function records(value: unknown): Json[] {
  return Array.isArray(value) ? value.map(record) : [];
}

function string(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function number(value: unknown): number | undefined {
  return typeof value === "number" ? value : undefined;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

function stringMap(value: unknown): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record(value)).filter(([, item]) => typeof item === "string"),
  ) as Record<string, string>;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

import {
  toClusterObjectState,
  toCrdState,
  toDeploymentState,
  toObjectState,
} from "../../src/kube/snapshot-state.js";
import { KFP_CLUSTER_KINDS, KFP_LABEL_KEY, PRUNE_CANDIDATE_KINDS } from "../../src/kube/take-snapshot.js";
import { OWNER_LABEL, OWNERS_ANNOTATION } from "../../src/model/cluster-ownership.js";
import {
  type ClaimState,
  type ClusterObjectState,
  type ClusterSnapshot,
  clusterSnapshotSchema,
  type DeploymentState,
  type ObjectState,
  type OwnerReference,
  type VolumeSource,
  type VolumeState,
} from "../../src/model/cluster-snapshot.js";
import type { DataWriter } from "../../src/model/data-writer.js";
import { type FieldManager, type ObjectOwnership, ownershipOf } from "../../src/model/field-owners.js";
import type { KubeObject } from "../../src/model/kube-object.js";
import { parseQuantityOrNull } from "../../src/model/quantity.js";
import { runningServers } from "../../src/model/running-servers.js";
import { DEFAULT_SERVED_API_VERSIONS } from "./fake-kube-client.js";

export interface VolumeOptions {
  uid?: string;
  phase?: string;
  claimRef?: { namespace: string; name: string; uid: string | null } | null;
  capacity?: string;
  accessModes?: string[];
  /** null: the PV has none (read as not Retain). */
  reclaimPolicy?: string | null;
  storageClassName?: string | null;
  source?: VolumeSource;
  ownerReferences?: OwnerReference[];
  /** What last wrote the data (the data-written-by annotation). */
  dataWrittenBy?: DataWriter | null;
}

export interface BoundClaimOptions {
  /** The PV's UID. */
  uid?: string;
  reclaimPolicy?: string;
  capacity?: string;
  accessModes?: string[];
  claimUid?: string;
  /** Owner references of the claim (0.5.1's Application owned the PVCs). */
  ownerReferences?: OwnerReference[];
  volumeOwnerReferences?: OwnerReference[];
  storageClassName?: string | null;
  source?: VolumeSource;
  dataWrittenBy?: DataWriter | null;
  /** The claim is being deleted (deletionTimestamp set), e.g. held by a finalizer or a pod still using it. */
  deleting?: boolean;
}

export interface DeploymentOptions {
  containers: { name: string; image: string }[];
  selector?: Record<string, string>;
  labels?: Record<string, string>;
  replicas?: number;
  /** PVCs its pod template mounts. */
  claims?: string[];
  /** Secrets the pod template references through env/envFrom. */
  secretRefs?: string[];
}

export interface CrdOptions {
  served?: string[];
  stored?: string[];
  appliedByRelease?: string | null;
  owners?: string[];
}

/** Kinds `takeSnapshot` reads into `objects` for the namespace (besides PVCs, which come from the claims). */
const NAMESPACED_OBJECT_KINDS = new Set([
  "ConfigMap",
  "Deployment",
  "Secret",
  "Application",
  ...PRUNE_CANDIDATE_KINDS.map((k) => k.kind),
]);
const LABELLED_CLUSTER_KINDS = new Set([...KFP_CLUSTER_KINDS.map((k) => k.kind), "CustomResourceDefinition"]);

const CLUSTER_SCOPED = new Set([
  "Namespace",
  "CustomResourceDefinition",
  "ClusterRole",
  "ClusterRoleBinding",
  "PriorityClass",
  "StorageClass",
  "PersistentVolume",
  "CSIDriver",
  "MutatingWebhookConfiguration",
  "ValidatingWebhookConfiguration",
  "APIService",
]);

const GI = 2 ** 30;

/** How another tool left the objects: its field managers, and its marks on every object. */
export interface InstallerOptions {
  /** Field managers of every object (the installer's own, as the API server records them). */
  managers?: Array<Pick<FieldManager, "manager" | "operation">>;
  /** `kubectl.kubernetes.io/last-applied-configuration` on every object. */
  lastApplied?: boolean;
  helmRelease?: { name: string; namespace: string };
  argoCdApp?: string;
  flux?: NonNullable<ObjectOwnership["flux"]>;
}

/** What `kubectl apply -f` (client-side) of a bundle leaves on every object. */
export const KUBECTL_CLIENT_SIDE: InstallerOptions = {
  managers: [{ manager: "kubectl-client-side-apply", operation: "Update" }],
  lastApplied: true,
};

/**
 * Builds a ClusterSnapshot the way `takeSnapshot` would read it from a cluster, without one:
 * `aSnapshot().withNamespace("kubeflow").withBoundClaim("mysql-pv-claim", "pv-a", {uid: "uid-a"}).build()`.
 * Starts as an empty, modern cluster (no namespace, no StorageClass, current API versions only).
 */
export function aSnapshot(namespace = "kubeflow"): SnapshotBuilder {
  return new SnapshotBuilder(namespace);
}

export class SnapshotBuilder {
  private context: string | null = "test-context";
  private readonly namespace: ClusterSnapshot["namespace"];
  private installedVersion: string | null = null;
  private versionSource: ClusterSnapshot["versionSource"] = "none";
  private readonly deployments: DeploymentState[] = [];
  private readonly claims: ClaimState[] = [];
  private readonly volumes: VolumeState[] = [];
  private readonly crds: ClusterSnapshot["crds"] = [];
  private readonly secrets: string[] = [];
  private readonly storageClasses: ClusterSnapshot["storageClasses"] = [];
  private readonly csiDrivers: string[] = [];
  private servedApiVersions: string[] = [...DEFAULT_SERVED_API_VERSIONS];
  private readonly objects: ObjectState[] = [];
  private readonly clusterObjects: ClusterObjectState[] = [];
  private readonly otherInstalls: string[] = [];
  private readonly otherNamespaces: string[] = [];
  /** Labels of the release's PVCs, so data claims appear in `objects` as a real install shows them. */
  private readonly claimLabels = new Map<string, Record<string, string>>();
  /** Who installed each object the snapshot reads, by `kind/namespace/name`. */
  private readonly ownership = new Map<string, ObjectOwnership>();
  private installer: InstallerOptions = {};
  private readonly helmReleases: ClusterSnapshot["helmReleases"] = [];

  constructor(namespace: string) {
    this.namespace = { name: namespace, exists: false, phase: null };
  }

  withContext(context: string | null): this {
    this.context = context;
    return this;
  }

  /** The namespace exists (Active unless told otherwise). */
  withNamespace(phase: "Active" | "Terminating" = "Active"): this {
    this.namespace.exists = true;
    this.namespace.phase = phase;
    return this;
  }

  withInstalledVersion(version: string, source: ClusterSnapshot["versionSource"] = "appVersion"): this {
    this.installedVersion = version;
    this.versionSource = source;
    return this.withNamespace(this.namespace.phase === "Terminating" ? "Terminating" : "Active");
  }

  /**
   * What a cluster holds after `kubectl apply` of a release's objects (rendered for this namespace): Deployments
   * rolled out, CRDs Established and served, Secrets by name, and the objects a prune considers. Data claims and
   * their PVs are not bound by this: add them with `withBoundClaim`.
   */
  withInstalled(version: string, objects: readonly KubeObject[]): this {
    this.withInstalledVersion(version);
    for (const object of objects) {
      // A namespaced object without a namespace (0.5.1's cluster-scoped install ConfigMap) lands in the current one.
      const namespace =
        object.metadata.namespace ?? (CLUSTER_SCOPED.has(object.kind) ? null : this.namespace.name);
      const stamped: KubeObject = {
        ...object,
        metadata: {
          ...object.metadata,
          ...(namespace === null ? {} : { namespace }),
          uid: object.metadata.uid ?? uidFor(object.kind, object.metadata.name),
        },
      };
      if (
        (namespace === null && (LABELLED_CLUSTER_KINDS.has(object.kind) || object.kind === "Namespace")) ||
        (namespace === this.namespace.name &&
          (NAMESPACED_OBJECT_KINDS.has(object.kind) || object.kind === "PersistentVolumeClaim"))
      ) {
        this.own(ownershipOf(stamped));
      }
      if (object.kind === "CustomResourceDefinition") {
        this.crds.push(
          toCrdState({ ...stamped, status: { conditions: [{ type: "Established", status: "True" }] } }, null),
        );
        this.serve(...crdGroupVersions(object));
        if (isMarked(object)) this.objects.push(toObjectState(stamped));
        continue;
      }
      if (namespace === null && LABELLED_CLUSTER_KINDS.has(object.kind)) {
        this.clusterObjects.push(toClusterObjectState(stamped));
      }
      if (namespace !== null && namespace !== this.namespace.name) continue;
      if (object.kind === "PersistentVolumeClaim") {
        this.claimLabels.set(object.metadata.name, object.metadata.labels ?? {});
        continue;
      }
      if (object.kind === "Deployment") {
        const replicas = (object.spec as { replicas?: number } | undefined)?.replicas ?? 1;
        this.deployments.push(
          toDeploymentState({
            ...stamped,
            status: {
              replicas,
              readyReplicas: replicas,
              availableReplicas: replicas,
              updatedReplicas: replicas,
            },
          }),
        );
      }
      if (object.kind === "Secret") this.secrets.push(object.metadata.name);
      if (namespace !== null && NAMESPACED_OBJECT_KINDS.has(object.kind)) {
        this.objects.push(toObjectState(stamped));
      } else if (namespace === null && LABELLED_CLUSTER_KINDS.has(object.kind) && isMarked(object)) {
        this.objects.push(toObjectState(stamped));
      }
    }
    return this;
  }

  /** A Deployment as the snapshot reads it, e.g. a ksonnet-era install that no bundle describes. */
  withDeployment(name: string, options: DeploymentOptions): this {
    const selector = options.selector ?? { app: name };
    const replicas = options.replicas ?? 1;
    this.deployments.push({
      name,
      namespace: this.namespace.name,
      uid: uidFor("Deployment", name),
      labels: options.labels ?? selector,
      selector,
      containers: options.containers,
      secretRefs: [...(options.secretRefs ?? [])].sort(compareText),
      replicas,
      readyReplicas: replicas,
      availableReplicas: replicas,
      updatedReplicas: replicas,
      claims: options.claims ?? [],
      strategy: null,
    });
    this.objects.push({
      apiVersion: "apps/v1",
      kind: "Deployment",
      name,
      namespace: this.namespace.name,
      uid: uidFor("Deployment", name),
      labels: options.labels ?? selector,
      ownerReferences: [],
    });
    this.own(bareOwnership("apps/v1", "Deployment", name, this.namespace.name));
    return this;
  }

  /** A PV; Available unless a claimRef says otherwise. */
  withVolume(name: string, options: VolumeOptions = {}): this {
    const claimRef = options.claimRef ?? null;
    this.volumes.push({
      name,
      uid: options.uid ?? uidFor("PersistentVolume", name),
      phase: options.phase ?? (claimRef ? "Bound" : "Available"),
      claimRef,
      capacityBytes: parseQuantityOrNull(options.capacity ?? "20Gi") ?? 20 * GI,
      accessModes: options.accessModes ?? ["ReadWriteOnce"],
      reclaimPolicy: options.reclaimPolicy === undefined ? "Retain" : options.reclaimPolicy,
      storageClassName: options.storageClassName ?? null,
      source: options.source ?? { type: "hostPath", path: `/data/${name}` },
      ownerReferences: options.ownerReferences ?? [],
      dataWrittenBy: options.dataWrittenBy ?? null,
    });
    return this;
  }

  /** A PV whose claim was deleted: Released, with the stale claimRef still set. */
  withReleasedVolume(name: string, claim: string, options: VolumeOptions = {}): this {
    return this.withVolume(name, {
      ...options,
      phase: "Released",
      claimRef: { namespace: this.namespace.name, name: claim, uid: `${claim}-old-uid` },
    });
  }

  /** A data claim Bound to a PV (created here too), as the PV controller leaves them. */
  withBoundClaim(claim: string, volume: string, options: BoundClaimOptions = {}): this {
    const claimUid = options.claimUid ?? uidFor("PersistentVolumeClaim", claim);
    const capacity = options.capacity ?? "20Gi";
    const accessModes = options.accessModes ?? ["ReadWriteOnce"];
    this.withNamespace(this.namespace.phase === "Terminating" ? "Terminating" : "Active");
    this.claims.push({
      name: claim,
      namespace: this.namespace.name,
      uid: claimUid,
      phase: "Bound",
      volumeName: volume,
      storageClassName: options.storageClassName === undefined ? "" : options.storageClassName,
      requestBytes: parseQuantityOrNull("20Gi") ?? 20 * GI,
      accessModes,
      ownerReferences: options.ownerReferences ?? [],
      deleting: options.deleting ?? false,
    });
    const volumeOptions: VolumeOptions = {
      phase: "Bound",
      claimRef: { namespace: this.namespace.name, name: claim, uid: claimUid },
      capacity,
      accessModes,
      ...(options.uid === undefined ? {} : { uid: options.uid }),
      ...(options.reclaimPolicy === undefined ? {} : { reclaimPolicy: options.reclaimPolicy }),
      ...(options.source === undefined ? {} : { source: options.source }),
      ...(options.dataWrittenBy === undefined ? {} : { dataWrittenBy: options.dataWrittenBy }),
      ...(options.volumeOwnerReferences === undefined
        ? {}
        : { ownerReferences: options.volumeOwnerReferences }),
    };
    return this.withVolume(volume, volumeOptions);
  }

  withStorageClass(name: string, options: { isDefault?: boolean; reclaimPolicy?: string } = {}): this {
    this.storageClasses.push({
      name,
      isDefault: options.isDefault ?? false,
      provisioner: "rancher.io/local-path",
      reclaimPolicy: options.reclaimPolicy ?? "Delete",
    });
    return this;
  }

  withDefaultStorageClass(name = "standard"): this {
    return this.withStorageClass(name, { isDefault: true });
  }

  withCsiDriver(name: string): this {
    this.csiDrivers.push(name);
    return this;
  }

  /** KFP runs in another namespace too (its `deployment/ml-pipeline`); the namespace exists. */
  withOtherInstall(namespace: string): this {
    this.otherInstalls.push(namespace);
    return this.withOtherNamespace(namespace);
  }

  withOtherNamespace(namespace: string): this {
    this.otherNamespaces.push(namespace);
    return this;
  }

  /**
   * A cluster-scoped object as another install (or this one) left it: `owners` become kfp-upgrade's marks, a
   * ClusterRoleBinding's subjects are ServiceAccounts in `subjectNamespaces`.
   */
  withClusterObject(
    kind: "ClusterRole" | "ClusterRoleBinding" | "PriorityClass",
    name: string,
    options: { owners?: string[]; subjectNamespaces?: string[]; kfpLabel?: boolean } = {},
  ): this {
    const apiVersion = kind === "PriorityClass" ? "scheduling.k8s.io/v1" : "rbac.authorization.k8s.io/v1";
    const owners = options.owners ?? [];
    const object: KubeObject = {
      apiVersion,
      kind,
      metadata: {
        name,
        uid: uidFor(kind, name),
        labels: {
          ...(options.kfpLabel ? { [KFP_LABEL_KEY]: "kubeflow-pipelines" } : {}),
          ...(owners[0] ? { [OWNER_LABEL]: owners[0] } : {}),
        },
        ...(owners.length > 0 ? { annotations: { [OWNERS_ANNOTATION]: owners.join(",") } } : {}),
      },
      ...(kind === "ClusterRoleBinding"
        ? {
            subjects: (options.subjectNamespaces ?? []).map((namespace) => ({
              kind: "ServiceAccount",
              name: "kubeflow-pipelines-cache-deployer-sa",
              namespace,
            })),
          }
        : {}),
    };
    // Replaces what `withInstalled` put there under the same name.
    const same = (o: { kind: string; name: string; namespace?: string | null }) =>
      o.kind === kind && o.name === name && !o.namespace;
    this.clusterObjects.splice(0, this.clusterObjects.length, ...this.clusterObjects.filter((o) => !same(o)));
    this.objects.splice(0, this.objects.length, ...this.objects.filter((o) => !same(o)));
    this.clusterObjects.push(toClusterObjectState(object));
    if (isMarked(object)) this.objects.push(toObjectState(object));
    this.own(ownershipOf(object));
    return this;
  }

  /** Changes (or adds) a CRD as the cluster serves it: versions, who applied it last, its owners. */
  withCrd(name: string, options: CrdOptions): this {
    const index = this.crds.findIndex((crd) => crd.name === name);
    const known = this.crds[index];
    const crd = {
      name,
      established: true,
      managedBy: known?.managedBy ?? null,
      servedVersions: options.served ?? known?.servedVersions ?? [],
      storedVersions: options.stored ?? known?.storedVersions ?? [],
      appliedByRelease:
        options.appliedByRelease === undefined ? (known?.appliedByRelease ?? null) : options.appliedByRelease,
      owners: options.owners ?? known?.owners ?? [],
    };
    if (index >= 0) this.crds[index] = crd;
    else this.crds.push(crd);
    const key = ownershipKey("CustomResourceDefinition", null, name);
    if (!this.ownership.has(key)) {
      this.own(bareOwnership("apiextensions.k8s.io/v1", "CustomResourceDefinition", name, null));
    }
    return this;
  }

  withSecret(name: string): this {
    this.secrets.push(name);
    this.own(bareOwnership("v1", "Secret", name, this.namespace.name));
    return this;
  }

  /**
   * Every object the snapshot reads was installed by another tool: its field managers and marks, as
   * `installedBy(KUBECTL_CLIENT_SIDE)` or `installedBy({managers: [{manager: "helm", …}], helmRelease: …})`. Applies
   * to objects added before and after; objects that already name field managers keep theirs.
   */
  installedBy(installer: InstallerOptions): this {
    this.installer = installer;
    return this;
  }

  /** A Helm release's records (Secrets `sh.helm.release.v1.<name>.v<N>`), as the snapshot lists them. */
  withHelmReleaseRecords(name: string, namespace: string, revisions: number): this {
    this.helmReleases.push({
      name,
      namespace,
      records: Array.from({ length: revisions }, (_, index) => {
        const record = `sh.helm.release.v1.${name}.v${index + 1}`;
        return { kind: "Secret" as const, name: record, uid: uidFor("Secret", record) };
      }),
    });
    return this;
  }

  /** Replaces who owns one object, e.g. a kubectl-installed one kfp-upgrade applied since. */
  withOwnership(
    kind: string,
    name: string,
    options: { namespace?: string | null; managers: Array<Pick<FieldManager, "manager" | "operation">> },
  ): this {
    const namespace = options.namespace === undefined ? this.namespace.name : options.namespace;
    const key = ownershipKey(kind, namespace, name);
    const known = this.ownership.get(key);
    if (!known) throw new Error(`no object ${key} in the snapshot`);
    this.ownership.set(key, { ...known, managers: options.managers.map(withDefaults(known.apiVersion)) });
    return this;
  }

  /** Helm's ownership marks on one object (e.g. a claim a chart made), whoever installed the rest. */
  withHelmMarks(kind: string, name: string, release: string, releaseNamespace: string): this {
    const key = ownershipKey(kind, CLUSTER_SCOPED.has(kind) ? null : this.namespace.name, name);
    const known =
      this.ownership.get(key) ??
      (kind === "PersistentVolumeClaim" ? bareOwnership("v1", kind, name, this.namespace.name) : undefined);
    if (!known) throw new Error(`no object ${key} in the snapshot`);
    this.ownership.set(key, { ...known, helmRelease: { name: release, namespace: releaseNamespace } });
    return this;
  }

  private own(entry: ObjectOwnership): void {
    this.ownership.set(ownershipKey(entry.kind, entry.namespace, entry.name), entry);
  }

  /** Replaces the served group versions (discovery), e.g. an old cluster that still serves v1beta1 APIs. */
  withServedApiVersions(versions: string[]): this {
    this.servedApiVersions = [...versions];
    return this;
  }

  serve(...versions: string[]): this {
    for (const version of versions) {
      if (!this.servedApiVersions.includes(version)) this.servedApiVersions.push(version);
    }
    return this;
  }

  build(): ClusterSnapshot {
    const claimObjects: ObjectState[] = this.claims.map((claim) => ({
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      name: claim.name,
      namespace: claim.namespace,
      uid: claim.uid,
      labels: this.claimLabels.get(claim.name) ?? {},
      ownerReferences: claim.ownerReferences,
    }));
    const ownership = [...this.ownership.values()];
    const hasOwnership = (kind: string, namespace: string | null, name: string) =>
      this.ownership.has(ownershipKey(kind, namespace, name));
    for (const claim of this.claims) {
      if (!hasOwnership("PersistentVolumeClaim", claim.namespace, claim.name)) {
        ownership.push(bareOwnership("v1", "PersistentVolumeClaim", claim.name, claim.namespace));
      }
    }
    if (this.namespace.exists && !hasOwnership("Namespace", null, this.namespace.name)) {
      ownership.push(bareOwnership("v1", "Namespace", this.namespace.name, null));
    }
    const byName = <T extends { name: string }>(items: T[]) =>
      [...items].sort((a, b) => compareText(a.name, b.name));
    return clusterSnapshotSchema.parse({
      context: this.context,
      namespace: { ...this.namespace },
      installedVersion: this.installedVersion,
      versionSource: this.versionSource,
      deployments: byName(this.deployments),
      running: runningServers(this.deployments),
      claims: byName(this.claims),
      volumes: byName(this.volumes),
      crds: byName(this.crds),
      otherInstalls: [...this.otherInstalls].sort(compareText),
      namespaces: [
        ...new Set([...(this.namespace.exists ? [this.namespace.name] : []), ...this.otherNamespaces]),
      ].sort(compareText),
      clusterObjects: [...this.clusterObjects].sort(
        (a, b) => compareText(a.kind, b.kind) || compareText(a.name, b.name),
      ),
      secrets: [...new Set(this.secrets)].sort(compareText),
      storageClasses: byName(this.storageClasses),
      csiDrivers: [...this.csiDrivers].sort(compareText),
      servedApiVersions: [...this.servedApiVersions].sort(compareText),
      objects: [...this.objects, ...claimObjects].sort(
        (a, b) =>
          compareText(a.kind, b.kind) ||
          compareText(a.namespace ?? "", b.namespace ?? "") ||
          compareText(a.name, b.name),
      ),
      ownership: ownership
        .map((entry) => withInstaller(entry, this.installer))
        .sort(
          (a, b) =>
            compareText(a.kind, b.kind) ||
            compareText(a.namespace ?? "", b.namespace ?? "") ||
            compareText(a.name, b.name),
        ),
      helmReleases: [...this.helmReleases].sort(
        (a, b) => compareText(a.namespace, b.namespace) || compareText(a.name, b.name),
      ),
    });
  }
}

function ownershipKey(kind: string, namespace: string | null, name: string): string {
  return `${kind}/${namespace ?? ""}/${name}`;
}

function bareOwnership(
  apiVersion: string,
  kind: string,
  name: string,
  namespace: string | null,
): ObjectOwnership {
  return ownershipOf({ apiVersion, kind, metadata: { name, ...(namespace === null ? {} : { namespace }) } });
}

function withDefaults(apiVersion: string) {
  return (entry: Pick<FieldManager, "manager" | "operation">): FieldManager => ({
    ...entry,
    apiVersion,
    subresource: null,
  });
}

/** The installer's managers and marks on an object that names none of its own. */
function withInstaller(entry: ObjectOwnership, installer: InstallerOptions): ObjectOwnership {
  return {
    ...entry,
    managers:
      entry.managers.length > 0
        ? entry.managers
        : (installer.managers ?? []).map(withDefaults(entry.apiVersion)),
    lastApplied: entry.lastApplied || installer.lastApplied === true,
    helmRelease: entry.helmRelease ?? installer.helmRelease ?? null,
    argoCdApp: entry.argoCdApp ?? installer.argoCdApp ?? null,
    flux: entry.flux ?? installer.flux ?? null,
  };
}

/** What `takeSnapshot` reads into `objects` among cluster-scoped objects: KFP's label or kfp-upgrade's marks. */
function isMarked(object: KubeObject): boolean {
  return (
    object.metadata.labels?.[KFP_LABEL_KEY] !== undefined ||
    object.metadata.labels?.[OWNER_LABEL] !== undefined ||
    object.metadata.annotations?.[OWNERS_ANNOTATION] !== undefined
  );
}

/** Deterministic UIDs, so rendered plans are stable: `uid-persistentvolume-kfp-mysql`. */
export function uidFor(kind: string, name: string): string {
  return `uid-${kind.toLowerCase()}-${name}`;
}

function crdGroupVersions(crd: KubeObject): string[] {
  const spec = (crd.spec ?? {}) as { group?: string; version?: string; versions?: { name: string }[] };
  const names = spec.versions?.map((v) => v.name) ?? (spec.version ? [spec.version] : []);
  return names.map((name) => `${spec.group}/${name}`);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

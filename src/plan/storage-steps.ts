import type { KfpApp } from "../app/kfp-app.js";
import type { ClusterSnapshot, VolumeState } from "../model/cluster-snapshot.js";
import type { KubeObject } from "../model/kube-object.js";
import { parseQuantity } from "../model/quantity.js";
import type { Release } from "../release/release.js";
import { checkVolumeFits } from "../storage/check-volume-fits.js";
import { claimObject } from "../storage/claim-object.js";
import { gcpDiskVolume } from "../storage/gcp-disk-volume.js";
import { resolveVolumeStorage } from "../storage/resolve-volume-storage.js";
import type { Plan } from "./plan.js";
import type { ClaimBinding, DataRole } from "./step.js";
import type { StepDraft } from "./step-list.js";

export type SavedVolumes = Partial<Record<"mysql" | "objectStore", KubeObject>>;

export interface StorageStepsResult {
  /** Steps that protect data already there (Retain), run before anything else. */
  protect: StepDraft[];
  /** Steps that create or re-attach volumes and claims. */
  provide: StepDraft[];
  /** Steps after workloads are applied: wait for binding, then Retain for provisioned volumes. */
  settle: StepDraft[];
  bindings: ClaimBinding[];
  storage: Plan["storage"];
  refusals: string[];
  notes: string[];
  warnings: string[];
}

const ROLE_LABEL: Record<"mysql" | "objectStore", string> = { mysql: "MySQL", objectStore: "object store" };

export function storageSteps(input: {
  app: KfpApp;
  snapshot: ClusterSnapshot;
  release: Release;
  namespace: string;
  savedVolumes?: SavedVolumes;
}): StorageStepsResult {
  const { app, snapshot, release, namespace } = input;
  const result: StorageStepsResult = {
    protect: [],
    provide: [],
    settle: [],
    bindings: [],
    storage: [],
    refusals: [],
    notes: [],
    warnings: [],
  };
  const provisioned: string[] = [];
  for (const role of ["mysql", "objectStore"] as const) {
    const claimName = release.dataClaims[role];
    const label = `${ROLE_LABEL[role]} volume (${claimName})`;
    const template = release.objects.find(
      (object) => object.kind === "PersistentVolumeClaim" && object.metadata.name === claimName,
    );
    const desired = claimObject({
      name: claimName,
      namespace,
      template,
      storage: { mode: "default", note: null },
      volumeName: null,
    });
    const requestBytes = parseQuantity(
      ((desired.spec as { resources: { requests: { storage: string } } }).resources.requests
        .storage as string) ?? "20Gi",
    );
    const accessModes = (desired.spec as { accessModes: string[] }).accessModes;
    const existing = snapshot.claims.find(
      (claim) => claim.name === claimName && claim.namespace === namespace,
    );

    if (existing && !existing.deleting) {
      const volume = existing.volumeName
        ? snapshot.volumes.find((v) => v.name === existing.volumeName)
        : undefined;
      const wanted = app.storage[role].pvName;
      if (wanted && existing.volumeName && wanted !== existing.volumeName && !app.storage[role].gcpDisk) {
        result.refusals.push(
          `${label}: claim ${namespace}/${claimName} is bound to PV "${existing.volumeName}", but the app asks for PV "${wanted}"; a claim's volume cannot change in place`,
        );
      }
      if (existing.phase !== "Bound") {
        result.warnings.push(`${label}: claim ${namespace}/${claimName} is ${existing.phase}, not Bound`);
      }
      if (volume) protectVolume(volume, label, result);
      result.bindings.push({
        role,
        claim: claimName,
        volumeName: existing.volumeName,
        volumeUid: volume?.uid ?? null,
      });
      result.storage.push({
        role,
        claim: claimName,
        mode: "existing",
        volumeName: existing.volumeName,
        detail: volume
          ? `bound to PV ${volume.name} (uid ${volume.uid}, ${volume.reclaimPolicy})`
          : `claim is ${existing.phase}`,
      });
      continue;
    }

    let resolved: ReturnType<typeof resolveVolumeStorage>;
    try {
      resolved = resolveVolumeStorage(label, app.storage[role], app.platform);
    } catch (error) {
      result.refusals.push((error as Error).message);
      continue;
    }
    if (resolved.note) result.notes.push(resolved.note);
    const saved = input.savedVolumes?.[role];
    let volumeName: string | null = null;
    let volumeClass: string | null = null;
    let detail: string;
    let mode: Plan["storage"][number]["mode"] = resolved.mode;

    if (
      resolved.mode === "pvName" ||
      (saved && (resolved.mode === "default" || resolved.mode === "storageClass"))
    ) {
      volumeName = resolved.mode === "pvName" ? resolved.pvName : (saved?.metadata.name ?? null);
      if (volumeName === null) continue;
      mode = "pvName";
      const volume = snapshot.volumes.find((v) => v.name === volumeName);
      if (volume) {
        volumeClass = volume.storageClassName;
        const problems = checkVolumeFits(volume, { namespace, name: claimName, requestBytes, accessModes });
        result.refusals.push(...problems.map((problem) => `${label}: ${problem}`));
        protectVolume(volume, label, result);
        if (volume.phase === "Released" && volume.claimRef) {
          result.provide.push({
            kind: "releaseClaimRef",
            volume: volume.name,
            staleClaim: volume.claimRef,
            claim: { namespace, name: claimName },
          });
        }
        result.bindings.push({ role, claim: claimName, volumeName, volumeUid: volume.uid });
        detail = `pre-created PV ${volumeName} (uid ${volume.uid}, ${volume.phase}, ${volume.reclaimPolicy})`;
      } else if (saved && saved.metadata.name === volumeName) {
        volumeClass = (saved.spec as { storageClassName?: string } | undefined)?.storageClassName || null;
        result.provide.push({
          kind: "ensureVolume",
          role,
          volume: reservedFor(saved, namespace, claimName),
          exists: false,
        });
        result.bindings.push({ role, claim: claimName, volumeName, volumeUid: null });
        detail = `PV ${volumeName} recreated from the saved definition in .kfp-upgrade/volumes/`;
      } else {
        result.refusals.push(
          `${label}: PV "${volumeName}" does not exist in the cluster${saved ? "" : " and no saved definition was found"}`,
        );
        continue;
      }
    } else if (resolved.mode === "gcpDisk") {
      if (app.platform.type !== "gcp") continue;
      volumeName = `${namespace}-${claimName}`;
      const volume = snapshot.volumes.find((v) => v.name === volumeName);
      if (volume) {
        volumeClass = volume.storageClassName;
        if (volume.source.type !== "other" && !describesDisk(volume, resolved.disk)) {
          result.refusals.push(
            `${label}: PV "${volumeName}" exists but is not backed by GCP disk "${resolved.disk}"`,
          );
        }
        if (volume.phase === "Released" && volume.claimRef) {
          result.provide.push({
            kind: "releaseClaimRef",
            volume: volume.name,
            staleClaim: volume.claimRef,
            claim: { namespace, name: claimName },
          });
        }
        protectVolume(volume, label, result);
        result.bindings.push({ role, claim: claimName, volumeName, volumeUid: volume.uid });
      } else {
        const pv = gcpDiskVolume({
          volumeName,
          disk: resolved.disk,
          project: app.platform.project,
          zone: app.platform.zone,
          useCsi: snapshot.csiDrivers.includes("pd.csi.storage.gke.io"),
        });
        result.provide.push({
          kind: "ensureVolume",
          role,
          volume: reservedFor(pv, namespace, claimName),
          exists: false,
        });
        result.bindings.push({ role, claim: claimName, volumeName, volumeUid: null });
      }
      detail = `GCP disk ${resolved.disk} as PV ${volumeName} (${snapshot.csiDrivers.includes("pd.csi.storage.gke.io") ? "CSI pd.csi.storage.gke.io" : "in-tree gcePersistentDisk"})`;
    } else {
      const className =
        resolved.mode === "storageClass"
          ? resolved.storageClass
          : snapshot.storageClasses.find((storageClass) => storageClass.isDefault)?.name;
      if (!className) {
        result.refusals.push(
          `${label}: the cluster has no default StorageClass, so the claim would stay Pending (kubeflow/kubeflow#3481)`,
        );
        continue;
      }
      if (resolved.mode === "storageClass" && !snapshot.storageClasses.some((sc) => sc.name === className)) {
        result.refusals.push(`${label}: StorageClass "${className}" does not exist`);
        continue;
      }
      provisioned.push(claimName);
      result.bindings.push({ role, claim: claimName, volumeName: null, volumeUid: null });
      detail = `provisioned by StorageClass ${className}; its PV is switched to Retain once bound`;
    }
    result.provide.push({
      kind: "ensureClaim",
      role,
      claim: claimObject({
        name: claimName,
        namespace,
        template,
        storage: resolved,
        volumeName,
        volumeClass,
      }),
      exists: false,
    });
    result.storage.push({ role, claim: claimName, mode, volumeName, detail });
  }

  if (result.bindings.length > 0) {
    result.settle.push({ kind: "waitBound", namespace, claims: result.bindings });
  }
  if (provisioned.length > 0) {
    result.settle.push({ kind: "retainClaimVolumes", namespace, claims: provisioned });
  }
  return result;
}

/**
 * The PV with a claimRef naming its claim but no uid: the binder keeps it for that claim alone (a PV without a
 * claimRef is Available to any claim of its class, e.g. one the default StorageClass would otherwise provision).
 */
function reservedFor(volume: KubeObject, namespace: string, claimName: string): KubeObject {
  return {
    ...volume,
    spec: {
      ...(volume.spec as Record<string, unknown> | undefined),
      claimRef: { apiVersion: "v1", kind: "PersistentVolumeClaim", namespace, name: claimName },
    },
  };
}

function protectVolume(volume: VolumeState, label: string, result: StorageStepsResult): void {
  if (volume.reclaimPolicy === "Retain") return;
  result.warnings.push(
    `${label}: PV ${volume.name} has reclaim policy ${volume.reclaimPolicy}; deleting its claim would destroy the data, so it is switched to Retain first`,
  );
  result.protect.push({
    kind: "setReclaimPolicy",
    volume: volume.name,
    from: volume.reclaimPolicy,
    to: "Retain",
  });
}

function describesDisk(volume: VolumeState, disk: string): boolean {
  if (volume.source.type === "gcePersistentDisk") return volume.source.pdName === disk;
  if (volume.source.type === "csi") return volume.source.volumeHandle.endsWith(`/disks/${disk}`);
  return false;
}

export type { DataRole };

import type { KfpApp } from "../app/kfp-app.js";
import type { ClusterSnapshot, VolumeState } from "../model/cluster-snapshot.js";
import { type DataWriter, dataWriterOf } from "../model/data-writer.js";
import type { GcpFindings } from "../model/gcp-disk.js";
import type { KubeObject } from "../model/kube-object.js";
import { parseQuantity } from "../model/quantity.js";
import { describeVolumeSource } from "../model/volume-source.js";
import type { Release } from "../release/release.js";
import { checkGcpDisk } from "../storage/check-gcp-disk.js";
import { checkVolumeFits } from "../storage/check-volume-fits.js";
import { claimObject } from "../storage/claim-object.js";
import { findDiskVolumes } from "../storage/find-disk-volumes.js";
import { GCE_PD_CSI_DRIVER, gcpDiskVolume } from "../storage/gcp-disk-volume.js";
import { savedSourceMismatch, staleClaimRefMismatch } from "../storage/match-volume.js";
import { resolveVolumeStorage } from "../storage/resolve-volume-storage.js";
import type { Plan } from "./plan.js";
import type { ClaimBinding, DataRole } from "./step.js";
import type { StepDraft } from "./step-list.js";

export type SavedVolumes = Partial<Record<"mysql" | "objectStore" | "legacyObjectStore", KubeObject>>;

/** The flag that lets a PV whose stale claimRef or saved definition disagrees back a claim all the same. */
export const ACCEPT_VOLUME_MISMATCH_FLAG = "--accept-volume-mismatch";

/** The data a plan would bind, and what last wrote it (from the PV's annotation or its saved definition). */
export interface DataOnVolume {
  role: "mysql" | "objectStore";
  label: string;
  volume: string;
  writer: DataWriter;
}

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
  /**
   * Data claims being deleted (Terminating): their PVs are switched to Retain by `protect`, and the plan is refused
   * with these problems once that has run (it must never provision a replacement over the claim that goes).
   */
  terminating: string[];
  dataOnVolumes: DataOnVolume[];
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
  /** The user said that a PV whose stale claimRef or saved definition disagrees is the right one. */
  acceptVolumeMismatch?: boolean;
  /** GCP disks and nodes read before planning (platform gcp with disks): each disk is checked against them. */
  gcp?: GcpFindings;
}): StorageStepsResult {
  const { app, snapshot, release, namespace } = input;
  const mismatch = (label: string, problem: string | null) => {
    if (problem === null) return;
    if (input.acceptVolumeMismatch) {
      result.warnings.push(`${label}: ${problem}; used anyway, as ${ACCEPT_VOLUME_MISMATCH_FLAG} says`);
    } else {
      result.refusals.push(
        `${label}: ${problem}; pass ${ACCEPT_VOLUME_MISMATCH_FLAG} only if this PV really holds this volume's data`,
      );
    }
  };
  const recordWriter = (
    role: "mysql" | "objectStore",
    label: string,
    volume: string,
    writer: DataWriter | null,
  ) => {
    if (writer) result.dataOnVolumes.push({ role, label, volume, writer });
  };
  const result: StorageStepsResult = {
    protect: [],
    provide: [],
    settle: [],
    bindings: [],
    storage: [],
    refusals: [],
    terminating: [],
    dataOnVolumes: [],
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

    if (existing?.deleting) {
      // Its last pod (or a finalizer) holds it; once it goes, a Delete PV would take the data with it.
      const volume = existing.volumeName
        ? snapshot.volumes.find((v) => v.name === existing.volumeName)
        : undefined;
      const switched = volume ? protectVolume(volume, label, result) : false;
      result.terminating.push(
        volume
          ? `${label}: ${claimName} is being deleted (its pods or a finalizer still hold it); its PV ${volume.name} ${switched ? "is now switched to" : "is"} Retain, so the data survives the claim: wait until the claim is gone and run \`kfp-upgrade reinstall\``
          : `${label}: ${claimName} is being deleted and is bound to no PV; wait until it is gone`,
      );
      continue;
    }

    if (existing) {
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
      if (volume) {
        protectVolume(volume, label, result);
        recordWriter(role, label, volume.name, volume.dataWrittenBy);
      }
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
          ? `bound to PV ${volume.name} (uid ${volume.uid}, ${volume.reclaimPolicy ?? "no reclaim policy"})`
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
        mismatch(label, staleClaimRefMismatch(volume, { namespace, name: claimName }));
        if (saved && saved.metadata.name === volume.name) mismatch(label, savedSourceMismatch(saved, volume));
        protectVolume(volume, label, result);
        recordWriter(
          role,
          label,
          volume.name,
          volume.dataWrittenBy ??
            (saved?.metadata.name === volume.name ? dataWriterOf(saved.metadata.annotations) : null),
        );
        if (volume.phase === "Released" && volume.claimRef) {
          result.provide.push({
            kind: "releaseClaimRef",
            volume: volume.name,
            volumeUid: volume.uid,
            staleClaim: volume.claimRef,
            claim: { namespace, name: claimName },
          });
        }
        result.bindings.push({ role, claim: claimName, volumeName, volumeUid: volume.uid });
        detail = `pre-created PV ${volumeName} (uid ${volume.uid}, ${volume.phase}, ${volume.reclaimPolicy ?? "no reclaim policy"})`;
      } else if (saved && saved.metadata.name === volumeName) {
        volumeClass = (saved.spec as { storageClassName?: string } | undefined)?.storageClassName || null;
        recordWriter(role, label, volumeName, dataWriterOf(saved.metadata.annotations));
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
      const disk = resolved.disk;
      const finding = input.gcp?.disks.find(
        (candidate) => candidate.role === role && candidate.disk === disk,
      );
      if (input.gcp) {
        const problems = finding
          ? checkGcpDisk(finding, input.gcp.nodes, requestBytes)
          : [`GCP disk "${disk}" was not described before planning`];
        if (problems.length > 0) {
          result.refusals.push(...problems.map((problem) => `${label}: ${problem}`));
          continue;
        }
      }
      const defaultName = `${namespace}-${claimName}`;
      const wrapping = findDiskVolumes(snapshot.volumes, { name: disk, project: app.platform.project });
      let volume =
        wrapping.length > 1 ? wrapping.find((v) => claimRefIs(v, namespace, claimName)) : wrapping[0];
      if (wrapping.length > 1 && !volume) {
        result.refusals.push(
          `${label}: GCP disk "${disk}" is wrapped by several PVs (${wrapping.map((v) => v.name).join(", ")}) and none was bound to ${namespace}/${claimName}; delete the ones that are not in use (\`kubectl get pv ${wrapping.map((v) => v.name).join(" ")}\`)`,
        );
        continue;
      }
      if (!volume) {
        const sameName = snapshot.volumes.find((v) => v.name === defaultName);
        if (sameName && sameName.source.type !== "other") {
          result.refusals.push(
            `${label}: PV "${defaultName}" exists but is not backed by GCP disk "${disk}"`,
          );
          continue;
        }
        volume = sameName;
      }
      volumeName = volume?.name ?? defaultName;
      const useCsi = snapshot.csiDrivers.includes(GCE_PD_CSI_DRIVER);
      if (volume) {
        volumeClass = volume.storageClassName;
        const problems = checkVolumeFits(volume, { namespace, name: claimName, requestBytes, accessModes });
        result.refusals.push(...problems.map((problem) => `${label}: ${problem}`));
        mismatch(label, staleClaimRefMismatch(volume, { namespace, name: claimName }));
        if (volume.phase === "Released" && volume.claimRef) {
          result.provide.push({
            kind: "releaseClaimRef",
            volume: volume.name,
            volumeUid: volume.uid,
            staleClaim: volume.claimRef,
            claim: { namespace, name: claimName },
          });
        }
        protectVolume(volume, label, result);
        recordWriter(role, label, volume.name, volume.dataWrittenBy);
        result.bindings.push({ role, claim: claimName, volumeName, volumeUid: volume.uid });
        detail = `GCP disk ${disk} through its existing PV ${volume.name} (uid ${volume.uid}, ${volume.phase}, ${describeVolumeSource(volume.source)})`;
      } else {
        const state = finding?.state ?? null;
        const pv = gcpDiskVolume({
          volumeName,
          disk,
          project: app.platform.project,
          zone: state?.zone ?? app.platform.zone,
          ...(state && state.zone === null && state.region ? { region: state.region } : {}),
          ...(state
            ? {
                capacity: `${Math.floor(state.sizeBytes / GIB)}Gi`,
                zones: state.zone ? [state.zone] : state.replicaZones,
              }
            : {}),
          useCsi,
        });
        result.provide.push({
          kind: "ensureVolume",
          role,
          volume: reservedFor(pv, namespace, claimName),
          exists: false,
        });
        result.bindings.push({ role, claim: claimName, volumeName, volumeUid: null });
        detail = `GCP disk ${disk} as PV ${volumeName} (${useCsi ? `CSI ${GCE_PD_CSI_DRIVER}` : "in-tree gcePersistentDisk"})`;
      }
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

/** Adds the step that switches the PV to Retain, unless it already is; true when it did. */
function protectVolume(volume: VolumeState, label: string, result: StorageStepsResult): boolean {
  if (volume.reclaimPolicy === "Retain") return false;
  const policy = volume.reclaimPolicy ?? "(none)";
  result.warnings.push(
    `${label}: PV ${volume.name} has reclaim policy ${policy}; deleting its claim would destroy the data, so it is switched to Retain first`,
  );
  result.protect.push({
    kind: "setReclaimPolicy",
    volume: volume.name,
    volumeUid: volume.uid,
    from: policy,
    to: "Retain",
  });
  return true;
}

const GIB = 1024 ** 3;

function claimRefIs(volume: VolumeState, namespace: string, name: string): boolean {
  return volume.claimRef?.namespace === namespace && volume.claimRef.name === name;
}

export type { DataRole };

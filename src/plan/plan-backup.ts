import { BACKUP_FROM_LABEL, BACKUP_OF_LABEL, BACKUP_TO_LABEL, type BackupTarget } from "../model/backup.js";
import type { ClusterSnapshot } from "../model/cluster-snapshot.js";
import { type VolumeSource, volumeSource } from "../model/volume-source.js";
import { GCE_PD_CSI_DRIVER } from "../storage/gcp-disk-volume.js";
import type { Plan } from "./plan.js";
import type { Step } from "./step.js";
import { numbered, plannedOf } from "./step-list.js";

/** A `snapshot.storage.k8s.io/v1` VolumeSnapshotClass as the plan needs it. */
export interface SnapshotClass {
  name: string;
  driver: string;
  /** Annotated `snapshot.storage.kubernetes.io/is-default-class: "true"`. */
  isDefault: boolean;
}

/** A data volume no snapshot can be taken of here, and why. */
/** The data claims a backup covers; the MinIO claim an object-store switch left behind holds artifacts too. */
type BackedUpRole = "mysql" | "objectStore" | "legacyObjectStore";

const SHORT_ROLE: Record<BackedUpRole, string> = {
  mysql: "mysql",
  objectStore: "objects",
  legacyObjectStore: "legacy-objects",
};

export interface ManualBackup {
  role: BackedUpRole;
  claim: string;
  volume: string;
  why: string;
}

export interface BackupAssessment {
  /** The plan's one-way changes (empty: a backup is optional). */
  oneWay: string[];
  /** Volumes a VolumeSnapshot or a GCP disk snapshot can back up. */
  targets: BackupTarget[];
  /** Volumes it cannot: the user backs them up by hand (`instructions`). */
  manual: ManualBackup[];
  /** Exact commands that back up every data volume by hand, for the manual path. */
  instructions: string[];
}

const BACKED_UP_ROLES = new Set<string>(Object.keys(SHORT_ROLE));

/** The app's GCP project and zone, when its platform is gcp. */
export interface GcpPlatform {
  project: string;
  zone: string;
}

/**
 * Which data volumes of the plan can be backed up, and how. On a gcp app, a PV that wraps a GCP persistent disk
 * (in-tree `gcePersistentDisk`, or CSI `pd.csi.storage.gke.io` with a `projects/P/zones|regions/L/disks/D` handle)
 * gets a Compute Engine snapshot of the disk, taken with gcloud. Otherwise a CSI VolumeSnapshot when the claim's PV
 * is a CSI volume and a VolumeSnapshotClass has its driver (the default one of that driver first, else the first by
 * name). hostPath and other in-tree volumes, and CSI drivers without a class, are backed up by hand: the assessment
 * says how. `snapshotApi`: the cluster serves `snapshot.storage.k8s.io/v1`.
 */
export function assessBackup(input: {
  plan: Plan;
  snapshot: ClusterSnapshot;
  classes: SnapshotClass[];
  snapshotApi: boolean;
  gcp?: GcpPlatform | undefined;
}): BackupAssessment {
  const { plan, snapshot } = input;
  const targets: BackupTarget[] = [];
  const manual: ManualBackup[] = [];
  const stamp = compactTime(plan.createdAt);
  for (const entry of plan.storage) {
    if (!BACKED_UP_ROLES.has(entry.role) || entry.volumeName === null) continue;
    const role = entry.role as BackedUpRole;
    const volume = entry.volumeName;
    const source = sourceOf(plan, snapshot, volume);
    const name = backupName(plan, role, stamp);
    const without = (why: string) => manual.push({ role, claim: entry.claim, volume, why });
    const disk = input.gcp && source ? gcpDiskOf(source, input.gcp) : null;
    if (disk !== null) {
      targets.push({
        method: "gcp-snapshot",
        role,
        claim: entry.claim,
        volume,
        ...disk,
        name: gcpSnapshotName(plan, role, stamp),
      });
    } else if (source === null) {
      without(`PV ${volume} is not in the cluster yet, so its volume source is unknown`);
    } else if (source.type !== "csi") {
      without(
        `PV ${volume} is a ${source.type === "other" ? source.description : source.type} volume, not a CSI one: a VolumeSnapshot needs a CSI driver`,
      );
    } else if (!input.snapshotApi) {
      without(
        `the cluster serves no snapshot.storage.k8s.io/v1 (the VolumeSnapshot CRDs and the snapshot controller are not installed)`,
      );
    } else {
      const snapshotClass = classFor(input.classes, source.driver);
      if (snapshotClass === undefined) {
        without(
          `no VolumeSnapshotClass has driver ${source.driver} (PV ${volume}'s CSI driver; \`kubectl get volumesnapshotclass\`)`,
        );
      } else {
        targets.push({
          method: "csi",
          role,
          claim: entry.claim,
          volume,
          driver: source.driver,
          snapshotClass: snapshotClass.name,
          name,
        });
      }
    }
  }
  return {
    oneWay: plan.oneWay ?? [],
    targets,
    manual,
    instructions: manualBackupInstructions(plan, snapshot),
  };
}

/** `kubeflow-mysql-2.14.4-to-2.15.0-20261203t074500`: the app, the role, the versions and the plan's time. */
export function backupName(plan: Plan, role: BackedUpRole, stamp: string): string {
  const versions = `${plan.from ?? "none"}-to-${plan.to}`.toLowerCase().replace(/[^a-z0-9.-]/g, "-");
  const prefix = `${plan.namespace}-${SHORT_ROLE[role]}-${versions}`;
  // VolumeSnapshot names are DNS-1123 subdomains (253 characters); the time keeps a retried run's backups apart.
  return `${prefix.slice(0, 253 - stamp.length - 1)}-${stamp}`;
}

/**
 * `kubeflow-mysql-2-5-0-to-2-14-4-20261203t074500`: a Compute Engine name (RFC 1035: lowercase letters, digits and
 * hyphens, at most 63, a letter first, no hyphen last). A long namespace is shortened, never the role or the time.
 */
export function gcpSnapshotName(plan: Plan, role: BackedUpRole, stamp: string): string {
  const clean = (text: string) =>
    text
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, "-")
      .replace(/-+/g, "-")
      .replace(/^-|-$/g, "");
  const tail = `-${SHORT_ROLE[role]}-${clean(`${plan.from ?? "none"}-to-${plan.to}`)}`.slice(0, 63 - 16 - 4);
  let head = clean(plan.namespace);
  if (!/^[a-z]/.test(head)) head = `kfp-${head}`;
  head = head.slice(0, 63 - 16 - tail.length).replace(/-+$/, "");
  return `${head}${tail}-${stamp}`.replace(/-+/g, "-");
}

/** The GCP disk a PV wraps: a CSI handle names project and zone or region; an in-tree PD is in the app's. */
function gcpDiskOf(
  source: VolumeSource,
  gcp: GcpPlatform,
): { project: string; disk: string; zone: string | null; region: string | null } | null {
  if (source.type === "gcePersistentDisk" && source.pdName !== "") {
    return { project: gcp.project, disk: source.pdName, zone: gcp.zone, region: null };
  }
  if (source.type !== "csi" || source.driver !== GCE_PD_CSI_DRIVER) return null;
  const match = /^projects\/([^/]+)\/(zones|regions)\/([^/]+)\/disks\/([^/]+)$/.exec(source.volumeHandle);
  if (!match) return null;
  const [, project = "", scope, location = "", disk = ""] = match;
  return {
    project,
    disk,
    zone: scope === "zones" ? location : null,
    region: scope === "regions" ? location : null,
  };
}

function compactTime(iso: string): string {
  return iso.replace(/\.\d+/, "").replace(/[-:]/g, "").replace("Z", "").toLowerCase();
}

function sourceOf(plan: Plan, snapshot: ClusterSnapshot, volume: string): VolumeSource | null {
  const live = snapshot.volumes.find((v) => v.name === volume);
  if (live) return live.source;
  for (const step of plan.steps) {
    if (step.kind === "ensureVolume" && step.volume.metadata.name === volume)
      return volumeSource(step.volume.spec);
  }
  return null;
}

function classFor(classes: SnapshotClass[], driver: string): SnapshotClass | undefined {
  const matching = classes
    .filter((c) => c.driver === driver)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return matching.find((c) => c.isDefault) ?? matching[0];
}

/**
 * The commands that back up KFP's data by hand, for the volumes the plan names: a logical dump of MySQL (KFP runs it
 * with an empty root password, MYSQL_ALLOW_EMPTY_PASSWORD) and a tar of the object store's `/data`; for a hostPath PV,
 * a copy of its directory on the node. Run them before the command, while KFP still runs the old release.
 */
export function manualBackupInstructions(plan: Plan, snapshot: ClusterSnapshot): string[] {
  const ns = plan.namespace;
  const from = plan.from ?? "current";
  const lines: string[] = [];
  for (const entry of plan.storage) {
    // A claim without a known PV gets a new, empty volume: nothing on it to back up.
    if (!BACKED_UP_ROLES.has(entry.role) || entry.volumeName === null) continue;
    const live = snapshot.volumes.find((v) => v.name === entry.volumeName);
    if (entry.role === "mysql") {
      lines.push(
        `MySQL (claim ${entry.claim}): kubectl -n ${ns} exec deploy/mysql -- mysqldump -u root --all-databases --single-transaction --routines --events > ${ns}-mysql-${from}.sql`,
      );
    } else {
      const server =
        snapshot.deployments.find((d) => d.namespace === ns && d.claims.includes(entry.claim))?.name ??
        (entry.claim.startsWith("seaweedfs") ? "seaweedfs" : "minio");
      lines.push(
        `object store (claim ${entry.claim}): kubectl -n ${ns} exec deploy/${server} -- tar -C /data -cf - . > ${ns}-${server}-${from}.tar`,
      );
    }
    if (live?.source.type === "hostPath") {
      lines.push(
        `  or, on the node that holds PV ${live.name}, with KFP scaled to zero: tar -C ${live.source.path} -czf ${ns}-${SHORT_ROLE[entry.role as BackedUpRole]}-${from}.tgz .`,
      );
    }
  }
  return lines;
}

/**
 * The plan with a `backupVolumes` step for `targets`. When every claim exists already (an upgrade), it is the first
 * step: nothing changes before it. Otherwise (a reinstall, whose claims the plan creates) it follows the steps that
 * create the claims and precedes every step that could start a program on the data. Ids are renumbered (and the
 * server-side dry runs' references with them).
 */
export function withBackupStep(
  plan: Plan,
  snapshot: ClusterSnapshot,
  targets: BackupTarget[],
  reason: string,
): Plan {
  if (targets.length === 0) return plan;
  const claimsExist = targets.every((t) =>
    snapshot.claims.some((c) => c.namespace === plan.namespace && c.name === t.claim && !c.deleting),
  );
  // A reinstall creates its claims first (a VolumeSnapshot's source is a claim); no program runs on the data
  // before its workloads are applied, which come after the claims.
  const at = claimsExist
    ? 0
    : plan.steps.reduce((last, step, index) => (step.kind === "ensureClaim" ? index + 1 : last), 0);
  const hop = plan.steps[at]?.hop ?? plan.steps[at - 1]?.hop;
  const planned = plan.steps.map(plannedOf);
  planned.splice(at, 0, {
    draft: {
      kind: "backupVolumes",
      namespace: plan.namespace,
      reason,
      labels: {
        [BACKUP_OF_LABEL]: plan.namespace,
        [BACKUP_FROM_LABEL]: labelValue(plan.from ?? "none"),
        [BACKUP_TO_LABEL]: labelValue(plan.to),
      },
      backups: targets,
    },
    hop,
  });
  const renumbered = numbered(planned);
  const ids = new Map<string, string>();
  let offset = 0;
  plan.steps.forEach((step, index) => {
    if (index === at) offset = 1;
    const next = renumbered[index + offset];
    if (next) ids.set(step.id, next.id);
  });
  const steps: Step[] = renumbered.map((step) =>
    step.kind === "serverDryRun" ? { ...step, steps: step.steps.map((id) => ids.get(id) ?? id) } : step,
  );
  return { ...plan, steps };
}

/** Label values: 63 characters of [A-Za-z0-9_.-], starting and ending alphanumeric. */
function labelValue(value: string): string {
  return (
    value
      .replace(/[^A-Za-z0-9_.-]/g, "-")
      .slice(0, 63)
      .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "") || "none"
  );
}

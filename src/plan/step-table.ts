import type { KubeObject } from "../model/kube-object.js";
import { RECORD_INVENTORY_SECONDS } from "./inventory-plan.js";
import type { InventoryBaseline, Step, StepKind, StepOf } from "./step.js";

/** `-/+` (recreate) and `=` (unchanged) mark objects the plan classified (see object-change.ts). */
export type ChangeSymbol = "+" | "~" | "-" | "±" | "-/+" | "=" | "…" | "✓" | "!";

export interface Counts {
  create: number;
  update: number;
  recreate: number;
  delete: number;
  wait: number;
}

interface StepEntry<K extends StepKind> {
  /** One line per change, each starting with its symbol. */
  lines(step: StepOf<K>): { symbol: ChangeSymbol; text: string }[];
  /** How to undo the step, in words: what rollback or a user would do. */
  undo(step: StepOf<K>): string;
  count(step: StepOf<K>, counts: Counts): void;
}

const name = (object: KubeObject) =>
  `${object.kind.toLowerCase()}/${object.metadata.name}${object.metadata.namespace ? ` -n ${object.metadata.namespace}` : ""}`;

const BASELINE_NOUNS = [
  ["experiments", "experiment"],
  ["pipelines", "pipeline"],
  ["pipelineVersions", "pipeline version"],
  ["runs", "run"],
  ["recurringRuns", "recurring run"],
] as const;

/** `3 experiments, 3 pipelines, 4 pipeline versions, 1 run, 1 recurring run`. */
const describeBaseline = (baseline: InventoryBaseline): string =>
  BASELINE_NOUNS.map(
    ([kind, noun]) => `${baseline[kind].length} ${noun}${baseline[kind].length === 1 ? "" : "s"}`,
  ).join(", ");

const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet"]);

/** A workload's container images, so the plan shows where each one moves (` [api-server=ghcr.io/…:2.14.4]`). */
const images = (object: KubeObject): string => {
  if (!WORKLOAD_KINDS.has(object.kind)) return "";
  const containers =
    (
      object.spec as
        | { template?: { spec?: { containers?: { name?: string; image?: string }[] } } }
        | undefined
    )?.template?.spec?.containers ?? [];
  const list = containers.filter((c) => c.image).map((c) => `${c.name}=${c.image}`);
  return list.length > 0 ? ` [${list.join(", ")}]` : "";
};

/** One entry per step kind: the text renderer, the counts line and the journal all read this table. */
export const STEP_TABLE: { [K in StepKind]: StepEntry<K> } = {
  ensureNamespace: {
    lines: (s) => [
      { symbol: s.exists ? "✓" : "+", text: `namespace/${s.name}${s.exists ? " (exists)" : ""}` },
    ],
    undo: (s) => (s.exists ? "nothing" : `delete namespace/${s.name} (only if empty)`),
    count: (s, c) => {
      if (!s.exists) c.create += 1;
    },
  },
  applyObjects: {
    lines: (s) =>
      s.objects.map(({ action, object }) => ({
        symbol: action === "create" ? "+" : "~",
        text: `${name(object)}${images(object)}`,
      })),
    undo: () => "re-apply the previous release's objects",
    count: (s, c) => {
      for (const { action } of s.objects) c[action] += 1;
    },
  },
  createIfAbsent: {
    lines: (s) =>
      s.objects.map((object) => ({
        symbol: "+",
        text: `${name(object)} (only if absent; never overwritten)`,
      })),
    undo: () => "nothing: data and credentials are kept",
    count: (s, c) => {
      c.create += s.objects.length;
    },
  },
  carrySecret: {
    lines: (s) => [
      {
        symbol: "+",
        text: `secret/${s.to} -n ${s.namespace} from the data of secret/${s.from} (${s.reason})`,
      },
    ],
    undo: () => "nothing: credentials are kept",
    count: (_s, c) => {
      c.create += 1;
    },
  },
  waitEstablished: {
    lines: (s) => [
      {
        symbol: "…",
        text: `wait until ${s.crds.length} CRDs are Established and discovery serves their kinds`,
      },
    ],
    undo: () => "nothing",
    count: (_s, c) => {
      c.wait += 1;
    },
  },
  setReclaimPolicy: {
    lines: (s) => [
      { symbol: "~", text: `persistentvolume/${s.volume}: reclaim policy ${s.from} -> ${s.to}` },
    ],
    undo: () => "nothing: Retain is kept, it only protects data",
    count: (_s, c) => {
      c.update += 1;
    },
  },
  retainClaimVolumes: {
    lines: (s) => [
      { symbol: "~", text: `PVs bound to ${s.claims.join(", ")}: reclaim policy -> Retain once bound` },
    ],
    undo: () => "nothing: Retain is kept",
    count: (s, c) => {
      c.update += s.claims.length;
    },
  },
  releaseClaimRef: {
    lines: (s) => [
      {
        symbol: "~",
        text: `persistentvolume/${s.volume}: ${s.claim ? `reserve for ${s.claim.namespace}/${s.claim.name} in place of` : "clear"} stale claimRef ${s.staleClaim.namespace}/${s.staleClaim.name} (Released -> Available)`,
      },
    ],
    undo: () => "nothing: the volume is bound again by its claim",
    count: (_s, c) => {
      c.update += 1;
    },
  },
  ensureVolume: {
    lines: (s) => [
      { symbol: s.exists ? "✓" : "+", text: `persistentvolume/${s.volume.metadata.name} (${s.role})` },
    ],
    undo: () => "nothing: volumes are never deleted",
    count: (s, c) => {
      if (!s.exists) c.create += 1;
    },
  },
  ensureClaim: {
    lines: (s) => {
      const spec = s.claim.spec as { volumeName?: string; storageClassName?: string };
      const target = spec.volumeName
        ? ` -> PV ${spec.volumeName}`
        : spec.storageClassName
          ? ` (StorageClass ${spec.storageClassName})`
          : " (default StorageClass)";
      return [{ symbol: s.exists ? "✓" : "+", text: `${name(s.claim)}${target}` }];
    },
    undo: () => "nothing: claims are never deleted",
    count: (s, c) => {
      if (!s.exists) c.create += 1;
    },
  },
  waitBound: {
    lines: (s) => [{ symbol: "…", text: `wait until ${s.claims.map((b) => b.claim).join(", ")} are Bound` }],
    undo: () => "nothing",
    count: (_s, c) => {
      c.wait += 1;
    },
  },
  stripOwnerReferences: {
    lines: (s) => [
      {
        symbol: "~",
        text: `${s.target.kind.toLowerCase()}/${s.target.name}: remove owner ${s.remove.map((r) => `${r.kind}/${r.name}`).join(", ")} (${s.reason})`,
      },
    ],
    undo: () => "nothing: a data object should not be owned",
    count: (_s, c) => {
      c.update += 1;
    },
  },
  recreateDeployment: {
    lines: (s) => [
      { symbol: "±", text: `deployment/${s.name} -n ${s.namespace}: delete and create (${s.reason})` },
    ],
    undo: () => "recreate the previous Deployment",
    count: (_s, c) => {
      c.recreate += 1;
    },
  },
  scaleDeployments: {
    lines: (s) =>
      s.deployments.map((d) => ({
        symbol: "~",
        text: `deployment/${d.name} -n ${s.namespace}: replicas ${d.from} -> ${d.to} (${s.reason})`,
      })),
    undo: (s) => `scale ${s.deployments.map((d) => `${d.name} to ${d.from}`).join(", ")}`,
    count: (s, c) => {
      c.update += s.deployments.length;
    },
  },
  waitPodsGone: {
    lines: (s) => [
      {
        symbol: "…",
        text: `wait until no pod of ${s.workloads.map((w) => w.name).join(", ")} exists (${s.reason})`,
      },
    ],
    undo: () => "nothing",
    count: (_s, c) => {
      c.wait += 1;
    },
  },
  verifyMysqlSeries: {
    lines: (s) => [
      {
        symbol: "✓",
        text: `verify the running pod of deployment/${s.deployment} -n ${s.namespace} runs MySQL ${s.series}`,
      },
    ],
    undo: () => "nothing",
    count: () => {},
  },
  pointOfNoReturn: {
    lines: (s) => [
      {
        symbol: "!",
        text: `point of no return: ${s.reason}; a failed rollout after this never restores ${s.keep.join(", ")}`,
      },
    ],
    undo: () => "nothing: the data moved forward; fix the cause and run `kfp-upgrade resume`",
    count: () => {},
  },
  setImages: {
    lines: (s) =>
      s.containers.map((container) => ({
        symbol: "~",
        text: `deployment/${s.deployment} -n ${s.namespace} [${container.name}]: ${container.from} -> ${container.to}`,
      })),
    undo: (s) => `set ${s.containers.map((c) => `${c.name}=${c.from}`).join(", ")}`,
    count: (_s, c) => {
      c.update += 1;
    },
  },
  waitRollout: {
    lines: (s) => [
      {
        symbol: "…",
        text:
          s.reason !== undefined
            ? `wait until ${s.deployments.join(", ")} ${s.deployments.length === 1 ? "is" : "are"} rolled out and Available: ${s.reason}${s.timeoutSeconds !== undefined ? ` (up to ${s.timeoutSeconds}s, --migration-timeout)` : ""}`
            : `wait until ${s.deployments.length} Deployments are rolled out and Available`,
      },
    ],
    undo: () => "nothing",
    count: (_s, c) => {
      c.wait += 1;
    },
  },
  waitWorkflowsDone: {
    lines: (s) => [
      {
        symbol: "…",
        text: `wait until no Argo Workflow of namespace ${s.namespace} is Pending or Running (now: ${s.workflows.join(", ")}; up to --timeout): ${s.reason}`,
      },
    ],
    undo: () => "nothing",
    count: (_s, c) => {
      c.wait += 1;
    },
  },
  verifyBinding: {
    lines: (s) => [
      {
        symbol: "✓",
        text: `verify ${s.claims.map((b) => `${b.claim} -> ${b.volumeName ?? "(new PV)"}${b.volumeUid ? ` uid ${b.volumeUid}` : ""}`).join(", ") || "no data claims"}`,
      },
    ],
    undo: () => "nothing",
    count: () => {},
  },
  verifyInventory: {
    lines: (s) => [
      {
        symbol: "✓",
        text: `verify KFP's API (${s.endpoint ?? `service ${s.namespace}/ml-pipeline:8888`}${s.kfpUser ? `, as ${s.kfpUser} in ${(s.kfpNamespaces ?? []).join(", ")}` : ""}) still lists ${describeBaseline(s.baseline)} (${s.source}); else stop before any prune (--skip-inventory skips this)`,
      },
    ],
    undo: () => "nothing",
    count: () => {},
  },
  recordInventory: {
    lines: (s) => [
      {
        symbol: "✓",
        text: `record what KFP's API (${s.endpoint ?? `service ${s.namespace}/ml-pipeline:8888`}${s.kfpUser ? `, as ${s.kfpUser} in ${(s.kfpNamespaces ?? []).join(", ")}` : ""}) lists in .kfp-upgrade/inventory.json, for later runs to compare with (no answer within ${RECORD_INVENTORY_SECONDS}s is a warning; --skip-inventory skips this)`,
      },
    ],
    undo: () => "nothing",
    count: () => {},
  },
  prune: {
    lines: (s) =>
      s.objects.map((ref) => ({
        symbol: "-",
        text: `${ref.kind.toLowerCase()}/${ref.name}${ref.namespace ? ` -n ${ref.namespace}` : ""} (${s.reason})`,
      })),
    undo: () => "re-apply the previous release's objects",
    count: (s, c) => {
      c.delete += s.objects.length;
    },
  },
  adoptObjects: {
    lines: (s) => [
      {
        symbol: "~",
        text: `adopt ${s.objects.length} object${s.objects.length === 1 ? "" : "s"} from ${s.installers.join(", ")}: take over the fields of ${s.from.join(", ")}${s.from.includes("kubectl-client-side-apply") ? " and drop last-applied-configuration" : ""} (no field value changes)`,
      },
    ],
    undo: () => "nothing to undo: ownership bookkeeping only; see the README to hand an install back",
    count: (s, c) => {
      c.update += s.objects.length;
    },
  },
  serverDryRun: {
    lines: (s) => [
      {
        symbol: "✓",
        text: `server-side dry run (dryRun=All) of ${s.steps.length === 1 ? "the apply step" : `the ${s.steps.length} apply, create and recreate steps`}${s.hop === undefined ? "" : ` of hop ${s.hop}`}: an object the API server rejects refuses ${s.hop === undefined ? "the upgrade" : "the hop"} before it changes anything`,
      },
    ],
    undo: () => "nothing: a dry run changes nothing",
    count: () => {},
  },
  forgetHelmRelease: {
    lines: (s) => [
      ...s.records.map((record) => ({
        symbol: "-" as const,
        text: `${record.kind.toLowerCase()}/${record.name} -n ${s.namespace} (Helm release record of ${s.release}; holds no KFP data)`,
      })),
      {
        symbol: "~" as const,
        text: `remove Helm's ownership marks from ${s.unmark.length} object${s.unmark.length === 1 ? "" : "s"} (a later \`helm uninstall ${s.release}\` cannot delete KFP's claims)`,
      },
    ],
    undo: () => "nothing: Helm no longer tracks the install; see the README",
    count: (s, c) => {
      c.delete += s.records.length;
      c.update += s.unmark.length;
    },
  },
  recordDataWriter: {
    lines: (s) => [
      {
        symbol: "~",
        text: `PVs of ${s.claims.map((c) => c.claim).join(", ")}: record data written by KFP ${s.writer.kfpVersion} (MySQL ${s.writer.mysqlSeries}, ${s.writer.objectStore})`,
      },
    ],
    undo: () => "nothing: it records what the data now needs",
    count: (s, c) => {
      c.update += s.claims.length;
    },
  },
  backupVolumes: {
    lines: (s) => [
      ...s.backups.map((b) => ({
        symbol: "+" as const,
        text:
          b.method === "csi"
            ? `volumesnapshot/${b.name} -n ${s.namespace}: ${b.claim} (PV ${b.volume}, CSI driver ${b.driver}, class ${b.snapshotClass})`
            : `GCP snapshot ${b.name} (project ${b.project}): ${b.claim} (PV ${b.volume}, disk ${b.disk} in ${b.zone ? `zone ${b.zone}` : `region ${b.region}`})`,
      })),
      {
        symbol: "…" as const,
        text: `back up before any program runs on the data (${s.reason}): wait until ${s.backups.length === 1 ? "the snapshot is" : `all ${s.backups.length} snapshots are`} ${s.backups.every((b) => b.method === "gcp-snapshot") ? "READY" : "readyToUse"}`,
      },
    ],
    undo: () => "nothing: backups are kept (`kfp-upgrade backups` lists them)",
    count: (s, c) => {
      c.create += s.backups.length;
      c.wait += 1;
    },
  },
  editAppFile: {
    // The diff follows the line, indented under it, so the plan shows the exact edit.
    lines: (s) => [
      {
        symbol: "~",
        text: `${s.file} in the KFAPP: ${s.change}; every other byte kept\n${s.diff
          .split("\n")
          .map((line) => `      ${line}`)
          .join("\n")}`,
      },
    ],
    undo: (s) => `write back ${s.file} as it was (its exact bytes are kept in the plan)`,
    count: (_s, c) => {
      c.update += 1;
    },
  },
  ensureAdminBinding: {
    lines: (s) => [
      {
        symbol: "+",
        text: `clusterrolebinding/${s.name}: ${s.clusterRole} for user ${s.user} (only if absent; the account lacks ${s.missing.length} right${s.missing.length === 1 ? "" : "s"} this plan needs, e.g. ${s.missing[0] ?? "none"}). Creating it takes create on clusterrolebindings and bind on clusterrole ${s.clusterRole}: on GKE a project owner or roles/container.admin has both through IAM`,
      },
    ],
    undo: (s) =>
      `nothing: the binding is kept (the run may need it again); remove it with \`kubectl delete clusterrolebinding ${s.name}\` when you no longer want ${s.user} to be ${s.clusterRole}`,
    count: (_s, c) => {
      c.create += 1;
    },
  },
  deleteDataClaims: {
    lines: (s) =>
      s.claims.map((c) => ({
        symbol: "-",
        text: `persistentvolumeclaim/${c.claim} -n ${s.namespace} (--delete-data; its PV ${c.volumeName ?? "(unbound)"} stays: Retain, Released, with the data)`,
      })),
    undo: () => "`kfp-upgrade reinstall` binds new claims to the Released PVs, whose data stayed",
    count: (s, c) => {
      c.delete += s.claims.length;
    },
  },
  saveVolumeDefinitions: {
    lines: (s) => [
      {
        symbol: "✓",
        text: `save the PV definitions of ${s.claims.map((c) => c.claim).join(", ")} to .kfp-upgrade/volumes/`,
      },
    ],
    undo: () => "nothing",
    count: () => {},
  },
};

export function entryFor<K extends StepKind>(step: StepOf<K>): StepEntry<K> {
  return STEP_TABLE[step.kind as K];
}

export function countSteps(steps: Step[]): Counts {
  const counts: Counts = { create: 0, update: 0, recreate: 0, delete: 0, wait: 0 };
  for (const step of steps) entryFor(step).count(step, counts);
  return counts;
}

export function stepLines(step: Step): { symbol: ChangeSymbol; text: string }[] {
  return entryFor(step).lines(step);
}

export function describeUndo(step: Step): string {
  return entryFor(step).undo(step);
}

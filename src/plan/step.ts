import { z } from "zod";
import { backupTargetSchema } from "../model/backup.js";
import { dataWriterSchema } from "../model/data-writer.js";
import { kubeObjectSchema } from "../model/kube-object.js";
import { mysqlSeriesSchema } from "../model/running-servers.js";

/**
 * A Step is one explicit change (or wait, or check) the executor performs. Plans are lists of steps; the journal
 * records each step's id as it completes, so a run can resume from the first unfinished one.
 */
const objectRefSchema = z.object({
  apiVersion: z.string(),
  kind: z.string(),
  name: z.string(),
  namespace: z.string().optional(),
});

const ownerRefSchema = z.object({
  apiVersion: z.string(),
  kind: z.string(),
  name: z.string(),
  uid: z.string(),
});

export const dataRoleSchema = z.enum(["mysql", "objectStore", "legacyObjectStore"]);
export type DataRole = z.infer<typeof dataRoleSchema>;

const claimBindingSchema = z.object({
  role: dataRoleSchema,
  claim: z.string(),
  /** The PV the claim must be bound to, when known at plan time. */
  volumeName: z.string().nullable(),
  /** The PV's UID, when it existed at plan time; verified unchanged after. */
  volumeUid: z.string().nullable(),
});
export type ClaimBinding = z.infer<typeof claimBindingSchema>;

const inventoryObjectSchema = z.object({ id: z.string(), name: z.string() });

/**
 * What KFP's API listed before a hop (or what the KFAPP recorded before a reinstall), per kind, by id: every one must
 * still be listed after. The same shape as src/kfp's inventory (plan does not import kfp).
 */
export const inventoryBaselineSchema = z.object({
  experiments: z.array(inventoryObjectSchema),
  pipelines: z.array(inventoryObjectSchema),
  pipelineVersions: z.array(inventoryObjectSchema),
  runs: z.array(inventoryObjectSchema),
  recurringRuns: z.array(inventoryObjectSchema),
});
export type InventoryBaseline = z.infer<typeof inventoryBaselineSchema>;

const labelsSchema = z.record(z.string(), z.string());

const base = {
  id: z.string(),
  /** 1-based hop number in a multi-hop upgrade; absent for single-hop plans. */
  hop: z.number().int().positive().optional(),
};

export const objectActionSchema = z.enum(["create", "update"]);

export const stepSchema = z.discriminatedUnion("kind", [
  z.object({ ...base, kind: z.literal("ensureNamespace"), name: z.string(), exists: z.boolean() }),
  z.object({
    ...base,
    kind: z.literal("applyObjects"),
    group: z.string(),
    objects: z.array(z.object({ action: objectActionSchema, object: kubeObjectSchema })),
    /** Server-side apply with force: only objects the release owns. */
    force: z.boolean(),
  }),
  z.object({
    ...base,
    kind: z.literal("createIfAbsent"),
    group: z.string(),
    /** Secrets: created when missing, never overwritten (custom credentials survive). */
    objects: z.array(kubeObjectSchema),
  }),
  z.object({
    ...base,
    kind: z.literal("carrySecret"),
    namespace: z.string(),
    /** Created from `from`'s data only when `to` does not exist yet; `from` is kept. */
    from: z.string(),
    to: z.string(),
    reason: z.string(),
  }),
  z.object({ ...base, kind: z.literal("waitEstablished"), crds: z.array(z.string()) }),
  z.object({
    ...base,
    kind: z.literal("setReclaimPolicy"),
    volume: z.string(),
    /** The PV's UID when the plan saw it: the handler refuses a PV of that name with another UID. */
    volumeUid: z.string().optional(),
    from: z.string(),
    to: z.literal("Retain"),
  }),
  z.object({
    ...base,
    kind: z.literal("retainClaimVolumes"),
    namespace: z.string(),
    /** Claims whose (dynamically provisioned) PVs are switched to Retain once bound. */
    claims: z.array(z.string()),
  }),
  z.object({
    ...base,
    kind: z.literal("releaseClaimRef"),
    volume: z.string(),
    /** The PV's UID when the plan saw it (absent in plans journaled before it was added). */
    volumeUid: z.string().optional(),
    /** The claimRef the plan saw; its uid is checked before the claimRef is replaced. */
    staleClaim: z.object({ namespace: z.string(), name: z.string(), uid: z.string().nullable() }),
    /**
     * The claim the PV is reserved for (a claimRef without uid) in place of the stale one, so that no other claim
     * can bind it before this one exists. Absent in plans journaled before it was added: the claimRef is cleared.
     */
    claim: z.object({ namespace: z.string(), name: z.string() }).optional(),
  }),
  z.object({
    ...base,
    kind: z.literal("ensureVolume"),
    role: dataRoleSchema,
    volume: kubeObjectSchema,
    exists: z.boolean(),
    /** With `exists`: the UID of the PV the plan saw; another PV of that name is refused. */
    volumeUid: z.string().optional(),
  }),
  z.object({
    ...base,
    kind: z.literal("ensureClaim"),
    role: dataRoleSchema,
    claim: kubeObjectSchema,
    exists: z.boolean(),
    /** With `exists`: the UID of the claim the plan saw; another claim of that name is refused. */
    claimUid: z.string().optional(),
  }),
  z.object({
    ...base,
    kind: z.literal("waitBound"),
    namespace: z.string(),
    claims: z.array(claimBindingSchema),
  }),
  z.object({
    ...base,
    kind: z.literal("stripOwnerReferences"),
    target: objectRefSchema,
    remove: z.array(ownerRefSchema),
    reason: z.string(),
  }),
  z.object({
    ...base,
    kind: z.literal("recreateDeployment"),
    namespace: z.string(),
    name: z.string(),
    reason: z.string(),
    object: kubeObjectSchema,
    /**
     * The selector of the Deployment being replaced: the new one is created only once no pod of it exists (one
     * writer per volume). Absent in plans journaled before it was added: the live Deployment's selector is used.
     */
    oldSelector: labelsSchema.optional(),
  }),
  z.object({
    ...base,
    kind: z.literal("scaleDeployments"),
    namespace: z.string(),
    /** `from` is what the plan saw; `to` what the step sets. */
    deployments: z.array(z.object({ name: z.string(), from: z.number().int(), to: z.number().int() })),
    reason: z.string(),
  }),
  z.object({
    ...base,
    kind: z.literal("waitPodsGone"),
    namespace: z.string(),
    /** Waits until no pod matches any of these label selectors, terminating pods included. */
    workloads: z.array(z.object({ name: z.string(), selector: labelsSchema })),
    reason: z.string(),
  }),
  z.object({
    ...base,
    kind: z.literal("verifyMysqlSeries"),
    namespace: z.string(),
    deployment: z.string(),
    selector: labelsSchema,
    series: mysqlSeriesSchema,
  }),
  z.object({
    ...base,
    kind: z.literal("pointOfNoReturn"),
    namespace: z.string(),
    /** What moved the data forward: a new MySQL series Available, or a newer API server started. */
    reason: z.string(),
    /** Deployments an automatic rollback after this step never restores (mysql, the object store, the API server). */
    keep: z.array(z.string()),
  }),
  z.object({
    ...base,
    kind: z.literal("setImages"),
    namespace: z.string(),
    deployment: z.string(),
    containers: z.array(z.object({ name: z.string(), from: z.string(), to: z.string() })),
  }),
  z.object({
    ...base,
    kind: z.literal("waitRollout"),
    namespace: z.string(),
    deployments: z.array(z.string()),
    /** A wait longer than `--timeout` (a one-way migration at the API server's start: `--migration-timeout`). */
    timeoutSeconds: z.number().int().positive().optional(),
    /** Why this wait is its own step, in words. */
    reason: z.string().optional(),
    /**
     * A regular expression (JavaScript source) for the log lines of the waited-for pods that report a migration's
     * progress; matching lines are shown as progress where pod logs can be read (a failure to read them is no error).
     */
    progressLog: z.string().optional(),
  }),
  z.object({
    ...base,
    kind: z.literal("waitWorkflowsDone"),
    namespace: z.string(),
    /** The unfinished Workflows the plan saw; the wait ends when no Workflow of the namespace is unfinished. */
    workflows: z.array(z.string()),
    reason: z.string(),
  }),
  z.object({
    ...base,
    kind: z.literal("verifyBinding"),
    namespace: z.string(),
    claims: z.array(claimBindingSchema),
  }),
  z.object({
    ...base,
    kind: z.literal("verifyInventory"),
    namespace: z.string(),
    /**
     * `--kfp-endpoint`: KFP's API at this URL; absent: through the Kubernetes API server's service proxy to
     * `ml-pipeline:8888` in `namespace`.
     */
    endpoint: z.string().optional(),
    /** Multi-user installs: the profile namespaces read and the user asked as (`--kfp-namespaces`, `--kfp-user`). */
    kfpNamespaces: z.array(z.string()).optional(),
    kfpUser: z.string().optional(),
    /** Where the baseline comes from, in words (`read before the run`, `recorded in the KFAPP at …`). */
    source: z.string(),
    /** Every object listed in the baseline must be listed again (new ones are fine). */
    baseline: inventoryBaselineSchema,
  }),
  z.object({
    ...base,
    kind: z.literal("recordInventory"),
    namespace: z.string(),
    /** As in verifyInventory: `--kfp-endpoint`, or the service proxy to `ml-pipeline:8888` in `namespace`. */
    endpoint: z.string().optional(),
    kfpNamespaces: z.array(z.string()).optional(),
    kfpUser: z.string().optional(),
  }),
  z.object({ ...base, kind: z.literal("prune"), objects: z.array(objectRefSchema), reason: z.string() }),
  z.object({
    ...base,
    kind: z.literal("adoptObjects"),
    /**
     * Field managers whose fields move to kfp-upgrade's (`kubectl-client-side-apply`, `helm`, …), as `kubectl apply
     * --server-side` upgrades client-side-applied objects: their `managedFields` entries are merged into
     * kfp-upgrade's Apply entry and `kubectl.kubernetes.io/last-applied-configuration` is dropped. No field value
     * changes; later applies then remove what a new release drops.
     */
    from: z.array(z.string()),
    /** Who installed them, in words, for the plan ("kubectl (client-side apply)", "Helm release kfp"). */
    installers: z.array(z.string()),
    objects: z.array(objectRefSchema),
  }),
  z.object({
    ...base,
    kind: z.literal("serverDryRun"),
    /**
     * Ids of this hop's write steps (applyObjects, createIfAbsent, recreateDeployment) run as a server-side dry run
     * (`dryRun=All`) before the hop's first write: conflicts, validation and admission errors refuse the hop with
     * every failing object named and nothing changed.
     */
    steps: z.array(z.string()),
  }),
  z.object({
    ...base,
    kind: z.literal("forgetHelmRelease"),
    release: z.string(),
    /** Where Helm keeps the release's records. */
    namespace: z.string(),
    /** Helm's release records (`sh.helm.release.v1.<release>.v<N>`, type `helm.sh/release.v1`); they hold no KFP data. */
    records: z.array(z.object({ kind: z.enum(["Secret", "ConfigMap"]), name: z.string(), uid: z.string() })),
    /** Objects whose Helm ownership marks are removed (`meta.helm.sh/release-*`, `app.kubernetes.io/managed-by: Helm`). */
    unmark: z.array(objectRefSchema),
  }),

  z.object({
    ...base,
    kind: z.literal("recordDataWriter"),
    namespace: z.string(),
    /** The claims whose PVs now hold data written by `writer` (annotated `kfp-upgrade.kubeflow.org/data-written-by`). */
    claims: z.array(z.object({ role: dataRoleSchema, claim: z.string() })),
    writer: dataWriterSchema,
  }),
  z.object({
    ...base,
    kind: z.literal("backupVolumes"),
    namespace: z.string(),
    /** Why the plan backs up (`--backup`, or the one-way changes the user confirmed a backup for). */
    reason: z.string(),
    /** Labels every backup object carries (the app's, the role's, the from/to versions). */
    labels: labelsSchema,
    /** One per data claim; each is created unless it exists, then waited for until ready. */
    backups: z.array(backupTargetSchema),
  }),
  z.object({
    ...base,
    kind: z.literal("editAppFile"),
    /** A file of the KFAPP, relative to its directory; the cluster is not touched. */
    file: z.string(),
    /** What changes, in words. */
    change: z.string(),
    /** The whole file before the edit: the handler writes `after` only over exactly this, and rollback restores it. */
    before: z.string(),
    after: z.string(),
    /** Unified diff of before -> after, shown in the plan. */
    diff: z.string(),
  }),
  z.object({
    ...base,
    kind: z.literal("saveVolumeDefinitions"),
    namespace: z.string(),
    claims: z.array(z.object({ role: dataRoleSchema, claim: z.string() })),
  }),
]);
export type Step = z.infer<typeof stepSchema>;
export type StepKind = Step["kind"];
export type StepOf<K extends StepKind> = Extract<Step, { kind: K }>;

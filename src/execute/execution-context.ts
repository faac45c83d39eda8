import type { Gcloud } from "../gcp/gcloud.js";
import type { KfpInventory } from "../kfp/inventory.js";
import type { KubeClient } from "../kube/kube-client.js";
import type { BackupRecord } from "../model/backup.js";
import type { KubeObject } from "../model/kube-object.js";
import type { DataRole, Step, StepOf } from "../plan/step.js";
import type { ClassifiedObjects } from "./classified-objects.js";
import type { DeploymentProgress } from "./readiness/apps-v1-deployment-progress.js";

/** What a step handler may use. Handlers know steps, not commands. */
export interface ExecutionContext {
  client: KubeClient;
  timeoutSeconds: number;
  signal: AbortSignal;
  /** `deployments`: while a rollout is waited for, each Deployment's ready replicas and first pod-level cause. */
  progress(message: string, deployments?: DeploymentProgress[]): void;
  warn(message: string): void;
  /** PV name and UID each data claim was found bound to during this run (claim name -> binding). */
  bindings: Map<string, { volumeName: string; volumeUid: string }>;
  /** Keeps a data PV's definition where a later reinstall finds it (the KFAPP's `.kfp-upgrade/volumes/`). */
  saveVolume(role: DataRole, volume: KubeObject): Promise<void>;
  /** KFP's own API (verifyInventory): absent in runs that never read it. */
  inventory?: InventoryAccess | undefined;
  /** Records a backup taken and ready (the run's history entry lists it); absent in runs that keep no history. */
  recordBackup?: ((backup: BackupRecord) => void) | undefined;
  /** The KFAPP's own files (editAppFile steps); absent in runs that have no KFAPP directory. */
  appFiles?: AppFiles | undefined;
  /** gcloud for a project (GCP disk snapshots); absent: the real gcloud in this process's environment. */
  gcloudFor?: ((project: string) => Gcloud) | undefined;
  /** How often a GCP snapshot's status is asked while waiting for READY (ms); 2000 when absent. */
  gcpPollMs?: number | undefined;
  /**
   * What the classification before the plan was shown dry-ran, in this process (absent: a resumed run, plain
   * --dry-run): unchanged objects are neither dry-run again nor applied when their apply is a no-op.
   */
  classified?: ClassifiedObjects | undefined;
  /** The whole plan being run (a server-side dry run checks later steps by id). */
  steps: readonly Step[];
}

/** Reads KFP's inventory where a verify/recordInventory step says, and records the one read (KFAPP, history). */
export interface InventoryAccess {
  read(step: StepOf<"verifyInventory"> | StepOf<"recordInventory">): Promise<KfpInventory>;
  record(inventory: KfpInventory): Promise<void>;
}

/** Reads and writes files of the KFAPP directory, by path relative to it. */
export interface AppFiles {
  /** The file's text, or undefined when it does not exist. */
  read(file: string): Promise<string | undefined>;
  /** Replaces the file's text atomically. */
  write(file: string, content: string): Promise<void>;
}

import type { KubeClient } from "../kube/kube-client.js";
import type { KubeObject } from "../model/kube-object.js";
import type { DataRole, Step } from "../plan/step.js";

/** What a step handler may use. Handlers know steps, not commands. */
export interface ExecutionContext {
  client: KubeClient;
  timeoutSeconds: number;
  signal: AbortSignal;
  progress(message: string): void;
  warn(message: string): void;
  /** PV name and UID each data claim was found bound to during this run (claim name -> binding). */
  bindings: Map<string, { volumeName: string; volumeUid: string }>;
  /** Keeps a data PV's definition where a later reinstall finds it (the KFAPP's `.kfp-upgrade/volumes/`). */
  saveVolume(role: DataRole, volume: KubeObject): Promise<void>;
  /** The whole plan being run (a server-side dry run checks later steps by id). */
  steps: readonly Step[];
}

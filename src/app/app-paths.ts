import path from "node:path";

export const APP_FILE_NAME = "kfp-app.yaml";
export const STATE_DIR_NAME = ".kfp-upgrade";

/** `legacyObjectStore`: the MinIO volume kept after a switch to SeaweedFS (its artifacts stay there). */
export type VolumeRole = "mysql" | "objectStore" | "legacyObjectStore";

export interface AppPaths {
  dir: string;
  appFile: string;
  stateDir: string;
  historyFile: string;
  /** The last KFP inventory a run read (`kfp-upgrade reinstall` compares with it). */
  inventoryFile: string;
  journalDir: string;
  journalFile: string;
  journalPlanFile: string;
  volumesDir: string;
  volumeFile: (role: VolumeRole) => string;
}

/** Where everything lives inside a KFAPP directory; the one place that spells these names. */
export function appPaths(dir: string): AppPaths {
  const root = path.resolve(dir);
  const stateDir = path.join(root, STATE_DIR_NAME);
  const journalDir = path.join(stateDir, "journal");
  const volumesDir = path.join(stateDir, "volumes");
  return {
    dir: root,
    appFile: path.join(root, APP_FILE_NAME),
    stateDir,
    historyFile: path.join(stateDir, "history.jsonl"),
    inventoryFile: path.join(stateDir, "inventory.json"),
    journalDir,
    journalFile: path.join(journalDir, "journal.json"),
    journalPlanFile: path.join(journalDir, "plan.json"),
    volumesDir,
    volumeFile: (role) => path.join(volumesDir, `${role}.yaml`),
  };
}

import path from "node:path";
import { isMap, isScalar, isSeq, parseDocument } from "yaml";
import { ConfigError } from "../errors.js";
import { readOptionalFile } from "./read-optional-file.js";
import { unifiedDiff } from "./unified-diff.js";

/** The Deployment Manager storage config of a kfctl.sh-era GCP KFAPP, relative to the KFAPP directory. */
export const GCP_STORAGE_CONFIG = "gcp_config/storage-kubeflow.yaml";

/** One edit of a file in the KFAPP, with the exact text before and after (journaled in the plan, undone on rollback). */
export interface AppFileEdit {
  /** Relative to the KFAPP directory. */
  file: string;
  /** What changes, in words. */
  change: string;
  before: string;
  after: string;
  /** Unified diff of before -> after, for the plan. */
  diff: string;
}

/**
 * `createPipelinePersistentStorage: false` in the storage config's storage.jinja resource, as the old reinstall
 * procedure had the user set it: a storage deployment applied from it creates no disks, and the existing ones are used
 * through mysqlPd/minioPd (kfp-facts §1.3). Only the value's characters change: the text before and after it is kept
 * byte for byte, comments and layout included.
 * Undefined when the value is already false or the key is not there.
 */
export function disablePipelineStorageCreation(
  source: string,
  fileName = GCP_STORAGE_CONFIG,
): string | undefined {
  const document = parseDocument(source, { keepSourceTokens: true });
  if (document.errors.length > 0) {
    throw new ConfigError("LEGACY_INVALID", `${fileName} is not valid YAML: ${document.errors[0]?.message}`, {
      hint: "Fix gcp_config/storage-kubeflow.yaml, or move it away and write kfp-app.yaml by hand",
    });
  }
  const resources = document.get("resources");
  if (!isSeq(resources)) return undefined;
  const maps = resources.items.filter(isMap);
  const resource = maps.find((item) => item.get("type") === "storage.jinja") ?? maps[0];
  const properties = resource?.get("properties", true);
  if (!isMap(properties)) return undefined;
  const value = properties.get("createPipelinePersistentStorage", true);
  if (!isScalar(value) || value.value === false || !value.range) return undefined;
  const [start, end] = value.range;
  return `${source.slice(0, start)}false${source.slice(end)}`;
}

/** The edit a reinstall plans for the KFAPP's storage config, or undefined when there is none or nothing to change. */
export async function planGcpStorageEdit(appDir: string): Promise<AppFileEdit | undefined> {
  const before = await readOptionalFile(path.join(appDir, GCP_STORAGE_CONFIG));
  if (before === undefined) return undefined;
  const after = disablePipelineStorageCreation(before);
  if (after === undefined) return undefined;
  return {
    file: GCP_STORAGE_CONFIG,
    change:
      "createPipelinePersistentStorage: false (a storage deployment applied from it creates no disks; the existing ones stay in use)",
    before,
    after,
    diff: unifiedDiff(GCP_STORAGE_CONFIG, before, after),
  };
}

/**
 * What the edited file must not be used for: updating the deployment that owns the disks without their resources
 * deletes them under Deployment Manager's default delete policy (kfp-facts §1.3).
 */
export const GCP_STORAGE_EDIT_WARNING = `${GCP_STORAGE_CONFIG} will say createPipelinePersistentStorage: false: apply it only as a new Deployment Manager deployment (kfctl.sh with a new deployment name), never as an update of the existing \`<deployment>-storage\` that created the disks; that update removes the disk resources, which deletes the disks and their data under the default delete policy (\`gcloud deployment-manager deployments update ... --delete-policy=ABANDON\` keeps them)`;

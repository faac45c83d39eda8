import yaml from "js-yaml";
import { z } from "zod";
import { ConfigError, InternalError } from "../errors.js";
import { appPaths, STATE_DIR_NAME, type VolumeRole } from "./app-paths.js";
import { formatYamlIssues } from "./format-yaml-issues.js";
import { parseYamlSource } from "./parse-yaml-source.js";
import { readOptionalFile } from "./read-optional-file.js";
import { writeFileAtomic } from "./write-file-atomic.js";

export type { VolumeRole } from "./app-paths.js";

export const savedVolumeSchema = z.looseObject({
  apiVersion: z.literal("v1"),
  kind: z.literal("PersistentVolume"),
  metadata: z.looseObject({ name: z.string().min(1) }),
  spec: z.looseObject({}),
});
export type SavedVolume = z.infer<typeof savedVolumeSchema>;
export type SavedVolumes = Partial<Record<VolumeRole, SavedVolume>>;

const ROLES: readonly VolumeRole[] = ["mysql", "objectStore", "legacyObjectStore"];
/** Fields the API server and its controllers own: a new cluster refuses them or sets them itself. */
const SERVER_METADATA = [
  "uid",
  "resourceVersion",
  "creationTimestamp",
  "managedFields",
  "selfLink",
  "generation",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "finalizers",
];

/**
 * Keeps the definition of a data volume's PV in `.kfp-upgrade/volumes/<role>.yaml`, so that a reinstall on a new
 * cluster can recreate the same PV over the same storage. Returns the file written.
 */
export async function saveVolumeDefinition(
  dir: string,
  role: VolumeRole,
  pv: Record<string, unknown>,
): Promise<string> {
  const stripped = stripVolumeDefinition(pv);
  const fileName = relativeFile(role);
  const parsed = savedVolumeSchema.safeParse(stripped, { reportInput: true });
  if (!parsed.success) {
    throw new InternalError(`refusing to save an invalid PersistentVolume as ${fileName}`, {
      details: formatYamlIssues(parsed.error, { source: "", fileName }),
    });
  }
  const header = `# The ${role} data volume of this KFAPP, saved by kfp-upgrade so a reinstall can recreate it.\n`;
  const file = appPaths(dir).volumeFile(role);
  await writeFileAtomic(file, header + yaml.dump(parsed.data, { lineWidth: -1, noRefs: true }));
  return file;
}

/** The saved PV definitions, validated; a role with no file is absent. */
export async function loadVolumeDefinitions(dir: string): Promise<SavedVolumes> {
  const paths = appPaths(dir);
  const volumes: SavedVolumes = {};
  for (const role of ROLES) {
    const source = await readOptionalFile(paths.volumeFile(role));
    if (source === undefined) continue;
    const fileName = relativeFile(role);
    const hint = `Fix ${fileName}, or remove it and let kfp-upgrade save the PV again from a cluster that has it`;
    const parsed = savedVolumeSchema.safeParse(
      parseYamlSource(source, { fileName, code: "SAVED_VOLUME_INVALID", hint }),
      { reportInput: true },
    );
    if (!parsed.success) {
      throw new ConfigError("SAVED_VOLUME_INVALID", `${fileName} is not a PersistentVolume definition`, {
        details: formatYamlIssues(parsed.error, { source, fileName }),
        hint,
      });
    }
    volumes[role] = parsed.data;
  }
  return volumes;
}

/** A deep copy without the fields the API server owns, the old claimRef and the status. */
export function stripVolumeDefinition(pv: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(pv);
  const metadata = copy.metadata;
  if (isRecord(metadata)) {
    for (const key of SERVER_METADATA) delete metadata[key];
    const annotations = metadata.annotations;
    // Left on a recreated PV, it claims a binding the new cluster's controller never made.
    if (isRecord(annotations)) delete annotations["pv.kubernetes.io/bound-by-controller"];
  }
  const spec = copy.spec;
  if (isRecord(spec)) delete spec.claimRef;
  delete copy.status;
  return copy;
}

function relativeFile(role: VolumeRole): string {
  return `${STATE_DIR_NAME}/volumes/${role}.yaml`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

import type { DataVolume, KfpAppInput, VolumeStorage } from "./kfp-app.js";
import type { LegacyReader } from "./legacy-reader.js";
import { type GcpStorageConfig, parseGcpStorageConfig } from "./parse-gcp-storage-config.js";
import { presentString } from "./present-string.js";

export interface LegacyGcp {
  platform: NonNullable<KfpAppInput["platform"]>;
  notes: string[];
}

const CONFIG_FILE = "gcp_config/storage-kubeflow.yaml";
/** storage.jinja names each disk `<DM deployment>-<usage>`; kfctl.sh's DM deployment is `${DEPLOYMENT_NAME}-storage`. */
const DM_DISKS: Record<string, DataVolume> = { "metadata-store": "mysql", "artifact-store": "objectStore" };
const KSONNET_PD = { mysql: "mysqlPd", objectStore: "minioPd" } as const;

/**
 * The GCP side of a ksonnet KFAPP (kfp-facts §1.3): project and zone from env.sh (the zone also from
 * gcp_config), and what the Deployment Manager storage config means for the disks the params name.
 */
export async function importLegacyGcp(
  reader: LegacyReader,
  envSh: Record<string, string>,
  storage: Record<DataVolume, VolumeStorage>,
): Promise<LegacyGcp> {
  const source = await reader.read(CONFIG_FILE);
  const config = source === undefined ? undefined : parseGcpStorageConfig(source, CONFIG_FILE);
  const isGcp = config !== undefined || envSh.PLATFORM === "gcp" || (await reader.isDirectory("gcp_config"));
  if (!isGcp) return { platform: { type: "generic" }, notes: [] };

  const notes: string[] = [];
  const project = presentString(envSh.PROJECT);
  const zone = presentString(envSh.ZONE) ?? config?.zone;
  let platform: LegacyGcp["platform"] = { type: "generic" };
  if (project && zone) {
    platform = { type: "gcp", project, zone };
  } else {
    const missing = [project ? undefined : "project", zone ? undefined : "zone"]
      .filter(Boolean)
      .join(" and ");
    notes.push(
      `this is a GCP KFAPP but its ${missing} could not be found (env.sh PROJECT/ZONE); the platform stays generic until you run \`kfp-upgrade params set platform gcp/${project ?? "PROJECT"}/${zone ?? "ZONE"}\``,
    );
  }
  if (config) notes.push(...diskNotes(config, presentString(envSh.DEPLOYMENT_NAME), storage));
  return { platform, notes };
}

function diskNotes(
  config: GcpStorageConfig,
  deploymentName: string | undefined,
  storage: Record<DataVolume, VolumeStorage>,
): string[] {
  if (config.createPipelinePersistentStorage === undefined) {
    return [
      `${CONFIG_FILE} still holds kfctl's placeholder for createPipelinePersistentStorage (\`kfctl.sh generate platform\` did not finish); no disks were created from it`,
    ];
  }
  if (!config.createPipelinePersistentStorage) {
    return [
      `${CONFIG_FILE} does not create the pipeline disks (createPipelinePersistentStorage: false): the disks named by mysqlPd/minioPd must already exist`,
    ];
  }
  const dmDeployment = deploymentName ? `${deploymentName}-storage` : inferDmDeployment(storage);
  const notes: string[] = [];
  for (const usage of config.diskUsages) {
    const volume = DM_DISKS[usage];
    if (!volume || !dmDeployment) continue;
    const disk = `${dmDeployment}-${usage}`;
    const configured = storage[volume].gcpDisk;
    if (configured === disk) continue;
    notes.push(
      configured
        ? `storage.${volume}: the params use disk "${configured}", not "${disk}" that ${CONFIG_FILE} creates`
        : `storage.${volume}: ${CONFIG_FILE} creates disk "${disk}" but no ${KSONNET_PD[volume]} param uses it`,
    );
  }
  const owner = dmDeployment
    ? `Deployment Manager deployment "${dmDeployment}"`
    : "a Deployment Manager deployment";
  notes.push(
    `the pipeline disks belong to ${owner} (createPipelinePersistentStorage: true): deleting it, or updating it with createPipelinePersistentStorage: false, can delete the disks and the data on them`,
  );
  return notes;
}

/** Without env.sh, the disk names kfctl.sh gave the params still carry the deployment name. */
function inferDmDeployment(storage: Record<DataVolume, VolumeStorage>): string | undefined {
  for (const [usage, volume] of Object.entries(DM_DISKS)) {
    const disk = storage[volume].gcpDisk;
    if (disk?.endsWith(`-${usage}`)) return disk.slice(0, -usage.length - 1);
  }
  return undefined;
}

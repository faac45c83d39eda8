import { z } from "zod";
import { GcpError, isKfpError } from "../errors.js";
import type { Gcloud } from "./gcloud.js";

/**
 * `gcloud deployment-manager deployments describe NAME --format=json` prints `{deployment, resources, outputs}`:
 * the Deployment resource and the items of `resources.list` (Deployment Manager v2,
 * https://cloud.google.com/deployment-manager/docs/reference/latest/deployments and .../resources, discovery
 * document https://deploymentmanager.googleapis.com/$discovery/rest?version=v2, schemas "Deployment" and
 * "Resource"). A Resource's `properties` / `finalProperties` are YAML text.
 */
export const deploymentDescribeSchema = z.object({
  deployment: z.object({ name: z.string(), fingerprint: z.string().optional() }),
  resources: z
    .array(
      z.object({
        name: z.string(),
        type: z.string(),
        properties: z.string().optional(),
        finalProperties: z.string().optional(),
      }),
    )
    .nullable()
    .default([]),
});
export type DeploymentDescribe = z.infer<typeof deploymentDescribeSchema>;

/** storage.jinja (kubeflow/kubeflow v0.x `deployment/gke/deployment_manager_configs`) names each disk `<deployment>-<usage>`. */
const USAGES = { mysql: "metadata-store", objectStore: "artifact-store" } as const;

export interface StorageDeploymentDisks {
  /** `<NAME>-storage`, the Deployment Manager deployment kfctl.sh created for the disks. */
  deployment: string;
  disks: { mysql: string; objectStore: string };
  /** The zone the resources' properties name, when they do. */
  zone: string | null;
  warning: string;
}

/**
 * The two pipeline disks of a kfctl-era GCP deployment, from its `<NAME>-storage` Deployment Manager deployment:
 * each must be one of its `compute.v1.disk` resources. Refused (GCP_STORAGE_DEPLOYMENT) naming the command that shows
 * the deployment when it does not exist or lacks a disk.
 */
export async function findStorageDeploymentDisks(
  gcloud: Gcloud,
  name: string,
): Promise<StorageDeploymentDisks> {
  const deployment = `${name}-storage`;
  const args = ["deployment-manager", "deployments", "describe", deployment];
  const command = `gcloud ${args.join(" ")} --project ${gcloud.project}`;
  let described: DeploymentDescribe;
  try {
    described = await gcloud.json(args, deploymentDescribeSchema);
  } catch (error) {
    if (isKfpError(error) && error.code === "GCP_NOT_FOUND") {
      throw new GcpError(
        "GCP_STORAGE_DEPLOYMENT_MISSING",
        `Deployment Manager deployment "${deployment}" does not exist in project ${gcloud.project}; nothing was changed`,
        {
          command,
          hint: `\`gcloud deployment-manager deployments list --project ${gcloud.project}\` lists the deployments; pass the name without "-storage" to --gcp-deployment, or the disks with --mysql-pd/--minio-pd.`,
        },
      );
    }
    throw error;
  }
  const diskResources = (described.resources ?? []).filter((resource) => resource.type === "compute.v1.disk");
  const missing: string[] = [];
  const disks = { mysql: "", objectStore: "" };
  let zone: string | null = null;
  for (const role of ["mysql", "objectStore"] as const) {
    const wanted = `${deployment}-${USAGES[role]}`;
    const resource = diskResources.find((candidate) => candidate.name === wanted);
    if (!resource) {
      missing.push(wanted);
      continue;
    }
    disks[role] = wanted;
    zone ??= zoneIn(resource.finalProperties ?? resource.properties ?? "");
  }
  if (missing.length > 0) {
    throw new GcpError(
      "GCP_STORAGE_DEPLOYMENT_INCOMPLETE",
      `Deployment Manager deployment "${deployment}" has no disk resource ${missing.map((disk) => `"${disk}"`).join(" or ")}; nothing was changed`,
      {
        command,
        details: [
          `its disk resources: ${diskResources.map((resource) => resource.name).join(", ") || "none"}`,
        ],
        hint: `Run \`${command}\` to see its resources, and pass the disks with --mysql-pd/--minio-pd.`,
      },
    );
  }
  return {
    deployment,
    disks,
    zone,
    warning: `the disks ${disks.mysql} and ${disks.objectStore} are resources of Deployment Manager deployment "${deployment}": re-applying that deployment without them (e.g. \`gcloud deployment-manager deployments update ${deployment}\` with createPipelinePersistentStorage: false) deletes them under the default delete policy; keep them in its config, or update with \`--delete-policy=ABANDON\``,
  };
}

/** `zone: us-central1-a` in a Resource's YAML properties (a top-level scalar; no YAML parser needed for it). */
function zoneIn(properties: string): string | null {
  const match = /^zone:\s*["']?([a-z0-9-]+)["']?\s*$/m.exec(properties);
  return match?.[1] ?? null;
}

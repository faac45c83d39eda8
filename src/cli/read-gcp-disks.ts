import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { KfpApp } from "../app/kfp-app.js";
import { parseEnvSh } from "../app/parse-env-sh.js";
import { isKfpError } from "../errors.js";
import { describeDisk } from "../gcp/describe-disk.js";
import { ensureGcloudReady } from "../gcp/ensure-gcloud-ready.js";
import { createGcloud, type Gcloud } from "../gcp/gcloud.js";
import { findStorageDeploymentDisks } from "../gcp/storage-deployment.js";
import type { KubeClient } from "../kube/kube-client.js";
import type { ClusterNode, GcpFindings } from "../model/gcp-disk.js";

export interface GcpDiskRead {
  /** The app with the disks Deployment Manager named filled in (for the roles that named none). */
  app: KfpApp;
  /** undefined: the app uses no GCP disk, nothing was asked. */
  findings: GcpFindings | undefined;
  warnings: string[];
  notes: string[];
}

const ZONE_LABELS = ["topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone"];

/**
 * The GCP side of deploy and reinstall, read before planning (only reads; nothing is changed): the disks of the
 * `<deployment>-storage` Deployment Manager deployment (from --gcp-deployment, or a legacy KFAPP's env.sh
 * DEPLOYMENT_NAME), each data disk as gcloud describes it, and the cluster's nodes with their zones.
 */
export async function readGcpDisks(input: {
  app: KfpApp;
  appDir: string;
  gcpDeployment: string | undefined;
  client: KubeClient;
  env: NodeJS.ProcessEnv;
  gcloud?: Gcloud;
}): Promise<GcpDiskRead> {
  let app = input.app;
  const platform = app.platform;
  const warnings: string[] = [];
  const notes: string[] = [];
  if (platform.type !== "gcp") return { app, findings: undefined, warnings, notes };
  // A legacy KFAPP's storage deployment matters only for volumes on GCP disks (or on nothing yet): one on PVs or a
  // StorageClass needs no gcloud at all.
  const onDisks = (["mysql", "objectStore"] as const).some(
    (role) => !app.storage[role].pvName && !app.storage[role].storageClass,
  );
  const legacyName =
    input.gcpDeployment === undefined && onDisks ? await legacyDeploymentName(input.appDir) : undefined;
  const deploymentName = input.gcpDeployment ?? legacyName;
  const usesDisks = () =>
    app.storage.mysql.gcpDisk !== undefined || app.storage.objectStore.gcpDisk !== undefined;
  if (!deploymentName && !usesDisks()) return { app, findings: undefined, warnings, notes };

  const gcloud = input.gcloud ?? createGcloud({ project: platform.project, env: input.env });
  await ensureGcloudReady(gcloud);
  if (deploymentName) {
    const storage = await findStorageDeploymentDisks(gcloud, deploymentName).catch((error: unknown) => {
      // A legacy KFAPP whose params name both disks needs no Deployment Manager disks: say so, go on.
      const optional =
        legacyName !== undefined && app.storage.mysql.gcpDisk && app.storage.objectStore.gcpDisk;
      if (optional && isKfpError(error) && error.code.startsWith("GCP_STORAGE_DEPLOYMENT_")) {
        notes.push(
          `${error.message.replace(/; nothing was changed$/, "")}: the disks the params name are used`,
        );
        return null;
      }
      throw error;
    });
    if (storage) {
      warnings.push(storage.warning);
      const next = { ...app.storage };
      for (const role of ["mysql", "objectStore"] as const) {
        const given = app.storage[role].gcpDisk;
        if (given === undefined && !app.storage[role].storageClass) {
          next[role] = { ...app.storage[role], gcpDisk: storage.disks[role] };
          notes.push(
            `storage.${role}: GCP disk "${storage.disks[role]}" of Deployment Manager deployment "${storage.deployment}"`,
          );
        } else if (given !== undefined && given !== storage.disks[role]) {
          notes.push(
            `storage.${role}: GCP disk "${given}" is used, not "${storage.disks[role]}" of "${storage.deployment}"`,
          );
        }
      }
      app = { ...app, storage: next };
    }
  }
  const nodes = (await input.client.list("v1", "Node")).map(
    (node): ClusterNode => ({
      name: node.metadata.name,
      zone:
        ZONE_LABELS.map((label) => node.metadata.labels?.[label]).find((zone) => zone !== undefined) ?? null,
    }),
  );
  const disks: GcpFindings["disks"] = [];
  for (const role of ["mysql", "objectStore"] as const) {
    const disk = app.storage[role].gcpDisk;
    if (disk === undefined) continue;
    const described = await describeDisk(gcloud, disk, platform.zone);
    disks.push({
      role,
      disk,
      project: platform.project,
      zone: platform.zone,
      state: described.state,
      showCommand: described.showCommand,
    });
  }
  return { app, findings: { disks, nodes }, warnings, notes };
}

/** A legacy ksonnet KFAPP's kfctl deployment name (env.sh DEPLOYMENT_NAME), when it has a gcp_config. */
async function legacyDeploymentName(appDir: string): Promise<string | undefined> {
  const isDir = await stat(path.join(appDir, "gcp_config")).then(
    (info) => info.isDirectory(),
    () => false,
  );
  if (!isDir) return undefined;
  const envSh = await readFile(path.join(appDir, "env.sh"), "utf8").catch(() => "");
  const name = parseEnvSh(envSh).DEPLOYMENT_NAME?.trim();
  return name ? name : undefined;
}

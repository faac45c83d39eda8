import { readJournal } from "../../app/journal.js";
import { describeInventoryCounts } from "../../kfp/inventory.js";
import { takeSnapshot } from "../../kube/take-snapshot.js";
import { describeInstallers, installerCounts } from "../../model/installer-counts.js";
import { CATALOGUE, findRelease } from "../../release/catalogue.js";
import type { CommandDeps } from "../command-deps.js";
import type { CommandResult } from "../command-result.js";
import type { GlobalOptions } from "../global-options.js";
import { kfpApiOptionsSchema } from "../inventory-options.js";
import type { StatusOutput } from "../json-output/status-output.js";
import { inventoryStatus, saveInventory } from "../kfp-inventory.js";
import { listBackups } from "../list-backups.js";
import { parseOptions } from "../parse-options.js";
import { prepareRun } from "../prepare-run.js";

/** Installed version, component readiness and the storage binding; reads only. */
export async function status(
  global: GlobalOptions,
  deps: CommandDeps,
  raw: unknown = {},
): Promise<CommandResult> {
  const options = parseOptions(kfpApiOptionsSchema, raw);
  const run = await prepareRun(global, deps);
  const namespace = run.app.namespace;
  const client = await run.connect();
  const snapshot = await takeSnapshot(client, { namespace });
  const { read, inventory, inventoryError } = await inventoryStatus(
    client,
    namespace,
    options,
    snapshot.installedVersion,
  );
  // What KFP lists now is what a later reinstall compares with: a KFAPP keeps it (the cluster is only read).
  const recordInventory = read !== null && run.loaded.source !== "none";
  if (recordInventory) await saveInventory(run.appDir, read, deps.now());
  const info = snapshot.installedVersion ? findRelease(CATALOGUE, snapshot.installedVersion) : undefined;
  const dataClaims = info ? Object.values(info.dataClaims) : ["mysql-pv-claim", "minio-pvc", "seaweedfs-pvc"];
  const components = snapshot.deployments
    .filter((d) => d.namespace === namespace)
    .map((d) => ({
      name: d.name,
      ready: d.availableReplicas >= d.replicas && d.updatedReplicas >= d.replicas,
      replicas: `${d.availableReplicas}/${d.replicas}`,
      images: d.containers.map((c) => c.image),
    }));
  const storage = snapshot.claims
    .filter((c) => c.namespace === namespace && dataClaims.includes(c.name))
    .map((claim) => {
      const volume = snapshot.volumes.find((v) => v.name === claim.volumeName);
      return {
        claim: claim.name,
        phase: claim.phase,
        volumeName: claim.volumeName,
        volumeUid: volume?.uid ?? null,
        reclaimPolicy: volume?.reclaimPolicy ?? null,
        capacityBytes: volume?.capacityBytes ?? null,
      };
    });
  const installers = installerCounts(snapshot);
  const journal = await readJournal(run.appDir);
  // Backups are extra: a damaged history or an unreadable snapshot API must not hide the rest of the status.
  const backupListing = await listBackups(client, run.appDir, namespace).catch((error: unknown) => {
    deps.output.info(
      `warning: the backups could not be listed: ${error instanceof Error ? error.message : String(error)}`,
    );
    return null;
  });
  // The last run that took backups: what a restore would start from.
  const lastBackup = backupListing?.recorded.at(-1);
  const backups = lastBackup
    ? {
        run: lastBackup.run,
        command: lastBackup.command,
        from: lastBackup.from,
        to: lastBackup.to,
        snapshots: lastBackup.backups.map((b) => ({
          ...b,
          // A GCP snapshot lives in the project, not in the cluster.
          inCluster:
            b.method === "csi"
              ? (backupListing?.snapshots.some((s) => s.name === b.snapshot) ?? false)
              : null,
        })),
      }
    : null;
  const data: StatusOutput = {
    context: snapshot.context,
    namespace: { name: namespace, exists: snapshot.namespace.exists, phase: snapshot.namespace.phase },
    installedVersion: snapshot.installedVersion,
    versionSource: snapshot.versionSource,
    appVersion: run.app.version ?? null,
    components,
    /** Who installed the install's objects, from their field managers and marks (an object may count for two). */
    installers,
    storage,
    /** What KFP's own API lists (counts per kind); null, with `inventoryError`, when it could not be read. */
    inventory,
    ...(inventory === null ? { inventoryError } : {}),
    /** Whether that inventory was saved in the KFAPP's .kfp-upgrade/inventory.json for later runs. */
    inventoryRecorded: recordInventory,
    /** The backups the last run that took any recorded (`kfp-upgrade backups` lists all). */
    backups,
    runInProgress: journal
      ? { runId: journal.runId, command: journal.command, status: journal.status }
      : null,
  };
  const lines = [
    `Namespace:  ${namespace}${snapshot.namespace.exists ? ` (${snapshot.namespace.phase ?? "Active"})` : " (does not exist)"}`,
    `KFP:        ${snapshot.installedVersion ?? "not installed"}${snapshot.versionSource !== "none" ? ` (from ${snapshot.versionSource})` : ""}`,
  ];
  if (snapshot.installedVersion !== null) lines.push(`Installed by: ${describeInstallers(installers)}`);
  if (components.length > 0) {
    const ready = components.filter((c) => c.ready).length;
    lines.push(`Components: ${ready}/${components.length} ready`);
    for (const c of components)
      lines.push(
        `  ${c.ready ? "✓" : "✗"} ${c.name.padEnd(36)} ${c.replicas.padEnd(5)} ${c.images.join(", ")}`,
      );
  }
  lines.push("Storage:");
  if (storage.length === 0) lines.push("  no data claims");
  for (const s of storage) {
    lines.push(
      `  ${s.claim.padEnd(16)} ${s.phase.padEnd(8)} ${s.volumeName ?? "-"}${s.volumeUid ? ` (uid ${s.volumeUid}, ${s.reclaimPolicy})` : ""}`,
    );
  }
  lines.push(
    `Inventory:  ${inventory ? `${describeInventoryCounts(inventory)}${recordInventory ? " (recorded in .kfp-upgrade/inventory.json)" : ""}` : `KFP's API could not be read (${inventoryError})`}`,
  );
  if (backups) {
    lines.push(
      `Backups:    run ${backups.run} (${backups.command} ${backups.from ?? "-"} -> ${backups.to}); \`kfp-upgrade backups\` lists all`,
    );
    for (const b of backups.snapshots) {
      lines.push(
        b.method === "csi"
          ? `  volumesnapshot/${b.snapshot} (${b.claim}, ${b.restoreSize ?? "size unknown"})${b.inCluster ? "" : " (no longer in the cluster)"}`
          : `  GCP snapshot ${b.snapshot} of disk ${b.disk} (${b.claim}, ${b.diskSizeGb === null ? "size unknown" : `${b.diskSizeGb} GB`}, project ${b.project})`,
      );
    }
  }
  if (journal && journal.status !== "succeeded") {
    lines.push(
      `Run in progress: ${journal.command} (${journal.status}); \`kfp-upgrade resume\` continues it`,
    );
  }
  return { data, text: lines.join("\n") };
}

import type { CommandDeps } from "../command-deps.js";
import type { CommandResult } from "../command-result.js";
import type { GlobalOptions } from "../global-options.js";
import type { BackupsOutput } from "../json-output/backups-output.js";
import { backupListingLines, listBackups } from "../list-backups.js";
import { prepareRun } from "../prepare-run.js";

/** The backups kfp-upgrade took for the app: its VolumeSnapshots in the cluster and what its history records. */
export async function backups(global: GlobalOptions, deps: CommandDeps): Promise<CommandResult> {
  const run = await prepareRun(global, deps);
  const client = await run.connect();
  const listing: BackupsOutput = await listBackups(client, run.appDir, run.app.namespace);
  return { data: listing, text: backupListingLines(listing).join("\n") };
}

import path from "node:path";
import { z } from "zod";
import { takeSnapshot } from "../../kube/take-snapshot.js";
import { buildDeployPlan } from "../../plan/build-deploy-plan.js";
import { applyStorageFlags } from "../apply-storage-flags.js";
import type { CommandDeps } from "../command-deps.js";
import type { CommandResult } from "../command-result.js";
import { executeCommand } from "../execute-plan.js";
import { type GlobalOptions, storageFlagsSchema } from "../global-options.js";
import { kfpApiOptionsSchema } from "../inventory-options.js";
import { multiUserOf } from "../kfp-inventory.js";
import { parseOptions } from "../parse-options.js";
import { prepareRun } from "../prepare-run.js";
import { readGcpDisks } from "../read-gcp-disks.js";
import { resolveReleaseForApp } from "../resolve-release-for-app.js";

export const deployOptionsSchema = storageFlagsSchema.extend({
  ...kfpApiOptionsSchema.shape,
  skipInventory: z.boolean().default(false),
  tag: z.string().min(1).default("latest"),
  variant: z.enum(["default", "minio"]).optional(),
  waitForLock: z.boolean().default(false),
  acceptVolumeMismatch: z.boolean().default(false),
  acceptSchemaMigration: z.boolean().default(false),
});

/** Install a release onto storage the user controls, and remember the app (version, storage) in kfp-app.yaml. */
export async function deploy(raw: unknown, global: GlobalOptions, deps: CommandDeps): Promise<CommandResult> {
  const options = parseOptions(deployOptionsSchema, raw);
  const run = await prepareRun(global, deps);
  const flagged = applyStorageFlags(run.app, options);
  const variant = options.variant ?? flagged.release.variant;
  const release = await resolveReleaseForApp(options.tag, run.releases, variant);
  const client = await run.connect();
  const gcp = await readGcpDisks({
    app: flagged,
    appDir: run.appDir,
    gcpDeployment: options.gcpDeployment,
    client,
    env: deps.env,
  });
  for (const note of gcp.notes) deps.output.info(`note: ${note}`);
  const app = gcp.app;
  return executeCommand({
    global,
    deps,
    client,
    appDir: run.appDir,
    releases: run.releases,
    app: run.app,
    rollback: true,
    waitForLock: options.waitForLock,
    createNamespace: true,
    kfpApi: options,
    mode: {
      kind: "fresh",
      namespace: app.namespace,
      async build(locked) {
        const snapshot = await takeSnapshot(locked, { namespace: app.namespace });
        const plan = buildDeployPlan({
          // Nothing to compare with yet: what the new install lists is recorded for later runs.
          inventory: options.skipInventory
            ? { state: "skipped" }
            : {
                state: "record",
                ...(options.kfpEndpoint ? { endpoint: options.kfpEndpoint } : {}),
                ...(multiUserOf(options) ? { multiUser: multiUserOf(options) } : {}),
              },
          app,
          snapshot,
          release,
          command: "deploy",
          accept: {
            volumeMismatch: options.acceptVolumeMismatch,
            schemaMigration: options.acceptSchemaMigration,
          },
          ...(gcp.findings ? { gcp: gcp.findings } : {}),
          now: deps.now(),
        });
        plan.warnings.push(...(release.warnings ?? []), ...gcp.warnings);
        const manifests = run.manifestsDir ? path.relative(run.appDir, run.manifestsDir) || "." : undefined;
        return {
          plan,
          context: {
            release: {
              version: release.version,
              variant: release.variant,
              ...(run.manifestsDir ? { manifests: run.manifestsDir } : {}),
            },
            // The context it ran against: the wrong-cluster guard of every later command needs no opt-in.
            app: {
              ...app,
              ...(locked.context ? { context: locked.context } : {}),
              version: release.version,
              release: {
                variant: release.variant,
                ...(manifests ? { manifests } : {}),
                // Later runs keep pulling from where this one did: the release source and the image mirror.
                ...(app.release.source ? { source: app.release.source } : {}),
                ...(run.releases.imageRegistry ? { imageRegistry: run.releases.imageRegistry } : {}),
              },
            },
          },
        };
      },
    },
  });
}

import path from "node:path";
import { z } from "zod";
import { saveApp } from "../../app/save-app.js";
import { takeSnapshot } from "../../kube/take-snapshot.js";
import { buildDeployPlan } from "../../plan/build-deploy-plan.js";
import { applyStorageFlags } from "../apply-storage-flags.js";
import type { CommandDeps } from "../command-deps.js";
import type { CommandResult } from "../command-result.js";
import { executePlan } from "../execute-plan.js";
import { type GlobalOptions, storageFlagsSchema } from "../global-options.js";
import { parseOptions } from "../parse-options.js";
import { prepareRun } from "../prepare-run.js";
import { resolveReleaseForApp } from "../resolve-release-for-app.js";

export const deployOptionsSchema = storageFlagsSchema.extend({
  tag: z.string().min(1).default("latest"),
  variant: z.enum(["default", "minio"]).optional(),
  acceptVolumeMismatch: z.boolean().default(false),
  acceptSchemaMigration: z.boolean().default(false),
});

/** Install a release onto storage the user controls, and remember the app (version, storage) in kfp-app.yaml. */
export async function deploy(raw: unknown, global: GlobalOptions, deps: CommandDeps): Promise<CommandResult> {
  const options = parseOptions(deployOptionsSchema, raw);
  const run = await prepareRun(global, deps);
  const app = applyStorageFlags(run.app, options);
  const variant = options.variant ?? app.release.variant;
  const release = await resolveReleaseForApp(options.tag, run.manifestsDir, variant);
  const client = await run.connect();
  const snapshot = await takeSnapshot(client, { namespace: app.namespace });
  const plan = buildDeployPlan({
    app,
    snapshot,
    release,
    command: "deploy",
    accept: { volumeMismatch: options.acceptVolumeMismatch, schemaMigration: options.acceptSchemaMigration },
    now: deps.now(),
  });
  plan.warnings.push(...(release.warnings ?? []));
  return executePlan({
    plan,
    global,
    deps,
    client,
    appDir: run.appDir,
    manifestsDir: run.manifestsDir,
    release: release,
    rollback: true,
    onSuccess: async () => {
      await saveApp(run.appDir, {
        ...app,
        version: release.version,
        release: {
          variant: release.variant,
          ...(run.manifestsDir ? { manifests: path.relative(run.appDir, run.manifestsDir) || "." } : {}),
        },
      });
    },
  });
}

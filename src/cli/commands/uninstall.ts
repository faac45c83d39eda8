import { z } from "zod";
import { PreflightRefusal } from "../../errors.js";
import { takeSnapshot } from "../../kube/take-snapshot.js";
import { buildUninstallPlan } from "../../plan/build-uninstall-plan.js";
import type { CommandDeps } from "../command-deps.js";
import type { CommandResult } from "../command-result.js";
import { executeCommand } from "../execute-plan.js";
import type { GlobalOptions } from "../global-options.js";
import { parseOptions } from "../parse-options.js";
import { prepareRun } from "../prepare-run.js";
import { resolveReleaseForApp } from "../resolve-release-for-app.js";

export const uninstallOptionsSchema = z.object({
  waitForLock: z.boolean().default(false),
});

/**
 * Remove KFP and keep its data: what the installed release put in the namespace (and cluster-scoped objects no
 * other install uses) goes; the data claims, their PVs (switched to Retain, definitions saved), every Secret, the
 * namespace and the CRDs stay, so `kfp-upgrade reinstall` brings the same KFP back on the same data.
 */
export async function uninstall(
  raw: unknown,
  global: GlobalOptions,
  deps: CommandDeps,
): Promise<CommandResult> {
  const options = parseOptions(uninstallOptionsSchema, raw);
  const run = await prepareRun(global, deps);
  const namespace = run.app.namespace;
  const client = await run.connect();
  const result = await executeCommand({
    global,
    deps,
    client,
    appDir: run.appDir,
    releases: run.releases,
    app: run.app,
    // Nothing to roll back to: deleted stateless objects are brought back by `reinstall`, not by the executor.
    rollback: false,
    waitForLock: options.waitForLock,
    createNamespace: false,
    mode: {
      kind: "fresh",
      namespace,
      async build(locked) {
        const snapshot = await takeSnapshot(locked, { namespace });
        if (!snapshot.installedVersion) {
          throw new PreflightRefusal("NOT_INSTALLED", `no KFP install found in namespace "${namespace}"`, {
            hint: "Nothing to uninstall. `kfp-upgrade status` shows what the namespace holds.",
          });
        }
        const installed = await resolveReleaseForApp(
          snapshot.installedVersion,
          run.releases,
          run.app.release.variant,
        );
        const plan = buildUninstallPlan({ app: run.app, snapshot, installed, now: deps.now() });
        return {
          plan,
          context: {
            release: {
              version: installed.version,
              variant: installed.variant,
              ...(run.manifestsDir ? { manifests: run.manifestsDir } : {}),
            },
            app: { ...run.app, version: installed.version },
          },
        };
      },
    },
  });
  if (!global.dryRun && global.output === "text" && !global.quiet) {
    deps.output.info(
      `KFP is uninstalled; its data stays on the same PVs. Bring it back with: kfp-upgrade reinstall${global.appDir !== "." ? ` --app-dir ${global.appDir}` : ""}`,
    );
  }
  return result;
}

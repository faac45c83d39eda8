import { z } from "zod";
import { PreflightRefusal, UsageError } from "../../errors.js";
import { takeSnapshot } from "../../kube/take-snapshot.js";
import { buildUninstallPlan } from "../../plan/build-uninstall-plan.js";
import type { CommandDeps } from "../command-deps.js";
import type { CommandResult } from "../command-result.js";
import { executeCommand } from "../execute-plan.js";
import type { GlobalOptions } from "../global-options.js";
import { parseOptions } from "../parse-options.js";
import { prepareRun } from "../prepare-run.js";
import { resolveReleaseForApp } from "../resolve-release-for-app.js";

export const uninstallOptionsSchema = z
  .object({
    waitForLock: z.boolean().default(false),
    deleteData: z.boolean().default(false),
    confirmNamespace: z.string().min(1).optional(),
  })
  .superRefine((options, ctx) => {
    if (options.confirmNamespace !== undefined && !options.deleteData) {
      ctx.addIssue({
        code: "custom",
        path: ["confirmNamespace"],
        message: "goes with --delete-data, e.g. uninstall --delete-data --confirm-namespace kubeflow",
      });
    }
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
  if (options.confirmNamespace !== undefined && options.confirmNamespace !== namespace) {
    throw new UsageError(
      "DELETE_DATA_NOT_CONFIRMED",
      `--confirm-namespace ${options.confirmNamespace} is not the namespace KFP is uninstalled from ("${namespace}"): no data is deleted`,
      {
        hint: `Pass --confirm-namespace ${namespace} to delete the data claims of namespace "${namespace}".`,
      },
    );
  }
  // Without --confirm-namespace, --delete-data asks for the namespace's name on a terminal, even with --yes.
  const typedConfirmation = options.deleteData && options.confirmNamespace === undefined && !global.dryRun;
  const client = await run.connect();
  const result = await executeCommand({
    global: typedConfirmation ? { ...global, yes: false } : global,
    deps: typedConfirmation ? { ...deps, confirm: () => confirmByName(namespace, deps) } : deps,
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
        const plan = buildUninstallPlan({
          app: run.app,
          snapshot,
          installed,
          now: deps.now(),
          deleteData: options.deleteData,
        });
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
      `${options.deleteData ? "KFP is uninstalled and its data claims are deleted; the data stays on the Released PVs (Retain)" : "KFP is uninstalled; its data stays on the same PVs"}. Bring it back with: kfp-upgrade reinstall${global.appDir !== "." ? ` --app-dir ${global.appDir}` : ""}`,
    );
  }
  return result;
}

/** `--delete-data` on a terminal: the user types the namespace's name; anything else deletes nothing. */
async function confirmByName(namespace: string, deps: CommandDeps): Promise<boolean> {
  const typed = deps.ask
    ? await deps.ask(`Type the namespace's name (${namespace}) to delete its data claims:`)
    : null;
  if (typed === null) {
    throw new UsageError(
      "DELETE_DATA_NOT_CONFIRMED",
      "--delete-data needs the namespace's name typed on a terminal, and there is none: nothing was changed",
      { hint: `Pass --confirm-namespace ${namespace} (scripts and CI), or run it on a terminal.` },
    );
  }
  if (typed !== namespace) {
    throw new UsageError(
      "DELETE_DATA_NOT_CONFIRMED",
      `"${typed}" is not "${namespace}": nothing was changed`,
      {
        hint: "Run the command again and type the namespace's name exactly, or leave out --delete-data to keep the data.",
      },
    );
  }
  return true;
}

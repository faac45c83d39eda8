import { Command, Option } from "commander";
import type { CommandDeps } from "./command-deps.js";
import type { CommandResult } from "./command-result.js";
import { type GlobalOptions, globalOptionsSchema } from "./global-options.js";
import { packageVersion } from "./package-version.js";
import { parseOptions } from "./parse-options.js";

export type CommandRunner = (
  name: string,
  run: (global: GlobalOptions, deps: CommandDeps) => Promise<CommandResult>,
  global: GlobalOptions,
) => Promise<void>;

const STORAGE_HELP = `
Storage (per data volume; a GCP disk wins over a PV name, as in kfctl):
  --mysql-pv NAME / --minio-pv NAME   bind the claims to pre-created PVs (storageClassName "" + volumeName)
  --mysql-pd DISK / --minio-pd DISK   GCP persistent disks, wrapped in PVs (platform gcp)
  --gcp-deployment NAME               both disks of kfctl's Deployment Manager deployment NAME-storage
  --storage-class NAME                provision both volumes from this StorageClass
  none of them                        the cluster's default StorageClass (its PVs are switched to Retain)`;

/** How to reach KFP's own API (its inventory): deploy, upgrade, reinstall and status. */
function addKfpApiOptions(command: Command, skip: boolean): Command {
  command
    .option(
      "--kfp-endpoint <url>",
      "KFP's API at this URL (an ingress) instead of the service proxy to ml-pipeline:8888 in the namespace",
    )
    .option("--kfp-user <user>", "multi-user installs: sent as the kubeflow-userid header, as KFP's SDK does")
    .option(
      "--kfp-namespaces <list>",
      "multi-user installs: the profile namespaces to list, comma-separated",
    );
  if (skip) {
    command.option(
      "--skip-inventory",
      "do not list KFP's experiments, pipelines and runs before and after (no 2.15 pre-check, no comparison)",
      false,
    );
  }
  return command;
}

/** deploy and reinstall onto existing data: what the user may explicitly accept. */
function addAcceptOptions(command: Command): Command {
  return command
    .option(
      "--accept-volume-mismatch",
      "use a PV although its stale claimRef names another claim or its saved definition has another volume source",
      false,
    )
    .option(
      "--accept-schema-migration",
      "start a 2.15+ API server on data an older KFP wrote (its schema migration cannot be rolled back)",
      false,
    );
}

function addStorageOptions(command: Command): Command {
  return addAcceptOptions(command)
    .option("--mysql-pv <name>", "pre-created PV for MySQL (mysql-pv-claim), e.g. --mysql-pv kfp-mysql")
    .option("--minio-pv <name>", "pre-created PV for the object store (minio-pvc), e.g. --minio-pv kfp-minio")
    .option("--mysql-pd <disk>", "GCP disk for MySQL, e.g. --mysql-pd my-kf-storage-metadata-store")
    .option(
      "--minio-pd <disk>",
      "GCP disk for the object store, e.g. --minio-pd my-kf-storage-artifact-store",
    )
    .option(
      "--gcp-deployment <name>",
      "kfctl deployment name: its Deployment Manager deployment NAME-storage names both GCP disks",
    )
    .option("--storage-class <name>", "StorageClass for both volumes, e.g. --storage-class standard");
}

const TAG_HELP =
  "KFP release: 2.14.4, v0.1.12 (the v is dropped), latest, or a kubeflow/kubeflow commit from the upgrade_kfp.sh era";

/**
 * The command tree. Commander parses, zod validates (parseOptions), and each command module is imported only when
 * its command runs, so `--help` never loads the Kubernetes client.
 */
export function buildProgram(runner: CommandRunner): Command {
  const program = new Command("kfp-upgrade")
    .description(
      "Deploy, upgrade and reinstall Kubeflow Pipelines without losing its MySQL and object-store data",
    )
    .version(packageVersion(), "--version")
    .option("--app-dir <dir>", "KFAPP directory holding kfp-app.yaml and .kfp-upgrade/", ".")
    .option("--kubeconfig <path>", "kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)")
    .option(
      "--context <name>",
      "kubeconfig context (default: the current one; a KFAPP made in another context is refused without this)",
    )
    .option("-n, --namespace <ns>", "namespace KFP lives in (default: the app's, else kubeflow)")
    .option("--manifests <dir>", "directory of release bundles <version>/*.yaml (env KFP_UPGRADE_MANIFESTS)")
    .option("--dry-run", "print the plan and change nothing", false)
    .addOption(
      new Option("-o, --output <format>", "output format").choices(["text", "yaml", "json"]).default("text"),
    )
    .option("-y, --yes", "apply without asking (required when stdin is not a terminal)", false)
    .option(
      "--timeout <duration>",
      "how long each wait (rollout, binding) may take: 90s, 10m, 1h or seconds",
      "10m",
    )
    .option("-q, --quiet", "only errors and the result", false)
    .option("-v, --verbose", "every progress message and error causes", false)
    .showHelpAfterError("(run with --help for usage)")
    .addHelpText(
      "after",
      `
Examples:
  kfp-upgrade deploy --tag 2.5.0 --mysql-pv kfp-mysql --minio-pv kfp-minio --manifests ./bundles
  kfp-upgrade upgrade --tag 2.14.4 --dry-run          # print the plan, change nothing
  kfp-upgrade upgrade --tag v0.1.12                   # ksonnet-era app: moves the images
  kfp-upgrade reinstall                               # new cluster, same volumes
  kfp-upgrade versions --path 1.8.5 2.14.4            # which hops an upgrade takes, and why`,
    );

  const global = (command: Command): GlobalOptions =>
    parseOptions(globalOptionsSchema, command.optsWithGlobals());

  addKfpApiOptions(
    addStorageOptions(
      program
        .command("deploy")
        .description("install KFP on storage you control: pre-created PVs, GCP disks or a StorageClass")
        .option("--tag <tag>", TAG_HELP, "latest")
        .addOption(
          new Option("--variant <variant>", "bundle variant: minio picks <name>-minio.yaml").choices([
            "default",
            "minio",
          ]),
        )
        .option("--wait-for-lock", "wait for another run's lock instead of failing", false),
    ),
    true,
  )
    .addHelpText(
      "after",
      `${STORAGE_HELP}

Examples:
  kfp-upgrade deploy --tag 2.5.0 --mysql-pv kfp-mysql --minio-pv kfp-minio --manifests ./bundles
  kfp-upgrade deploy --tag 1.8.5 --storage-class standard --yes
  kfp-upgrade deploy --tag 2.14.4 --dry-run -o json > plan.json`,
    )
    .action(async (options: Record<string, unknown>, command: Command) => {
      const g = global(command);
      await runner(
        "deploy",
        async (gl, deps) => (await import("./commands/deploy.js")).deploy(options, gl, deps),
        g,
      );
    });

  const upgradeCommand = program
    .command("upgrade")
    .description("move the running install to a release, in place, through every hop MySQL needs")
    .option("--tag <tag>", TAG_HELP, "latest")
    .addOption(
      new Option("--strategy <strategy>", "manifests: apply the bundle; images: set the KFP images only")
        .choices(["auto", "manifests", "images"])
        .default("auto"),
    )
    .addOption(
      new Option(
        "--object-store <choice>",
        "crossing 2.15: keep-minio (the -minio variant) or seaweedfs",
      ).choices(["keep-minio", "seaweedfs"]),
    )
    .option(
      "--adopt",
      "take over an install a Helm release or Argo CD / Flux manages: forget the Helm release (its records and marks) once done; suspend the GitOps controller first",
      false,
    )
    .option("--no-rollback", "leave a failed rollout as it is, for debugging")
    .option(
      "--migration-timeout <duration>",
      "how long the API server of a hop with a one-way data migration (2.15) may take to become Available",
      "30m",
    )
    .option("--wait-for-lock", "wait for another run's lock instead of failing", false);
  addKfpApiOptions(upgradeCommand, true)
    .addHelpText(
      "after",
      `
Installs made by kubectl apply (client-side or --server-side), kpt or kapp are adopted as part of the plan: their
field managers' fields move to kfp-upgrade's, so fields a new release drops are really removed. An install that a
Helm release or a GitOps controller (Argo CD, Flux) tracks is refused unless you pass --adopt.

Examples:
  kfp-upgrade upgrade --tag 2.14.4                      # 1.8.5 -> 2.5.0 -> 2.14.4: MySQL moves one series at a time
  kfp-upgrade upgrade --tag 2.14.4 --adopt --dry-run    # a Helm install: see what --adopt would forget, change nothing
  flux suspend kustomization kfp -n flux-system && kfp-upgrade upgrade --tag 2.14.4 --adopt
  kfp-upgrade upgrade --tag v0.1.12                     # a ksonnet-era KFAPP (like upgrade_kfp.sh)
  kfp-upgrade upgrade --tag 2.15.0 --object-store keep-minio
  kfp-upgrade upgrade --dry-run -o yaml                 # the plan to the newest release`,
    )
    .action(async (options: Record<string, unknown>, command: Command) => {
      const g = global(command);
      await runner(
        "upgrade",
        async (gl, deps) => (await import("./commands/upgrade.js")).upgrade(options, gl, deps),
        g,
      );
    });

  addKfpApiOptions(
    addStorageOptions(
      program
        .command("reinstall")
        .description(
          "bring KFP back on its old volumes: Released PVs, saved PV definitions or the same GCP disks",
        )
        .option("--tag <tag>", "release to install (default: the app's version)")
        .option("--wait-for-lock", "wait for another run's lock instead of failing", false),
    ),
    true,
  )
    .addHelpText(
      "after",
      `${STORAGE_HELP}

Examples:
  kfp-upgrade reinstall                                 # same cluster, namespace deleted: re-binds the Released PVs
  kfp-upgrade reinstall --kubeconfig new-cluster.yaml   # new cluster: recreates the PVs from .kfp-upgrade/volumes/`,
    )
    .action(async (options: Record<string, unknown>, command: Command) => {
      const g = global(command);
      await runner(
        "reinstall",
        async (gl, deps) => (await import("./commands/reinstall.js")).reinstall(options, gl, deps),
        g,
      );
    });

  addKfpApiOptions(
    program
      .command("status")
      .description("installed version, component readiness, the storage binding and KFP's inventory"),
    false,
  )
    .addHelpText("after", "\nExamples:\n  kfp-upgrade status\n  kfp-upgrade status -o json | jq .inventory")
    .action(async (options: Record<string, unknown>, command: Command) => {
      const g = global(command);
      await runner(
        "status",
        async (gl, deps) => (await import("./commands/status.js")).status(gl, deps, options),
        g,
      );
    });

  program
    .command("resume")
    .description(
      "continue the run a crash, Ctrl-C or lost connection stopped: shows the remaining plan, asks, runs it",
    )
    .option("--wait-for-lock", "wait for another run's lock instead of failing", false)
    .addHelpText(
      "after",
      "\nExamples:\n  kfp-upgrade resume --yes\n  kfp-upgrade resume --wait-for-lock   # after a SIGKILL: the dead run's lock expires in 30s",
    )
    .action(async (options: { waitForLock?: boolean }, command: Command) => {
      const g = global(command);
      await runner(
        "resume",
        async (gl, deps) =>
          (await import("./commands/resume.js")).resume(gl, deps, {
            waitForLock: options.waitForLock ?? false,
          }),
        g,
      );
    });

  program
    .command("history")
    .description("every run recorded in the KFAPP: who, when, from, to, plan hash, outcome")
    .addHelpText("after", "\nExamples:\n  kfp-upgrade history\n  kfp-upgrade history -o json")
    .action(async (_options: Record<string, unknown>, command: Command) => {
      const g = global(command);
      await runner("history", async (gl) => (await import("./commands/history.js")).history(gl), g);
    });

  program
    .command("rollback")
    .description("return the stateless components to an earlier release; refused where the data moved")
    .option(
      "--to <id>",
      "history id of the run whose release to return to (default: before the last upgrade)",
    )
    .addOption(
      new Option("--strategy <strategy>", "manifests or images (as for upgrade)")
        .choices(["auto", "manifests", "images"])
        .default("auto"),
    )
    .option("--wait-for-lock", "wait for another run's lock instead of failing", false)
    .addHelpText(
      "after",
      "\nExamples:\n  kfp-upgrade rollback --dry-run\n  kfp-upgrade rollback --to 3 --yes\n\nRefused when MySQL moved to a newer series, the schema crossed 2.15, or the object store changed.",
    )
    .action(async (options: Record<string, unknown>, command: Command) => {
      const g = global(command);
      await runner(
        "rollback",
        async (gl, deps) => (await import("./commands/rollback.js")).rollback(options, gl, deps),
        g,
      );
    });

  program
    .command("versions")
    .description("the release catalogue, the hops between two releases, or the bundles in a directory")
    .option("--path <versions...>", "FROM TO: the hops an upgrade takes and why, e.g. --path 1.8.5 2.14.4")
    .addHelpText(
      "after",
      "\nExamples:\n  kfp-upgrade versions -o json\n  kfp-upgrade versions --path 1.0.4 2.5.0\n  kfp-upgrade versions --manifests ./bundles",
    )
    .action(async (options: { path?: string[] }, command: Command) => {
      const g = global(command);
      await runner(
        "versions",
        async (gl) =>
          (await import("./commands/versions.js")).versions({
            ...(options.path ? { path: options.path } : {}),
            manifests: gl.manifests ?? null,
            output: gl.output,
          }),
        g,
      );
    });

  const params = program
    .command("params")
    .description(
      "read and write the app's parameters (ksonnet names: mysqlPvName minioPvName mysqlPd minioPd)",
    )
    .addHelpText(
      "after",
      "\nExamples:\n  kfp-upgrade params set mysqlPvName kfp-mysql\n  kfp-upgrade params get minioPd\n  kfp-upgrade params list -o json",
    );
  for (const [action, args, description] of [
    ["set", "<name> <value>", "set a parameter in kfp-app.yaml, like `ks param set pipeline NAME VALUE`"],
    ["get", "<name>", "print one parameter"],
    ["unset", "<name>", "remove a parameter from kfp-app.yaml"],
    ["list", "", "print every parameter"],
  ] as const) {
    params
      .command(`${action}${args ? ` ${args}` : ""}`)
      .description(description)
      .action(async (...rest: unknown[]) => {
        const command = rest.at(-1) as Command;
        const [name, value] = rest.slice(0, -2) as [string | undefined, string | undefined];
        const g = global(command);
        await runner(
          "params",
          async (gl) =>
            (await import("./commands/params.js")).params({
              action,
              appDir: gl.appDir,
              ...(name === undefined ? {} : { name }),
              ...(value === undefined ? {} : { value }),
            }),
          g,
        );
      });
  }
  return program;
}

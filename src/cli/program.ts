import { Argument, Command, InvalidArgumentError, Option } from "commander";
import type { CommandDeps } from "./command-deps.js";
import type { CommandResult } from "./command-result.js";
import type { GlobalOptions } from "./global-options.js";
import { packageVersion } from "./package-version.js";

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

function addBackupOptions(command: Command): Command {
  return command
    .option(
      "--backup",
      "back up every data volume (a CSI VolumeSnapshot of each claim) before the first change; refused when one cannot be taken",
    )
    .option(
      "--no-backup",
      "take no backup, not even before one-way changes (you backed the data up yourself)",
    );
}

const TAG_HELP =
  "KFP release: 2.14.4, v0.1.12 (the v is dropped), latest, or a kubeflow/kubeflow commit from the upgrade_kfp.sh era";

/**
 * kubectl's `--dry-run=server` and `--dry-run=client`, as commander reads them: `--dry-run --dry-run-mode server`.
 * A bare `--dry-run` stays a switch, so `kfp-upgrade --dry-run upgrade` never takes `upgrade` as its value.
 */
export function expandDryRun(argv: readonly string[]): string[] {
  return argv.flatMap((arg) => {
    const match = /^--dry-run=(.*)$/.exec(arg);
    return match ? ["--dry-run", "--dry-run-mode", match[1] ?? ""] : [arg];
  });
}

/** What the shell completion scripts call on each TAB (handled by main, never listed). */
export const COMPLETE_COMMAND = "__complete";

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
    .option(
      "--release-source <url>",
      "without --manifests, fetch releases from this kubeflow/pipelines mirror (env KFP_UPGRADE_RELEASE_SOURCE; default https://github.com/kubeflow/pipelines)",
    )
    .option(
      "--image-registry <registry>",
      "run every image from this mirror, keeping paths, tags and digests, e.g. mirror.local:5000 (kfp-app.yaml: release.imageRegistry)",
    )
    .option(
      "--dry-run",
      "print the plan and change nothing; --dry-run=server: each object classified by a server-side dry run (needs write rights)",
      false,
    )
    .addOption(
      new Option("--dry-run-mode <mode>")
        .argParser((mode: string) => {
          if (mode === "client" || mode === "server") return mode;
          throw new InvalidArgumentError(
            `--dry-run takes =client or =server, e.g. --dry-run=server; got "${mode}"`,
          );
        })
        .hideHelp(),
    )
    .option(
      "--exit-code",
      "with --dry-run or diff: exit 0 when nothing would change, 2 when something would; with check: 0 clear, 2 refused, 3 warnings only (CI gating)",
      false,
    )
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
  kfp-upgrade upgrade --tag 2.14.4 --dry-run=server --exit-code   # 0: nothing to change, 2: changes
  kfp-upgrade diff --tag 2.14.4                       # the field-level diff of each object, as kubectl diff
  kfp-upgrade check --to 2.18.1 --exit-code           # every refusal, warning and one-way step on the way
  kfp-upgrade upgrade --tag v0.1.12                   # ksonnet-era app: moves the images
  kfp-upgrade reinstall                               # new cluster, same volumes
  kfp-upgrade versions --path 1.8.5 2.14.4            # which hops an upgrade takes, and why`,
    );

  // zod and the schemas load only when a command runs: `--help` and usage errors never need them.
  const global = async (
    command: Command,
    overrides: Record<string, unknown> = {},
    which: "global" | "check" = "global",
  ): Promise<GlobalOptions> => {
    const [schemas, { parseOptions }] = await Promise.all([
      import("./global-options.js"),
      import("./parse-options.js"),
    ]);
    const schema = which === "check" ? schemas.checkGlobalOptionsSchema : schemas.globalOptionsSchema;
    return parseOptions(schema, { ...command.optsWithGlobals(), ...overrides });
  };

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
      const g = await global(command);
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
      "how long the API server of a hop with a one-way data migration (2.15, 2.18) may take to become Available",
      "30m",
    )
    .addOption(
      new Option(
        "--wait-for-workflows",
        "a hop into 2.18 while Argo Workflows of the namespace run: wait for them to finish (up to --timeout)",
      ).conflicts("ignoreRunningWorkflows"),
    )
    .addOption(
      new Option(
        "--ignore-running-workflows",
        "a hop into 2.18 while Argo Workflows of the namespace run: go ahead anyway (KFP's guide asks to drain them)",
      ).conflicts("waitForWorkflows"),
    )
    .option("--wait-for-lock", "wait for another run's lock instead of failing", false);
  addKfpApiOptions(addBackupOptions(upgradeCommand), true)
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
  kfp-upgrade upgrade --tag 2.15.0 --object-store seaweedfs --backup --yes   # VolumeSnapshots first, then the one-way steps
  kfp-upgrade upgrade --dry-run -o yaml                 # the plan to the newest release`,
    )
    .action(async (options: Record<string, unknown>, command: Command) => {
      const g = await global(command);
      await runner(
        "upgrade",
        async (gl, deps) => (await import("./commands/upgrade.js")).upgrade(options, gl, deps),
        g,
      );
    });

  const checkCommand = program
    .command("check")
    .description(
      "read-only pre-upgrade report: every refusal, warning, one-way step, backup advice and drain need on the path to a release",
    )
    .option("--to <tag>", TAG_HELP)
    .option("--tag <tag>", "the same as --to, as upgrade spells it")
    .addOption(
      new Option("--strategy <strategy>", "as for upgrade: manifests or images")
        .choices(["auto", "manifests", "images"])
        .default("auto"),
    )
    .addOption(
      new Option("--object-store <choice>", "as for upgrade: crossing 2.15, keep-minio or seaweedfs").choices(
        ["keep-minio", "seaweedfs"],
      ),
    )
    .option("--adopt", "as for upgrade: take over a Helm or GitOps install", false)
    .addOption(
      new Option(
        "--wait-for-workflows",
        "as for upgrade: running Argo Workflows are waited for before a hop into 2.18 (not refused)",
      ).conflicts("ignoreRunningWorkflows"),
    )
    .addOption(
      new Option(
        "--ignore-running-workflows",
        "as for upgrade: a hop into 2.18 goes ahead while Argo Workflows run (a warning)",
      ).conflicts("waitForWorkflows"),
    );
  addKfpApiOptions(checkCommand, true)
    .addHelpText(
      "after",
      `
Changes nothing (no lock, no write). Reports what \`kfp-upgrade upgrade --tag T\` with the same flags would meet on
every hop, all at once.

Exit codes: 0 after a successful read; with --exit-code, 0 clear, 2 upgrade would refuse, 3 warnings or one-way
steps only. An error (no report) exits with its own code, as for every command.

Examples:
  kfp-upgrade check --to 2.18.1
  kfp-upgrade check --to 2.18.1 --object-store seaweedfs --exit-code -o json`,
    )
    .action(async (options: Record<string, unknown>, command: Command) => {
      const g = await global(command, {}, "check");
      await runner(
        "check",
        async (gl, deps) => (await import("./commands/check.js")).check(options, gl, deps),
        g,
      );
    });

  addKfpApiOptions(
    program
      .command("diff")
      .description(
        "what an upgrade to --tag would change, object by object, as a unified diff (a server-side dry run; changes nothing)",
      )
      .option("--tag <tag>", TAG_HELP, "latest")
      .addOption(
        new Option("--strategy <strategy>", "as for upgrade")
          .choices(["auto", "manifests", "images"])
          .default("auto"),
      )
      .addOption(
        new Option("--object-store <choice>", "as for upgrade, crossing 2.15").choices([
          "keep-minio",
          "seaweedfs",
        ]),
      ),
    true,
  )
    .addHelpText(
      "after",
      `
Secrets' data is never shown: a changed value reads <redacted: before> / <redacted: after>.

Examples:
  kfp-upgrade diff --tag 2.14.4
  kfp-upgrade diff --tag 2.14.4 --exit-code > /dev/null   # 0: nothing would change, 2: something would
  kfp-upgrade diff --tag 2.14.4 -o json | jq '.objects[] | select(.change != "unchanged") | .name'`,
    )
    .action(async (options: Record<string, unknown>, command: Command) => {
      const g = await global(command, { dryRunMode: "server" });
      await runner(
        "diff",
        async (gl, deps) => (await import("./commands/diff.js")).diff(options, gl, deps),
        g,
      );
    });

  addKfpApiOptions(
    addStorageOptions(
      addBackupOptions(program.command("reinstall"))
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
      const g = await global(command);
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
      const g = await global(command);
      await runner(
        "status",
        async (gl, deps) => (await import("./commands/status.js")).status(gl, deps, options),
        g,
      );
    });

  program
    .command("backups")
    .description(
      "the backups taken before upgrades and reinstalls: the app's VolumeSnapshots and the history's records",
    )
    .addHelpText(
      "after",
      "\nExamples:\n  kfp-upgrade backups\n  kfp-upgrade backups -o json | jq '.snapshots[].name'\n\nRestoring one is described in the README (Backups).",
    )
    .action(async (_options: Record<string, unknown>, command: Command) => {
      const g = await global(command);
      await runner(
        "backups",
        async (gl, deps) => (await import("./commands/backups.js")).backups(gl, deps),
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
      const g = await global(command);
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
      const g = await global(command);
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
      const g = await global(command);
      await runner(
        "rollback",
        async (gl, deps) => (await import("./commands/rollback.js")).rollback(options, gl, deps),
        g,
      );
    });

  program
    .command("uninstall")
    .description("remove KFP and keep its data: claims, PVs (Retain), Secrets, the namespace and CRDs stay")
    .option("--wait-for-lock", "wait for another run's lock instead of failing", false)
    .option(
      "--delete-data",
      "also delete the data claims (their PVs stay: Retain); needs the namespace's name typed on a terminal or --confirm-namespace",
      false,
    )
    .option(
      "--confirm-namespace <name>",
      "with --delete-data, for scripts: the namespace's name, e.g. --confirm-namespace kubeflow",
    )
    .addHelpText(
      "after",
      "\nExamples:\n  kfp-upgrade uninstall --dry-run\n  kfp-upgrade uninstall --yes && kfp-upgrade reinstall --yes   # the same KFP, the same data\n  kfp-upgrade uninstall --delete-data --confirm-namespace kubeflow --yes\n\nDeletes the release's Deployments, Services, ConfigMaps, RBAC and cluster-scoped objects no other install uses; never a PV, Secret, namespace or CRD, and a data claim only with --delete-data.",
    )
    .action(async (options: Record<string, unknown>, command: Command) => {
      const g = await global(command);
      await runner(
        "uninstall",
        async (gl, deps) => (await import("./commands/uninstall.js")).uninstall(options, gl, deps),
        g,
      );
    });

  program
    .command("versions")
    .description("the release catalogue, the hops between two releases, or the bundles in a directory")
    .option("--path <versions...>", "FROM TO: the hops an upgrade takes and why, e.g. --path 1.8.5 2.14.4")
    .option(
      "--refresh",
      "the backend releases upstream lists (KFP_UPGRADE_GITHUB_API, GITHUB_TOKEN); facts of new ones come from their bundles",
      false,
    )
    .addHelpText(
      "after",
      "\nExamples:\n  kfp-upgrade versions -o json\n  kfp-upgrade versions --path 1.0.4 2.5.0\n  kfp-upgrade versions --manifests ./bundles\n  kfp-upgrade versions --refresh",
    )
    .action(async (options: { path?: string[]; refresh?: boolean }, command: Command) => {
      const g = await global(command);
      await runner(
        "versions",
        async (gl, deps) => {
          const { versions } = await import("./commands/versions.js");
          const refresh = options.refresh === true;
          const upstream = refresh
            ? await (await import("./prepare-run.js")).upstreamForAppDir(gl, deps)
            : undefined;
          return versions(
            {
              ...(options.path ? { path: options.path } : {}),
              manifests: gl.manifests ?? null,
              refresh,
              output: gl.output,
            },
            upstream ? { upstream } : {},
          );
        },
        g,
      );
    });

  const release = program
    .command("release")
    .description("fetch releases for air-gapped use, and list the images a mirror needs");
  release
    .command("pull")
    .description(
      "fetch, render and verify releases into DIR/<version>/ (YAML, SHA256SUMS, source archive URL and sha256), for --manifests DIR offline",
    )
    .option(
      "--tag <tag>",
      "a release to pull (repeat for more)",
      (value: string, all: string[]) => [...all, value],
      [],
    )
    .option("--path <versions...>", "FROM TO: every release an upgrade from FROM to TO passes through")
    .requiredOption("--out <dir>", "where to write the bundles")
    .addHelpText(
      "after",
      "\nExamples:\n  kfp-upgrade release pull --path 1.8.5 2.14.4 --out ./bundles\n  kfp-upgrade release pull --tag 2.5.0 --tag 2.14.4 --out ./bundles",
    )
    .action(async (options: Record<string, unknown>, command: Command) => {
      const g = await global(command);
      await runner(
        "release pull",
        async (gl, deps) => (await import("./commands/release.js")).releasePull(options, gl, deps),
        g,
      );
    });
  release
    .command("images")
    .description(
      "the images a release runs, one per line (after --image-registry), for crane or skopeo scripts",
    )
    .option("--tag <tag>", TAG_HELP, "latest")
    .addHelpText(
      "after",
      '\nExamples:\n  kfp-upgrade release images --tag 2.14.4\n  paste <(kfp-upgrade release images --tag 2.14.4) <(kfp-upgrade release images --tag 2.14.4 --image-registry mirror.local:5000) |\n    while read -r from to; do crane copy "$from" "$to"; done',
    )
    .action(async (options: Record<string, unknown>, command: Command) => {
      const g = await global(command);
      await runner(
        "release images",
        async (gl, deps) => (await import("./commands/release.js")).releaseImages(options, gl, deps),
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
        const g = await global(command);
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
  program
    .command("app")
    .description("the KFAPP itself: fetch a web-UI deployment's KFAPP from its Cloud Source Repository")
    .command("clone")
    .description(
      "clone PROJECT-kubeflow-config with `gcloud source repos clone` and read the KFAPP in it (nothing is saved)",
    )
    .option("--project <project>", "the GCP project the web UI deployed Kubeflow to")
    .option("--dir <dir>", "where to clone (default: ./PROJECT-kubeflow-config); must be new or empty")
    .option("--name <deployment>", "the deployment's KFAPP, when the repository holds several")
    .addHelpText(
      "after",
      "\nExamples:\n  kfp-upgrade app clone --project my-project\n  kfp-upgrade app clone --project my-project --dir ~/kf --name kubeflow-1",
    )
    .action(async (options: Record<string, unknown>, command: Command) => {
      await runner(
        "app clone",
        async (_gl, deps) => (await import("./commands/app-clone.js")).appClone(options, deps),
        await global(command),
      );
    });

  program
    .command("completion")
    .description("print the shell completion script: commands, flags, --tag releases, --context names")
    .addArgument(new Argument("<shell>", "bash, zsh or fish").choices(["bash", "zsh", "fish"]))
    .addHelpText(
      "after",
      "\nExamples:\n  source <(kfp-upgrade completion bash)                       # this shell\n  kfp-upgrade completion bash > ~/.local/share/bash-completion/completions/kfp-upgrade\n  kfp-upgrade completion fish > ~/.config/fish/completions/kfp-upgrade.fish",
    )
    .action(async (shell: "bash" | "zsh" | "fish", _options: unknown, command: Command) => {
      await runner(
        "completion",
        async () => {
          const { completionScript } = await import("./completion/shell-scripts.js");
          const script = completionScript(shell);
          return { data: { shell, script }, text: script.trimEnd() };
        },
        await global(command),
      );
    });

  return program;
}

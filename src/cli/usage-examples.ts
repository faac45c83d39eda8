/**
 * An example of every flag that takes a value and of every command with arguments, so each usage error can say what
 * was expected (test/unit/cli/usage-examples.test.ts checks that none is missing).
 */
export const FLAG_EXAMPLES: Readonly<Record<string, string>> = {
  "--app-dir": "--app-dir ./my-kfapp",
  "--kubeconfig": "--kubeconfig ~/.kube/prod.yaml",
  "--context": "--context gke_my-project_us-central1_kf",
  "--namespace": "-n kubeflow",
  "--manifests": "--manifests ./bundles",
  "--release-source": "--release-source https://git.example.com/mirrors/pipelines",
  "--image-registry": "--image-registry mirror.local:5000",
  "--output": "-o json",
  "--timeout": "--timeout 10m",
  "--tag": "--tag 2.14.4",
  "--variant": "--variant minio",
  "--strategy": "--strategy images",
  "--object-store": "--object-store keep-minio",
  "--migration-timeout": "--migration-timeout 45m",
  "--to": "--to 3 (rollback: a history number) or --to 2.18.1 (check: a release)",
  "--dry-run-mode": "--dry-run=server",
  "--project": "--project my-gcp-project",
  "--dir": "--dir ./my-kfapp",
  "--name": "--name my-kf",
  "--path": "--path 1.8.5 2.14.4",
  "--out": "--out ./bundles",
  "--mysql-pv": "--mysql-pv kfp-mysql",
  "--minio-pv": "--minio-pv kfp-minio",
  "--mysql-pd": "--mysql-pd my-kf-storage-metadata-store",
  "--minio-pd": "--minio-pd my-kf-storage-artifact-store",
  "--gcp-deployment": "--gcp-deployment my-kf",
  "--storage-class": "--storage-class standard",
  "--kfp-endpoint": "--kfp-endpoint https://kfp.example.com",
  "--kfp-user": "--kfp-user alice@example.com",
  "--kfp-namespaces": "--kfp-namespaces team-a,team-b",
  "--confirm-namespace": "--confirm-namespace kubeflow",
};

/** Commands by their path (`params set`): a whole command line. */
export const COMMAND_EXAMPLES: Readonly<Record<string, string>> = {
  deploy: "kfp-upgrade deploy --tag 2.5.0 --mysql-pv kfp-mysql --minio-pv kfp-minio",
  upgrade: "kfp-upgrade upgrade --tag 2.14.4 --dry-run",
  reinstall: "kfp-upgrade reinstall --yes",
  status: "kfp-upgrade status -o json",
  backups: "kfp-upgrade backups",
  resume: "kfp-upgrade resume --yes",
  history: "kfp-upgrade history",
  rollback: "kfp-upgrade rollback --to 3 --dry-run",
  uninstall: "kfp-upgrade uninstall --dry-run",
  versions: "kfp-upgrade versions --path 1.8.5 2.14.4",
  "release pull": "kfp-upgrade release pull --tag 2.14.4 --out ./bundles",
  "release images": "kfp-upgrade release images --tag 2.14.4",
  "params set": "kfp-upgrade params set mysqlPvName kfp-mysql",
  "params get": "kfp-upgrade params get mysqlPvName",
  "params unset": "kfp-upgrade params unset mysqlPvName",
  "params list": "kfp-upgrade params list",
  completion: "kfp-upgrade completion bash",
  check: "kfp-upgrade check --to 2.18.1 --exit-code",
  diff: "kfp-upgrade diff --tag 2.14.4",
  "app clone": "kfp-upgrade app clone --project my-gcp-project --dir ./my-kfapp",
};

/** The example for a flag as commander or zod names it (`--tag <tag>`, `-o, --output <format>`, `--mysql-pv`). */
export function flagExample(flag: string): string | undefined {
  const long = /--[a-z][a-z-]*/.exec(flag)?.[0];
  return long === undefined ? undefined : FLAG_EXAMPLES[long];
}

/**
 * Commander's usage error with what was expected added: the flag's example when the message names an option, else
 * the command's (`commandPath`: `upgrade`, `params set`).
 */
export function withUsageExample(message: string, commandPath: string): string {
  const option = /option '([^']+)'/.exec(message)?.[1];
  const example =
    (option ? flagExample(option) : undefined) ??
    (/unknown command/.test(message) || commandPath === ""
      ? "kfp-upgrade upgrade --tag 2.14.4 (kfp-upgrade --help lists the commands)"
      : COMMAND_EXAMPLES[commandPath]);
  if (!example) return message;
  const lines = message.trimEnd().split("\n");
  return `${[lines[0], `  e.g. ${example}`, ...lines.slice(1)].join("\n")}\n`;
}

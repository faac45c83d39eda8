import { describe, expect, it, vi } from "vitest";
import type { CommandDeps } from "../../../src/cli/command-deps.js";
import type { GlobalOptions } from "../../../src/cli/global-options.js";
import { main } from "../../../src/cli/main.js";
import { Output } from "../../../src/cli/output.js";
import { buildProgram, expandDryRun } from "../../../src/cli/program.js";
import { fakeStreams } from "./fake-streams.js";

// The one place our own modules are stubbed: each command module records what it was called with, so this table
// checks argv parsing alone (commander, then zod) without a cluster or a KFAPP.
const invoked = vi.hoisted(() => ({ calls: [] as { command: string; args: unknown[] }[] }));
const recorder = (command: string) =>
  vi.fn(async (...args: unknown[]) => {
    invoked.calls.push({ command, args: args.filter((arg) => !isDeps(arg)) });
    return { data: null, text: "" };
  });
function isDeps(value: unknown): boolean {
  return typeof value === "object" && value !== null && "confirm" in value && "signal" in value;
}
vi.mock("../../../src/cli/commands/deploy.js", () => ({ deploy: recorder("deploy") }));
vi.mock("../../../src/cli/commands/upgrade.js", () => ({ upgrade: recorder("upgrade") }));
vi.mock("../../../src/cli/commands/check.js", () => ({ check: recorder("check") }));
vi.mock("../../../src/cli/commands/reinstall.js", () => ({ reinstall: recorder("reinstall") }));
vi.mock("../../../src/cli/commands/status.js", () => ({ status: recorder("status") }));
vi.mock("../../../src/cli/commands/resume.js", () => ({ resume: recorder("resume") }));
vi.mock("../../../src/cli/commands/history.js", () => ({ history: recorder("history") }));
vi.mock("../../../src/cli/commands/rollback.js", () => ({ rollback: recorder("rollback") }));
vi.mock("../../../src/cli/commands/versions.js", () => ({ versions: recorder("versions") }));
vi.mock("../../../src/cli/commands/params.js", () => ({ params: recorder("params") }));
vi.mock("../../../src/cli/commands/release.js", () => ({
  releasePull: recorder("release pull"),
  releaseImages: recorder("release images"),
}));

const DEFAULTS: GlobalOptions = {
  appDir: ".",
  dryRun: false,
  serverDryRun: false,
  exitCode: false,
  output: "text",
  yes: false,
  timeout: 600,
  quiet: false,
  verbose: false,
};

interface Parsed {
  name: string;
  global: GlobalOptions;
  command: { command: string; args: unknown[] } | undefined;
}

/** Parses argv with a runner that records instead of running. */
async function parse(argv: string[]): Promise<Parsed> {
  invoked.calls.length = 0;
  const recorded: { name: string; global: GlobalOptions }[] = [];
  const streams = fakeStreams();
  const deps: CommandDeps = {
    output: new Output(streams, "text", false, false),
    env: {},
    signal: new AbortController().signal,
    confirm: async () => false,
    now: () => new Date(0),
  };
  const program = buildProgram(async (name, run, global) => {
    recorded.push({ name, global });
    await run(global, deps);
  });
  program.exitOverride();
  await program.parseAsync(expandDryRun(argv), { from: "user" });
  expect(recorded).toHaveLength(1);
  const [only] = recorded;
  return { name: only?.name ?? "", global: only?.global ?? DEFAULTS, command: invoked.calls[0] };
}

describe("argv -> command and options", () => {
  const cases: {
    name: string;
    argv: string[];
    command: string;
    global: Partial<GlobalOptions>;
    args: unknown[];
  }[] = [
    {
      name: "deploy onto pre-created PVs",
      argv: ["deploy", "--tag", "2.5.0", "--mysql-pv", "kfp-mysql", "--minio-pv", "kfp-minio"],
      command: "deploy",
      global: {},
      args: [
        {
          tag: "2.5.0",
          mysqlPv: "kfp-mysql",
          minioPv: "kfp-minio",
          acceptVolumeMismatch: false,
          acceptSchemaMigration: false,
          waitForLock: false,
          skipInventory: false,
        },
        DEFAULTS,
      ],
    },
    {
      name: "deploy onto GCP disks, MinIO variant",
      argv: [
        "deploy",
        "--mysql-pd",
        "kf-storage-metadata-store",
        "--minio-pd",
        "kf-storage-artifact-store",
        "--variant",
        "minio",
      ],
      command: "deploy",
      global: {},
      args: [
        {
          tag: "latest",
          mysqlPd: "kf-storage-metadata-store",
          minioPd: "kf-storage-artifact-store",
          variant: "minio",
          acceptVolumeMismatch: false,
          acceptSchemaMigration: false,
          waitForLock: false,
          skipInventory: false,
        },
        DEFAULTS,
      ],
    },
    {
      name: "global flags before the subcommand",
      argv: [
        "--app-dir",
        "/srv/kfapp",
        "-n",
        "team-a",
        "--dry-run",
        "-o",
        "json",
        "--context",
        "gke",
        "upgrade",
        "--tag",
        "2.14.4",
      ],
      command: "upgrade",
      global: { appDir: "/srv/kfapp", namespace: "team-a", dryRun: true, output: "json", context: "gke" },
      args: [
        {
          tag: "2.14.4",
          strategy: "auto",
          migrationTimeout: "30m",
          adopt: false,
          rollback: true,
          waitForLock: false,
          skipInventory: false,
        },
        {
          ...DEFAULTS,
          appDir: "/srv/kfapp",
          namespace: "team-a",
          dryRun: true,
          output: "json",
          context: "gke",
        },
      ],
    },
    {
      name: "global flags after the subcommand",
      argv: [
        "upgrade",
        "--tag",
        "2.14.4",
        "-o",
        "yaml",
        "--yes",
        "--timeout",
        "30",
        "--kubeconfig",
        "/k/config",
        "-q",
      ],
      command: "upgrade",
      global: { output: "yaml", yes: true, timeout: 30, kubeconfig: "/k/config", quiet: true },
      args: [
        {
          tag: "2.14.4",
          strategy: "auto",
          migrationTimeout: "30m",
          adopt: false,
          rollback: true,
          waitForLock: false,
          skipInventory: false,
        },
        { ...DEFAULTS, output: "yaml", yes: true, timeout: 30, kubeconfig: "/k/config", quiet: true },
      ],
    },
    {
      name: "--timeout as a duration, as kubectl and Helm take it",
      argv: ["status", "--timeout", "2m30s"],
      command: "status",
      global: { timeout: 150 },
      args: [{ ...DEFAULTS, timeout: 150 }, {}],
    },
    {
      name: "a v-prefixed tag reaches the command as typed (it normalises it)",
      argv: ["upgrade", "--tag", "v0.1.12"],
      command: "upgrade",
      global: {},
      args: [
        {
          tag: "v0.1.12",
          strategy: "auto",
          migrationTimeout: "30m",
          adopt: false,
          rollback: true,
          waitForLock: false,
          skipInventory: false,
        },
        DEFAULTS,
      ],
    },
    {
      name: "upgrade with strategy, object store and --no-rollback",
      argv: [
        "upgrade",
        "--strategy",
        "images",
        "--object-store",
        "keep-minio",
        "--no-rollback",
        "--wait-for-lock",
      ],
      command: "upgrade",
      global: {},
      args: [
        {
          tag: "latest",
          strategy: "images",
          migrationTimeout: "30m",
          objectStore: "keep-minio",
          adopt: false,
          rollback: false,
          waitForLock: true,
          skipInventory: false,
        },
        DEFAULTS,
      ],
    },
    {
      name: "upgrade --adopt: take over a Helm or GitOps install",
      argv: ["upgrade", "--tag", "2.14.4", "--adopt"],
      command: "upgrade",
      global: {},
      args: [
        {
          tag: "2.14.4",
          strategy: "auto",
          migrationTimeout: "30m",
          adopt: true,
          rollback: true,
          waitForLock: false,
          skipInventory: false,
        },
        DEFAULTS,
      ],
    },
    {
      name: "upgrade --backup: snapshot the data volumes first",
      argv: ["upgrade", "--tag", "2.15.0", "--object-store", "seaweedfs", "--backup"],
      command: "upgrade",
      global: {},
      args: [
        {
          tag: "2.15.0",
          strategy: "auto",
          migrationTimeout: "30m",
          objectStore: "seaweedfs",
          adopt: false,
          rollback: true,
          waitForLock: false,
          skipInventory: false,
          backup: true,
        },
        DEFAULTS,
      ],
    },
    {
      name: "reinstall --no-backup: the user backed up",
      argv: ["reinstall", "--no-backup", "--yes"],
      command: "reinstall",
      global: { yes: true },
      args: [
        {
          acceptVolumeMismatch: false,
          acceptSchemaMigration: false,
          waitForLock: false,
          skipInventory: false,
          backup: false,
        },
        { ...DEFAULTS, yes: true },
      ],
    },
    {
      name: "reinstall onto a StorageClass, with the manifests directory",
      argv: ["--manifests", "./bundles", "reinstall", "--storage-class", "standard"],
      command: "reinstall",
      global: { manifests: "./bundles" },
      args: [
        {
          storageClass: "standard",
          acceptVolumeMismatch: false,
          acceptSchemaMigration: false,
          waitForLock: false,
          skipInventory: false,
        },
        { ...DEFAULTS, manifests: "./bundles" },
      ],
    },
    {
      name: "reinstall onto swapped PVs the user vouches for, across the 2.15 schema migration",
      argv: [
        "reinstall",
        "--tag",
        "2.16.1",
        "--mysql-pv",
        "a",
        "--minio-pv",
        "b",
        "--accept-volume-mismatch",
        "--accept-schema-migration",
      ],
      command: "reinstall",
      global: {},
      args: [
        {
          tag: "2.16.1",
          mysqlPv: "a",
          minioPv: "b",
          acceptVolumeMismatch: true,
          acceptSchemaMigration: true,
          waitForLock: false,
          skipInventory: false,
        },
        DEFAULTS,
      ],
    },
    {
      name: "params set, with the ksonnet name",
      argv: ["params", "set", "mysqlPvName", "X"],
      command: "params",
      global: {},
      args: [{ action: "set", appDir: ".", name: "mysqlPvName", value: "X" }],
    },
    {
      name: "params get in another app directory",
      argv: ["--app-dir", "kfapp", "params", "get", "minioPd"],
      command: "params",
      global: { appDir: "kfapp" },
      args: [{ action: "get", appDir: "kfapp", name: "minioPd" }],
    },
    {
      name: "params list",
      argv: ["params", "list", "-o", "json"],
      command: "params",
      global: { output: "json" },
      args: [{ action: "list", appDir: "." }],
    },
    {
      name: "versions --path",
      argv: ["versions", "--path", "1.8.5", "2.14.4"],
      command: "versions",
      global: {},
      args: [{ path: ["1.8.5", "2.14.4"], manifests: null, refresh: false, output: "text" }, {}],
    },
    {
      name: "versions --refresh: the upstream tag list (GitHub unless the environment names another)",
      argv: ["versions", "--refresh"],
      command: "versions",
      global: {},
      args: [
        { manifests: null, refresh: true, output: "text" },
        {
          upstream: expect.objectContaining({
            source: "https://github.com/kubeflow/pipelines",
            api: "https://api.github.com",
          }),
        },
      ],
    },
    {
      name: "release pull of two tags",
      argv: ["release", "pull", "--tag", "2.5.0", "--tag", "2.14.4", "--out", "./bundles"],
      command: "release pull",
      global: {},
      args: [{ tag: ["2.5.0", "2.14.4"], out: "./bundles" }, DEFAULTS],
    },
    {
      name: "release pull of an upgrade path",
      argv: ["release", "pull", "--path", "1.8.5", "2.14.4", "--out", "./bundles"],
      command: "release pull",
      global: {},
      args: [{ tag: [], path: ["1.8.5", "2.14.4"], out: "./bundles" }, DEFAULTS],
    },
    {
      name: "release images through a mirror, from a release source",
      argv: [
        "release",
        "images",
        "--tag",
        "2.14.4",
        "--image-registry",
        "mirror.local:5000",
        "--release-source",
        "https://mirror.example.com/kubeflow/pipelines",
      ],
      command: "release images",
      global: {
        imageRegistry: "mirror.local:5000",
        releaseSource: "https://mirror.example.com/kubeflow/pipelines",
      },
      args: [
        { tag: "2.14.4" },
        {
          ...DEFAULTS,
          imageRegistry: "mirror.local:5000",
          releaseSource: "https://mirror.example.com/kubeflow/pipelines",
        },
      ],
    },
    {
      name: "versions of a bundle directory, as JSON",
      argv: ["versions", "--manifests", "../shared/kfp-manifests", "-o", "json"],
      command: "versions",
      global: { manifests: "../shared/kfp-manifests", output: "json" },
      args: [{ manifests: "../shared/kfp-manifests", refresh: false, output: "json" }, {}],
    },
    {
      name: "status, verbose",
      argv: ["status", "-v"],
      command: "status",
      global: { verbose: true },
      args: [{ ...DEFAULTS, verbose: true }, {}],
    },
    {
      name: "status of a multi-user install behind an ingress",
      argv: [
        "status",
        "--kfp-endpoint",
        "https://kf.example.com/pipeline",
        "--kfp-user",
        "alice@example.com",
        "--kfp-namespaces",
        "alice,bob",
      ],
      command: "status",
      global: {},
      args: [
        DEFAULTS,
        {
          kfpEndpoint: "https://kf.example.com/pipeline",
          kfpUser: "alice@example.com",
          kfpNamespaces: "alice,bob",
        },
      ],
    },
    {
      name: "upgrade without the inventory checks",
      argv: ["upgrade", "--tag", "2.15.0", "--skip-inventory"],
      command: "upgrade",
      global: {},
      args: [
        {
          tag: "2.15.0",
          strategy: "auto",
          migrationTimeout: "30m",
          adopt: false,
          rollback: true,
          waitForLock: false,
          skipInventory: true,
        },
        DEFAULTS,
      ],
    },
    {
      name: "deploy recording KFP's inventory at an endpoint, or not at all",
      argv: [
        "deploy",
        "--tag",
        "2.5.0",
        "--kfp-endpoint",
        "https://kf.example.com/pipeline",
        "--skip-inventory",
      ],
      command: "deploy",
      global: {},
      args: [
        {
          tag: "2.5.0",
          kfpEndpoint: "https://kf.example.com/pipeline",
          acceptVolumeMismatch: false,
          acceptSchemaMigration: false,
          waitForLock: false,
          skipInventory: true,
        },
        DEFAULTS,
      ],
    },
    {
      name: "reinstall reading KFP's API at an endpoint",
      argv: ["reinstall", "--kfp-endpoint", "http://127.0.0.1:8888"],
      command: "reinstall",
      global: {},
      args: [
        {
          kfpEndpoint: "http://127.0.0.1:8888",
          acceptVolumeMismatch: false,
          acceptSchemaMigration: false,
          waitForLock: false,
          skipInventory: false,
        },
        DEFAULTS,
      ],
    },
    {
      name: "resume",
      argv: ["resume", "--yes"],
      command: "resume",
      global: { yes: true },
      args: [{ ...DEFAULTS, yes: true }, { waitForLock: false }],
    },
    {
      name: "rollback to a history entry",
      argv: ["rollback", "--to", "3", "--dry-run"],
      command: "rollback",
      global: { dryRun: true },
      args: [
        { to: "3", strategy: "auto", waitForLock: false },
        { ...DEFAULTS, dryRun: true },
      ],
    },
    {
      name: "check with --exit-code needs no --dry-run",
      argv: ["check", "--to", "2.18.1", "--object-store", "seaweedfs", "--exit-code", "-o", "json"],
      command: "check",
      global: { exitCode: true, output: "json" },
      args: [
        { to: "2.18.1", strategy: "auto", objectStore: "seaweedfs", adopt: false, skipInventory: false },

        { ...DEFAULTS, exitCode: true, output: "json" },
      ],
    },
    {
      name: "check --tag, as upgrade spells it",
      argv: ["check", "--tag", "2.18.1"],
      command: "check",
      global: {},
      args: [{ tag: "2.18.1", strategy: "auto", adopt: false, skipInventory: false }, DEFAULTS],
    },
    {
      name: "a bare --dry-run before the subcommand never takes the subcommand as its value",
      argv: ["--dry-run", "upgrade", "--tag", "2.14.4"],
      command: "upgrade",
      global: { dryRun: true },
      args: [
        {
          tag: "2.14.4",
          strategy: "auto",
          migrationTimeout: "30m",
          adopt: false,
          rollback: true,
          waitForLock: false,
          skipInventory: false,
        },
        { ...DEFAULTS, dryRun: true },
      ],
    },
    {
      name: "--dry-run=server on upgrade: the server-side classification, no diff",
      argv: ["upgrade", "--tag", "2.14.4", "--dry-run=server", "--exit-code"],
      command: "upgrade",
      global: { dryRun: true, serverDryRun: true, exitCode: true },
      args: [
        {
          tag: "2.14.4",
          strategy: "auto",
          migrationTimeout: "30m",
          adopt: false,
          rollback: true,
          waitForLock: false,
          skipInventory: false,
        },
        { ...DEFAULTS, dryRun: true, serverDryRun: true, exitCode: true },
      ],
    },
  ];
  it.each(cases)("$name", async ({ argv, command, global, args }) => {
    const parsed = await parse(argv);
    expect(parsed.name).toBe(command);
    expect(parsed.global).toEqual({ ...DEFAULTS, ...global });
    expect(parsed.command).toEqual({ command, args });
  });

  it("diff is the upgrade's server-side dry run shown as a diff; --exit-code needs no --dry-run", async () => {
    const parsed = await parse(["diff", "--tag", "2.14.4", "--exit-code"]);
    const global = { ...DEFAULTS, dryRun: true, serverDryRun: true, exitCode: true };
    expect(parsed.name).toBe("diff");
    expect(parsed.global).toEqual(global);
    expect(parsed.command).toEqual({
      command: "upgrade",
      args: [{ tag: "2.14.4", strategy: "auto", skipInventory: false }, global, { diff: true }],
    });
  });
});

describe("argv errors exit 2 through main()", () => {
  const cases = [
    {
      name: "an unknown global option",
      argv: ["--frobnicate", "status"],
      stderr:
        "error: unknown option '--frobnicate'\n  e.g. kfp-upgrade upgrade --tag 2.14.4 (kfp-upgrade --help lists the commands)\n(run with --help for usage)\n",
    },
    {
      name: "-o outside its choices",
      argv: ["-o", "xml", "status"],
      stderr:
        "error: option '-o, --output <format>' argument 'xml' is invalid. Allowed choices are text, yaml, json.\n  e.g. -o json\n(run with --help for usage)\n",
    },
    {
      name: "-o outside its choices, after the subcommand",
      argv: ["status", "-o", "xml"],
      stderr:
        "error: option '-o, --output <format>' argument 'xml' is invalid. Allowed choices are text, yaml, json.\n  e.g. -o json\n(run with --help for usage)\n",
    },
    {
      name: "a timeout that is not a number (zod, after commander)",
      argv: ["--timeout", "abc", "status"],
      stderr:
        'error: --timeout: expected a duration such as 90s, 10m or 1h (or whole seconds), got "abc"\nhint: Run the command with --help for the accepted values.\ncode: OPTIONS_INVALID (exit 2)\n',
    },
    {
      name: "a timeout that is not positive",
      argv: ["status", "--timeout", "0"],
      stderr:
        'error: --timeout: expected a duration such as 90s, 10m or 1h (or whole seconds), got "0"\nhint: Run the command with --help for the accepted values.\ncode: OPTIONS_INVALID (exit 2)\n',
    },
    {
      name: "a --dry-run mode kubectl does not know",
      argv: ["upgrade", "--dry-run=bogus"],
      stderr: expect.stringContaining(
        '--dry-run takes =client or =server, e.g. --dry-run=server; got "bogus"',
      ),
    },
    {
      name: "an unknown command",
      argv: ["upgrad"],
      stderr: expect.stringContaining("error: unknown command 'upgrad'"),
    },
  ];
  it.each(cases)("$name", async ({ argv, stderr }) => {
    invoked.calls.length = 0;
    const streams = fakeStreams();
    await expect(main(argv, streams)).resolves.toBe(2);
    expect(streams.stderr.text()).toEqual(stderr);
    expect(streams.stdout.text()).toBe("");
    expect(invoked.calls).toEqual([]);
  });
});

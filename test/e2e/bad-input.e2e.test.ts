import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { changedObjects, clusterState } from "../support/cluster-state.js";
import { type Defer, derivedManifests, withoutSelector } from "../support/derived-manifests.js";
import { dirState } from "../support/dir-state.js";
import { eventually, kubectl, kubectlJson, uniqueName } from "../support/e2e-cluster.js";
import {
  createDataPv,
  type DataPv,
  deleteNamespaceAndWait,
  type InstalledKfp,
  installKfp,
  namespaceName,
  tempAppDir,
} from "../support/installed-kfp.js";
import { kubeconfigWithContexts, serviceAccountKubeconfig } from "../support/kubeconfig-for.js";
import { runCli, SHARED_MANIFESTS } from "../support/run-cli.js";

// Every input kfp-upgrade must refuse, run through the built CLI against the real control plane: each case pins
// the exit code, a message on stderr that names the problem, and that nothing changed, neither an object in the
// cluster (resourceVersions compared) nor a file in the KFAPP directory.

interface Fixtures {
  /** KFP deployed at 1.8.5 and upgraded to 2.0.5 (MySQL 5.7 -> 8.0) on seeded PVs. */
  installed: InstalledKfp;
  installedAppYaml: string;
  /** A namespace that does not exist, for deploys. */
  newNamespace: string;
  /** Unbound 20Gi RWO PVs. */
  free: [DataPv, DataPv];
  small: DataPv;
  rwxOnly: DataPv;
  /** Kept Terminating by a finalizer on a ConfigMap. */
  terminating: string;
  /** Holds the ServiceAccounts below. */
  rbacNamespace: string;
  kubeconfigs: {
    /** get/list/watch on everything, nothing else. */
    reader: string;
    /** Everything the upgrade needs except `patch deployments`. */
    noPatchDeployments: string;
    /** No RBAC rights at all. */
    nobody: string;
    /** Contexts "staging" (current) and "prod", both the shared cluster. */
    stagingAndProd: string;
  };
}

let f: Fixtures;

const GROUPS_BUT_APPS = [
  "",
  "apiextensions.k8s.io",
  "rbac.authorization.k8s.io",
  "scheduling.k8s.io",
  "coordination.k8s.io",
  "networking.k8s.io",
  "policy",
  "argoproj.io",
  "kubeflow.org",
  "app.k8s.io",
  "pipelines.kubeflow.org",
];

async function createRestrictedUsers(defer: Defer): Promise<Pick<Fixtures, "rbacNamespace" | "kubeconfigs">> {
  const rbacNamespace = namespaceName("bad-input-rbac", defer);
  await kubectl(["create", "namespace", rbacNamespace]);
  const readAll = uniqueName("bad-input-read-all");
  const noPatch = uniqueName("bad-input-no-patch-deployments");
  defer(async () => {
    await kubectl([
      "delete",
      "clusterrolebinding,clusterrole",
      "-l",
      `e2e.kfp-upgrade.dev/owner=${rbacNamespace}`,
    ]);
  });
  const label = { "e2e.kfp-upgrade.dev/owner": rbacNamespace };
  const readRule = { apiGroups: ["*"], resources: ["*"], verbs: ["get", "list", "watch"] };
  const objects = [
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: readAll, labels: label },
      rules: [readRule],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: noPatch, labels: label },
      rules: [
        readRule,
        { apiGroups: GROUPS_BUT_APPS, resources: ["*"], verbs: ["*"] },
        {
          apiGroups: ["apps"],
          resources: ["deployments"],
          verbs: ["get", "list", "watch", "create", "update", "delete"],
        },
        { apiGroups: ["apps"], resources: ["replicasets", "statefulsets", "daemonsets"], verbs: ["*"] },
      ],
    },
    ...[
      ["reader", readAll],
      ["no-patch-deployments", noPatch],
    ].map(([account, role]) => ({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: `${role}-${account}`, labels: label },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
      subjects: [{ kind: "ServiceAccount", name: account, namespace: rbacNamespace }],
    })),
    ...["reader", "no-patch-deployments", "nobody"].map((name) => ({
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name, namespace: rbacNamespace },
    })),
  ];
  await kubectl(["create", "-f", "-"], {
    input: JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }),
  });
  const dir = await tempAppDir(defer);
  return {
    rbacNamespace,
    kubeconfigs: {
      reader: await serviceAccountKubeconfig(dir, rbacNamespace, "reader"),
      noPatchDeployments: await serviceAccountKubeconfig(dir, rbacNamespace, "no-patch-deployments"),
      nobody: await serviceAccountKubeconfig(dir, rbacNamespace, "nobody"),
      stagingAndProd: kubeconfigWithContexts(dir, ["staging", "prod"], "staging"),
    },
  };
}

async function terminatingNamespace(defer: Defer): Promise<string> {
  const namespace = uniqueName("bad-input-terminating");
  defer(async () => {
    await kubectl([
      "patch",
      "configmap",
      "hold",
      "-n",
      namespace,
      "--type",
      "merge",
      "-p",
      '{"metadata":{"finalizers":null}}',
    ]);
    await deleteNamespaceAndWait(namespace);
  });
  await kubectl(["create", "namespace", namespace]);
  await kubectl(["create", "-f", "-"], {
    input: JSON.stringify({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "hold", namespace, finalizers: ["e2e.kfp-upgrade.dev/hold"] },
    }),
  });
  await kubectl(["delete", "namespace", namespace, "--wait=false"]);
  // The namespace controller works through it with backoff: wait for the end state it is held in (everything else
  // deleted, `hold` marked for deletion, the condition set), so no case sees it still changing.
  await eventually(
    `namespace/${namespace} held Terminating by configmap/hold alone`,
    async () => {
      const left = await kubectlJson<{ items: { metadata: { name: string; deletionTimestamp?: string } }[] }>(
        ["get", "configmaps,serviceaccounts", "-n", namespace],
      );
      const ns = await kubectlJson<{ status: { conditions?: { type: string; status: string }[] } }>([
        "get",
        "namespace",
        namespace,
      ]);
      const held = ns.status.conditions?.some(
        (c) => c.type === "NamespaceFinalizersRemaining" && c.status === "True",
      );
      const [only, ...more] = left.items;
      return held && more.length === 0 && only?.metadata.name === "hold" && only.metadata.deletionTimestamp
        ? true
        : undefined;
    },
    { timeoutSeconds: 150 },
  );
  return namespace;
}

const watchedNamespaces = () => [f.installed.namespace, f.newNamespace, f.terminating, f.rbacNamespace];

/** Waits until two cluster states 5 s apart are equal: controllers have settled what the fixtures started. */
async function settle(): Promise<void> {
  let last = await clusterState(watchedNamespaces());
  await eventually(
    "the cluster state to settle",
    async () => {
      await new Promise((resolve) => setTimeout(resolve, 5000));
      const now = await clusterState(watchedNamespaces());
      const quiet = changedObjects(last, now).length === 0;
      last = now;
      return quiet ? true : undefined;
    },
    { timeoutSeconds: 150 },
  );
}

beforeAll(async () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  const defer: Defer = (cleanup) => cleanups.push(cleanup);
  const installed = await installKfp({ prefix: "bad-input", versions: ["1.8.5", "2.0.5"], defer });
  const pv = (prefix: string, capacity: string, accessModes?: string[]) =>
    createDataPv(uniqueName(prefix), { capacity, defer, ...(accessModes ? { accessModes } : {}) });
  f = {
    installed,
    installedAppYaml: readFileSync(path.join(installed.appDir, "kfp-app.yaml"), "utf8"),
    newNamespace: namespaceName("bad-input-new", defer),
    free: [await pv("bad-input-free", "20Gi"), await pv("bad-input-free", "20Gi")],
    small: await pv("bad-input-small", "1Mi"),
    rwxOnly: await pv("bad-input-rwx", "20Gi", ["ReadWriteMany"]),
    terminating: await terminatingNamespace(defer),
    ...(await createRestrictedUsers(defer)),
  };
  await settle();
  return async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
}, 300_000);

interface Case {
  name: string;
  /** The KFAPP: a copy of the installed app (default), an empty directory, or a plain file in its place. */
  app?: "installed" | "empty" | "file";
  /** Files written into the app directory (e.g. a malformed kfp-app.yaml), relative path -> content. */
  files?: (f: Fixtures) => Record<string, string>;
  args: (f: Fixtures) => string[];
  kubeconfig?: (f: Fixtures) => string;
  /** false: without `--yes -o json`, as a person at a terminal would type it. */
  machine?: boolean;
  exitCode: number;
  /** What stderr must contain (strings) or match (patterns). */
  stderr: (f: Fixtures) => (string | RegExp)[];
  stdout?: (string | RegExp)[];
}

const APP_HEADER = "apiVersion: kfp-upgrade/v1\nkind: KfpApp\nnamespace: kubeflow\n";
const upgradeTo = (tag: string) => () => ["upgrade", "--tag", tag];
const malformedApp = (name: string, body: string, stderr: (string | RegExp)[]): Case => ({
  name: `kfp-app.yaml: ${name}`,
  app: "empty",
  files: () => ({ "kfp-app.yaml": body }),
  args: upgradeTo("2.5.0"),
  exitCode: 3,
  stderr: () => stderr,
});
const deployNew =
  (...storage: string[]) =>
  (fx: Fixtures) => [
    "deploy",
    "--tag",
    "2.5.0",
    ...storage,
    "-n",
    fx.newNamespace,
    "--manifests",
    SHARED_MANIFESTS,
  ];
const freePvs = (fx: Fixtures) => ["--mysql-pv", fx.free[0].name, "--minio-pv", fx.free[1].name];
const deployWithBundles =
  (manifests: () => string, tag = "2.5.0") =>
  (fx: Fixtures) => [
    "deploy",
    "--tag",
    tag,
    ...freePvs(fx),
    "-n",
    fx.newNamespace,
    "--manifests",
    manifests(),
  ];
const BUNDLE_HINT = "hint: Re-render the bundle with `kubectl kustomize";

const cases: Case[] = [
  // kfp-app.yaml that does not parse or validate: exit 3, naming the field and its line.
  malformedApp("a YAML syntax error", `${APP_HEADER}storage:\n  mysql: {pvName: a\n`, [
    "error: kfp-app.yaml is not valid YAML",
    "(kfp-app.yaml line 6)",
  ]),
  malformedApp("a misspelt nested field", `${APP_HEADER}storage:\n  mysql:\n    pvname: kfp-mysql\n`, [
    'storage.mysql.pvname: unknown field; did you mean "pvName"? (kfp-app.yaml line 6)',
  ]),
  malformedApp("a misspelt top-level field", `${APP_HEADER}namespce: kubeflow\n`, [
    'namespce: unknown field; did you mean "namespace"? (kfp-app.yaml line 4)',
  ]),
  malformedApp("a list where a string belongs", `${APP_HEADER}version: [2.5.0, 2.14.4]\n`, [
    "version: expected string, received array (kfp-app.yaml line 4)",
  ]),
  malformedApp("another apiVersion", "apiVersion: kfp-upgrade/v2\nkind: KfpApp\n", [
    'apiVersion: expected "kfp-upgrade/v1", got "kfp-upgrade/v2" (kfp-app.yaml line 1)',
  ]),
  malformedApp(
    "a PV name and a StorageClass for the same volume",
    `${APP_HEADER}storage:\n  mysql:\n    pvName: kfp-mysql\n    storageClass: standard\n`,
    [
      'storage.mysql: storageClass "standard" conflicts with pvName "kfp-mysql": choose one (kfp-app.yaml line 5)',
    ],
  ),
  malformedApp("a GCP platform without a zone", `${APP_HEADER}platform:\n  type: gcp\n  project: p\n`, [
    "platform.zone: required (expected string) (kfp-app.yaml line 4)",
  ]),
  malformedApp("an unknown variant", `${APP_HEADER}release:\n  variant: seaweedfs\n`, [
    'release.variant: expected one of "default"|"minio", got "seaweedfs" (kfp-app.yaml line 5)',
  ]),
  malformedApp(
    "three problems, all reported at once",
    `${APP_HEADER}version: 3\nplatform:\n  type: aws\nstorage:\n  objectStore:\n    pd: disk\n`,
    [
      "error: kfp-app.yaml is not valid: 3 problems",
      "version: expected string, received number (kfp-app.yaml line 4)",
      'platform.type: expected one of "generic"|"gcp", got "aws" (kfp-app.yaml line 6)',
      "storage.objectStore.pd: unknown field (known: pvName, gcpDisk, storageClass) (kfp-app.yaml line 9)",
    ],
  ),
  malformedApp("a tab in the indentation", `${APP_HEADER}storage:\n\tmysql: {}\n`, [
    "tab characters must not be used in indentation (kfp-app.yaml line 5)",
  ]),
  malformedApp("a duplicated key", `${APP_HEADER}namespace: other\n`, [
    "duplicated mapping key (kfp-app.yaml line 4)",
  ]),
  malformedApp("a list instead of a mapping", "- namespace: kubeflow\n", [
    "(root): expected object, received array",
  ]),
  malformedApp("an empty file", "", ["error: kfp-app.yaml is empty"]),
  {
    name: "--app-dir naming a file",
    app: "file",
    args: upgradeTo("2.5.0"),
    exitCode: 3,
    stderr: () => [/error: \S+ is not a directory\n/, "hint: Pass the KFAPP directory with --app-dir"],
  },

  // Versions the installed 2.0.5 cannot move to.
  {
    name: "a downgrade across a MySQL series (2.0.5 -> 1.8.5)",
    args: upgradeTo("1.8.5"),
    exitCode: 4,
    stderr: () => [
      "error: Refusing to downgrade KFP 2.0.5 to 1.8.5",
      "has no down-migration (kubeflow/pipelines#3636)",
    ],
  },
  {
    name: "a downgrade within a series (2.0.5 -> 2.0.0)",
    args: upgradeTo("2.0.0"),
    exitCode: 4,
    stderr: () => ["error: Refusing to downgrade KFP 2.0.5 to 2.0.0"],
  },
  {
    name: "a ksonnet-era tag with a v (v0.1.12), a downgrade",
    args: upgradeTo("v0.1.12"),
    exitCode: 4,
    stderr: () => ["error: Refusing to downgrade KFP 2.0.5 to 0.1.12"],
  },
  {
    name: "an SDK-only release (1.8.15)",
    args: upgradeTo("1.8.15"),
    exitCode: 2,
    stderr: () => [
      "error: KFP 1.8.15 is an SDK-only release with no backend of its own; the nearest backend releases are 1.8.5 (below) and 2.0.0 (above)",
    ],
  },
  {
    name: "an SDK-only release (2.7.0)",
    args: upgradeTo("2.7.0"),
    exitCode: 2,
    stderr: () => ["error: KFP 2.7.0 is an SDK-only release", "2.5.0 (below) and 2.14.0 (above)"],
  },
  {
    name: "a release that never existed (1.8.7)",
    args: upgradeTo("1.8.7"),
    exitCode: 2,
    stderr: () => [
      "error: KFP 1.8.7 was never released; the nearest backend releases are 1.8.5 (below) and 2.0.0 (above)",
    ],
  },
  {
    name: "a garbage tag",
    args: upgradeTo("banana"),
    exitCode: 2,
    stderr: () => ['error: "banana" is not a KFP version, `latest` or a kubeflow/kubeflow commit'],
  },
  {
    name: "a wildcard tag (2.x)",
    args: upgradeTo("2.x"),
    exitCode: 2,
    stderr: () => ['error: "2.x" is not a KFP version'],
  },

  // Object store: crossing 2.15 needs a choice the release can honour.
  {
    name: "crossing 2.15 without --object-store",
    args: upgradeTo("2.15.0"),
    exitCode: 4,
    stderr: (fx) => [
      `Cannot upgrade KFP 2.0.5 to 2.15.0 in namespace "${fx.installed.namespace}": KFP 2.15.0 replaces MinIO with SeaweedFS`,
      "Choose --object-store keep-minio",
    ],
  },
  {
    name: "--object-store keep-minio on 2.17.0, which has no MinIO variant",
    args: () => ["upgrade", "--tag", "2.17.0", "--object-store", "keep-minio"],
    exitCode: 4,
    stderr: () => [
      "KFP 2.17.0 has no MinIO variant in its bundle, so --object-store keep-minio cannot be honoured",
    ],
  },
  {
    name: "--object-store with an unknown choice",
    args: () => ["upgrade", "--tag", "2.15.0", "--object-store", "s3"],
    exitCode: 2,
    stderr: () => ["error: option '--object-store <choice>' argument 's3' is invalid"],
  },

  // The wrong cluster or namespace.
  {
    name: "the app names context prod, the current context is staging",
    // deploy recorded the context it ran against; this app says prod instead.
    files: (fx) => ({
      "kfp-app.yaml": `${fx.installedAppYaml.replace(/^context: .*\n/m, "")}context: prod\n`,
    }),
    kubeconfig: (fx) => fx.kubeconfigs.stagingAndProd,
    args: upgradeTo("2.5.0"),
    exitCode: 4,
    stderr: () => [
      /error: the current kubeconfig context is "staging", but the app in \S+ belongs to context "prod"/,
    ],
  },
  {
    name: "--context naming a context the kubeconfig lacks",
    args: () => ["--context", "nope", "upgrade", "--tag", "2.5.0"],
    exitCode: 3,
    stderr: () => ['error: context "nope" is not in'],
  },
  {
    name: "-n differing from the app's namespace",
    args: () => ["-n", "elsewhere", "upgrade", "--tag", "2.5.0"],
    exitCode: 4,
    stderr: (fx) => [`error: -n elsewhere differs from namespace "${fx.installed.namespace}" of the app in`],
  },
  {
    name: "no kubeconfig",
    kubeconfig: () => "/nonexistent/kubeconfig",
    args: upgradeTo("2.5.0"),
    exitCode: 3,
    stderr: () => ["error: none of the files in KUBECONFIG exist: /nonexistent/kubeconfig"],
  },
  {
    name: "a namespace that is Terminating",
    app: "empty",
    args: (fx) => [
      "deploy",
      "--tag",
      "2.5.0",
      ...freePvs(fx),
      "-n",
      fx.terminating,
      "--manifests",
      SHARED_MANIFESTS,
    ],
    exitCode: 4,
    stderr: (fx) => [`namespace "${fx.terminating}" is Terminating; wait until it is gone`],
  },

  // Storage that would lose or mix data.
  {
    name: "a PV that does not exist",
    app: "empty",
    args: deployNew("--mysql-pv", "no-such-pv", "--minio-pv", "no-such-pv-either"),
    exitCode: 4,
    stderr: () => [
      'MySQL volume (mysql-pv-claim): PV "no-such-pv" does not exist in the cluster',
      'object store volume (minio-pvc): PV "no-such-pv-either" does not exist in the cluster',
    ],
  },
  {
    name: "a PV bound to another install's claim",
    app: "empty",
    args: (fx) => deployNew("--mysql-pv", fx.installed.mysql.name, "--minio-pv", fx.free[1].name)(fx),
    exitCode: 4,
    stderr: (fx) => [
      `MySQL volume (mysql-pv-claim): PV "${fx.installed.mysql.name}" is bound to another claim (${fx.installed.namespace}/mysql-pv-claim)`,
    ],
  },
  {
    name: "a PV too small for the claim",
    app: "empty",
    args: (fx) => deployNew("--mysql-pv", fx.small.name, "--minio-pv", fx.free[1].name)(fx),
    exitCode: 4,
    stderr: (fx) => [`PV "${fx.small.name}" is too small: 1Mi < 20Gi requested by mysql-pv-claim`],
  },
  {
    name: "a PV that is ReadWriteMany only",
    app: "empty",
    args: (fx) => deployNew("--mysql-pv", fx.free[0].name, "--minio-pv", fx.rwxOnly.name)(fx),
    exitCode: 4,
    stderr: (fx) => [
      `PV "${fx.rwxOnly.name}" does not offer access mode ReadWriteOnce (it has ReadWriteMany)`,
    ],
  },
  {
    name: "GCP disk flags on a non-GCP app",
    app: "empty",
    args: deployNew("--mysql-pd", "kf-storage-metadata-store", "--minio-pd", "kf-storage-artifact-store"),
    exitCode: 4,
    stderr: () => [
      `MySQL volume (mysql-pv-claim): GCP disk "kf-storage-metadata-store" was given, but this app's platform is "generic"`,
      `object store volume (minio-pvc): GCP disk "kf-storage-artifact-store" was given, but this app's platform is "generic"`,
    ],
  },
  {
    name: "a PV and a StorageClass for the same volume (flags)",
    app: "empty",
    args: (fx) => deployNew("--mysql-pv", fx.free[0].name, "--storage-class", "standard")(fx),
    exitCode: 2,
    stderr: (fx) => [`error: --storage-class standard conflicts with --mysql-pv ${fx.free[0].name}`],
  },
  {
    name: "a StorageClass that does not exist",
    app: "empty",
    args: deployNew("--storage-class", "no-such-class"),
    exitCode: 4,
    stderr: () => ['MySQL volume (mysql-pv-claim): StorageClass "no-such-class" does not exist'],
  },

  // Release bundles that do not load.
  {
    name: "a truncated bundle",
    app: "empty",
    args: deployWithBundles(() =>
      derivedManifests({ "2.5.0": { files: { "platform-agnostic.yaml": (text) => text.slice(0, 20_000) } } }),
    ),
    exitCode: 3,
    stderr: () => [
      /error: Release bundle \S+\/2\.5\.0 does not load: \d+ problems?\n/,
      /platform-agnostic\.yaml document \d+ at line \d+/,
      BUNDLE_HINT,
    ],
  },
  {
    name: "an unreadable bundle file",
    app: "empty",
    args: deployWithBundles(() => derivedManifests({ "2.5.0": { unreadable: ["platform-agnostic.yaml"] } })),
    exitCode: 3,
    stderr: () => [/\/2\.5\.0\/platform-agnostic\.yaml: cannot read it \(ENOENT\)/],
  },
  {
    name: "a bundle Deployment without a selector",
    app: "empty",
    args: deployWithBundles(() => derivedManifests({ "2.5.0": { objects: withoutSelector("ml-pipeline") } })),
    exitCode: 3,
    stderr: () => [
      /\(deployment\/ml-pipeline -n kubeflow\): spec\.selector: a Deployment needs selector\.matchLabels or matchExpressions/,
    ],
  },
  {
    name: "a bundle in a directory named for another version",
    app: "empty",
    args: deployWithBundles(() => derivedManifests({ "2.3.0": { from: "2.5.0" } }), "2.3.0"),
    exitCode: 3,
    stderr: () => [
      /error: Bundle \S+\/2\.3\.0 holds KFP 2\.5\.0 \(its appVersion or API server image\), not 2\.3\.0/,
    ],
  },
  {
    name: "a bundle document that is not an object",
    app: "empty",
    args: deployWithBundles(() =>
      derivedManifests({ "2.5.0": { add: { "zz-notes.yaml": "just a sentence\n" } } }),
    ),
    exitCode: 3,
    stderr: () => [
      /zz-notes\.yaml document 1 at line 1: \(root\): Invalid input: expected object, received string/,
    ],
  },
  {
    name: "a bundle directory with no YAML files",
    app: "empty",
    args: deployWithBundles(() =>
      derivedManifests({ "2.5.0": { empty: true, add: { "README.md": "to be rendered\n" } } }),
    ),
    exitCode: 3,
    stderr: () => [/error: Release bundle \S+\/2\.5\.0 has no \.yaml files\n/],
  },
  {
    name: "--manifests naming a directory that does not exist",
    app: "empty",
    args: deployWithBundles(() => "/nonexistent/manifests"),
    exitCode: 3,
    stderr: () => ["error: Manifests directory /nonexistent/manifests does not exist"],
  },
  {
    name: "a manifests directory without the release's bundle",
    app: "empty",
    args: deployWithBundles(() => derivedManifests({ "2.3.0": "shared" })),
    exitCode: 4,
    stderr: () => [
      "no manifests bundle for KFP 2.5.0: deploy applies a release bundle; pass --manifests DIR",
    ],
  },

  // Users whose RBAC forbids what the plan needs.
  {
    name: "a read-only user",
    kubeconfig: (fx) => fx.kubeconfigs.reader,
    args: upgradeTo("2.5.0"),
    exitCode: 4,
    stderr: (fx) => [
      /error: the current user \(reader\) lacks \d+ permissions this upgrade needs\n/,
      `  - cannot create leases.coordination.k8s.io in namespace ${fx.installed.namespace}\n`,
      `  - cannot patch deployments.apps in namespace ${fx.installed.namespace}\n`,
      "  - cannot patch customresourcedefinitions.apiextensions.k8s.io (cluster-wide)\n",
      "hint: Ask a cluster admin for these rights",
    ],
  },
  {
    name: "a user who may do everything but patch Deployments",
    kubeconfig: (fx) => fx.kubeconfigs.noPatchDeployments,
    args: upgradeTo("2.5.0"),
    exitCode: 4,
    stderr: (fx) => [
      `error: the current user (no-patch-deployments) lacks 1 permission this upgrade needs\n  - cannot patch deployments.apps in namespace ${fx.installed.namespace}\nhint:`,
    ],
  },
  {
    name: "a user without any rights",
    kubeconfig: (fx) => fx.kubeconfigs.nobody,
    args: upgradeTo("2.5.0"),
    exitCode: 5,
    stderr: (fx) => [
      // The first read the run makes is refused. The reads run concurrently, so which refusal arrives first (the
      // namespace, a namespaced list, the cluster-scoped list of PVs) is not the point; that it names its scope is.
      // A GET's refusal names the object (`namespaces "x" is forbidden`), a list's only the resource.
      /API server says: \S+(?: "[^"]+")? is forbidden: User "system:serviceaccount:[^"]+:nobody" cannot (get|list) resource/,
      new RegExp(
        `cannot (get|list) resource "[^"]+" in API group "[^"]*" (in the namespace "${fx.installed.namespace}"|at the cluster scope)`,
      ),
      "hint: Your user lacks RBAC permission for this",
    ],
  },

  // The install's state does not fit the command.
  {
    name: "deploy over an existing install",
    args: () => ["deploy", "--tag", "2.5.0"],
    exitCode: 4,
    stderr: (fx) => [
      `KFP 2.0.5 is already installed in namespace "${fx.installed.namespace}"; use \`kfp-upgrade upgrade\``,
    ],
  },
  {
    name: "upgrade with nothing installed",
    app: "empty",
    args: (fx) => ["upgrade", "--tag", "2.5.0", "-n", fx.newNamespace, "--manifests", SHARED_MANIFESTS],
    exitCode: 4,
    stderr: (fx) => [
      `error: no KFP install found in namespace "${fx.newNamespace}" (the namespace does not exist)`,
    ],
  },
  {
    name: "reinstall with no known volumes",
    app: "empty",
    args: (fx) => ["reinstall", "--tag", "2.5.0", "-n", fx.newNamespace, "--manifests", SHARED_MANIFESTS],
    exitCode: 4,
    stderr: () => ["reinstall needs the old data volumes, but none is known for mysql and objectStore"],
  },
  {
    name: "reinstall over a running install",
    args: () => ["reinstall"],
    exitCode: 4,
    stderr: (fx) => [`KFP 2.0.5 is already installed in namespace "${fx.installed.namespace}"`],
  },
  {
    name: "an unfinished run of another command",
    files: () => ({
      ".kfp-upgrade/journal/journal.json": JSON.stringify({
        runId: "7d4e6f2a-0000-4000-8000-000000000001",
        command: "reinstall",
        startedAt: "2026-01-01T00:00:00Z",
        planHash: "0123456789abcdef",
        planPath: ".kfp-upgrade/journal/plan.json",
        completedStepIds: ["01-ensureNamespace", "02-applyObjects"],
        status: "interrupted",
        release: { version: "2.0.5", variant: "default" },
      }),
    }),
    args: upgradeTo("2.5.0"),
    exitCode: 4,
    stderr: () => [
      "error: an earlier reinstall to KFP 2.0.5 is unfinished (interrupted, 2 steps done)",
      "hint: Run `kfp-upgrade resume` to finish it first",
    ],
  },
  {
    name: "rollback across a MySQL series (8.0 back to 5.7)",
    args: () => ["rollback"],
    exitCode: 4,
    stderr: () => [
      "error: cannot roll back KFP 2.0.5 to 1.8.5: MySQL's data directory was upgraded from 5.7 to 8.0, and MySQL 5.7 cannot read it",
    ],
  },
  {
    name: "rollback to the target of a run that failed",
    files: () => ({
      ".kfp-upgrade/history.jsonl": `${[
        { command: "deploy", from: null, to: "2.0.5", outcome: "succeeded" },
        { command: "upgrade", from: "2.0.5", to: "2.3.0", outcome: "failed" },
      ]
        .map((run, index) =>
          JSON.stringify({
            id: index + 1,
            user: "e2e",
            startedAt: "2026-01-01T00:00:00Z",
            finishedAt: "2026-01-01T00:01:00Z",
            planHash: "0123456789abcdef",
            ...run,
          }),
        )
        .join("\n")}\n`,
    }),
    args: () => ["rollback", "--to", "2"],
    exitCode: 4,
    stderr: () => [
      "error: run 2 (upgrade to 2.3.0) did not succeed (failed): its release never ran on this data",
    ],
  },
  {
    name: "rollback to a run the history does not have",
    args: () => ["rollback", "--to", "99"],
    exitCode: 2,
    stderr: () => ["error: history has no run 99"],
  },
  {
    name: "rollback with no history",
    app: "empty",
    args: (fx) => ["rollback", "-n", fx.newNamespace],
    exitCode: 2,
    stderr: () => ["error: history has no successful upgrade to roll back"],
  },
  {
    name: "resume with nothing to resume",
    args: () => ["resume"],
    exitCode: 0,
    stderr: () => [],
    stdout: ['"resumed": false'],
  },
  {
    name: "an upgrade not confirmed (no --yes, no terminal)",
    machine: false,
    args: upgradeTo("2.5.0"),
    exitCode: 2,
    stderr: () => ["error: the plan was not applied: it needs confirmation", "pass --yes"],
  },

  // Command-line usage.
  {
    name: "an unknown flag of a command",
    args: () => ["upgrade", "--tag", "2.5.0", "--force-it"],
    exitCode: 2,
    stderr: () => ["error: unknown option '--force-it'"],
  },
  {
    name: "an unknown global flag",
    args: () => ["--colour", "upgrade", "--tag", "2.5.0"],
    exitCode: 2,
    stderr: () => ["error: unknown option '--colour'"],
  },
  {
    name: "an unknown command",
    args: () => ["upgarde", "--tag", "2.5.0"],
    exitCode: 2,
    stderr: () => ["error: unknown command 'upgarde'"],
  },
  {
    name: "a bad -o value",
    args: () => ["-o", "xml", "upgrade", "--tag", "2.5.0"],
    exitCode: 2,
    stderr: () => [
      "error: option '-o, --output <format>' argument 'xml' is invalid. Allowed choices are text, yaml, json.",
    ],
  },
  {
    name: "--timeout 0",
    args: () => ["--timeout", "0", "upgrade", "--tag", "2.5.0"],
    exitCode: 2,
    stderr: () => [
      'error: --timeout: expected a duration such as 90s, 10m or 1h (or whole seconds), got "0"',
    ],
  },
  {
    name: "--timeout that is no duration",
    args: () => ["--timeout", "ten", "upgrade", "--tag", "2.5.0"],
    exitCode: 2,
    stderr: () => [
      'error: --timeout: expected a duration such as 90s, 10m or 1h (or whole seconds), got "ten"',
    ],
  },
  {
    name: "an unknown --strategy",
    args: () => ["upgrade", "--tag", "2.5.0", "--strategy", "helm"],
    exitCode: 2,
    stderr: () => ["error: option '--strategy <strategy>' argument 'helm' is invalid"],
  },
  {
    name: "params set of an unknown param",
    args: () => ["params", "set", "mysqlPvname", "kfp-mysql"],
    exitCode: 2,
    stderr: () => ['error: unknown param "mysqlPvname"'],
  },
];

describe("bad input is refused and changes nothing", () => {
  it("has at least 40 cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it.each(cases)("$name", async (c) => {
    let dir: string;
    if (c.app === "file") {
      dir = path.join(await tempAppDir(), "kfp-app.yaml");
      writeFileSync(dir, f.installedAppYaml);
    } else {
      dir = await tempAppDir();
      if ((c.app ?? "installed") === "installed") cpSync(f.installed.appDir, dir, { recursive: true });
      for (const [file, content] of Object.entries(c.files?.(f) ?? {})) {
        await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
        writeFileSync(path.join(dir, file), content);
      }
    }
    const args = c.args(f);
    const filesBefore = dirState(dir);
    const before = await clusterState(watchedNamespaces());

    const run = await runCli(args, {
      appDir: dir,
      ...(c.kubeconfig ? { kubeconfigPath: c.kubeconfig(f) } : {}),
      ...(c.machine === false ? { machine: false } : {}),
    });

    expect(run.exitCode, run.stderr).toBe(c.exitCode);
    for (const expected of c.stderr(f)) {
      if (typeof expected === "string") expect(run.stderr).toContain(expected);
      else expect(run.stderr).toMatch(expected);
    }
    if (c.exitCode !== 0) expect(run.stderr).toMatch(/^error: /m);
    for (const expected of c.stdout ?? []) {
      if (typeof expected === "string") expect(run.stdout).toContain(expected);
      else expect(run.stdout).toMatch(expected);
    }
    expect(changedObjects(before, await clusterState(watchedNamespaces()))).toEqual([]);
    expect(dirState(dir)).toEqual(filesBefore);
  });
});

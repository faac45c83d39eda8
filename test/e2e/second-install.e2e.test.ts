import { readFileSync } from "node:fs";
import path from "node:path";
import yaml from "js-yaml";
import { describe, expect, it, onTestFinished } from "vitest";
import { type BundleObject, derivedManifests } from "../support/derived-manifests.js";
import { kubectl, uniqueName } from "../support/e2e-cluster.js";
import {
  createDataPv,
  dataState,
  type InstalledKfp,
  installKfp,
  namespaceName,
  tempAppDir,
} from "../support/installed-kfp.js";
import { imagesIn, unavailableDeployments } from "../support/kfp-install.js";
import { expectMysqlCanStart, serverOverlapsOn } from "../support/mysql-data.js";
import { runCli, SHARED_MANIFESTS } from "../support/run-cli.js";
import { seedMinioVolume, seedMysqlVolume } from "../support/seed-volume.js";

// A second KFP install in another namespace, on the real control plane. KFP's standalone bundles bind the cache
// deployer's ClusterRoleBinding to a ServiceAccount in the install's namespace, so a second install of the same
// bundle would re-point the first install's binding: it is refused. Rendered with other names for that binding
// (kustomize nameSuffix), a second install deploys, upgrades and prunes without changing the first install's
// cluster-scoped objects or CRDs.

const CR = "kubeflow-pipelines-cache-deployer-clusterrole";
const CRB = "kubeflow-pipelines-cache-deployer-clusterrolebinding";
const OWNERS = "kfp-upgrade.kubeflow.org/namespaces";
const APPLIED_BY = "kfp-upgrade.kubeflow.org/applied-by-release";

interface Live {
  metadata: {
    name: string;
    resourceVersion: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

/** The CRDs of a shared bundle, by name. */
function bundleCrds(version: string): string[] {
  const text = readFileSync(path.join(SHARED_MANIFESTS, version, "cluster-scoped.yaml"), "utf8");
  return (yaml.loadAll(text) as BundleObject[])
    .filter((o) => o?.kind === "CustomResourceDefinition")
    .map((o) => o.metadata?.name ?? "")
    .sort();
}

async function live(kind: string, name: string): Promise<Live | null> {
  const found = await kubectl(["get", kind, name, "--ignore-not-found", "-o", "json"]);
  return found.trim() === "" ? null : (JSON.parse(found) as Live);
}

interface ObjectState {
  resourceVersion: string;
  labels: Record<string, string>;
  /** Without kfp-upgrade's owner list. */
  annotations: Record<string, string>;
  /** Everything outside metadata and status (spec, rules, subjects, value, …). */
  content: string;
}

/** The first install's cluster-scoped objects: resourceVersion, and content without kfp-upgrade's owner list. */
async function clusterState(crds: string[]): Promise<Record<string, ObjectState>> {
  const state: Record<string, ObjectState> = {};
  const refs = [
    ["clusterrole", CR],
    ["clusterrolebinding", CRB],
    ["priorityclass", "workflow-controller"],
    ...crds.map((name) => ["customresourcedefinition", name]),
  ] as const;
  for (const [kind, name] of refs) {
    const object = await live(kind, name);
    if (!object) throw new Error(`${kind}/${name} is missing`);
    const { metadata, status: _status, ...content } = object;
    const { [OWNERS]: _owners, ...annotations } = metadata.annotations ?? {};
    state[`${kind}/${name}`] = {
      resourceVersion: metadata.resourceVersion,
      labels: metadata.labels ?? {},
      annotations,
      content: JSON.stringify(content),
    };
  }
  return state;
}

/** Renames the cache deployer's ClusterRole and ClusterRoleBinding for namespace `suffix`, as kustomize nameSuffix would. */
function renamedFor(suffix: string): (object: BundleObject) => void {
  return (object) => {
    if (object.kind === "ClusterRole" && object.metadata?.name === CR)
      object.metadata.name = `${CR}-${suffix}`;
    if (object.kind === "ClusterRoleBinding" && object.metadata?.name === CRB) {
      object.metadata.name = `${CRB}-${suffix}`;
      (object.roleRef as { name: string }).name = `${CR}-${suffix}`;
    }
  };
}

function withoutKind(kind: string): (text: string) => string {
  return (text) =>
    text
      .split(/^---\n/m)
      .filter((document) => !new RegExp(`^kind: ${kind}$`, "m").test(document))
      .join("---\n");
}

/** The second install's namespace and seeded PVs; cleaned up namespace first, then the PVs (as installKfp does). */
async function secondInstallSpace(prefix: string) {
  const cleanups: (() => Promise<void> | void)[] = [];
  onTestFinished(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  const defer = (cleanup: () => Promise<void> | void) => cleanups.push(cleanup);
  const mysql = await createDataPv(uniqueName(`${prefix}-mysql`), {
    capacity: "20Gi",
    seed: seedMysqlVolume,
    defer,
  });
  const minio = await createDataPv(uniqueName(`${prefix}-minio`), {
    capacity: "20Gi",
    seed: seedMinioVolume,
    defer,
  });
  return { namespace: namespaceName(prefix, defer), mysql, minio };
}

async function expectFirstInstallIntact(first: InstalledKfp, images: unknown): Promise<void> {
  expect(await dataState(first)).toEqual(first.seeded);
  await expectMysqlCanStart({ namespace: first.namespace, dir: first.mysql.path });
  expect(await serverOverlapsOn(first.mysql.path)).toEqual([]);
  expect(await unavailableDeployments(first.namespace)).toEqual([]);
  expect(await imagesIn(first.namespace)).toEqual(images);
}

describe("a second install in another namespace", () => {
  it("is refused when its cluster-scoped names collide, and otherwise deploys, upgrades and prunes without touching the first install's cluster-scoped objects or CRDs", async () => {
    const first = await installKfp({ prefix: "first", versions: ["2.14.4"] });
    const crds = bundleCrds("2.14.4");
    const before = await clusterState(crds);
    const firstImages = await imagesIn(first.namespace);
    // The first install owns what it applied, and its CRDs say which release they are.
    expect((await live("clusterrolebinding", CRB))?.metadata.annotations?.[OWNERS]).toBe(first.namespace);
    for (const name of crds) {
      expect((await live("customresourcedefinition", name))?.metadata.annotations?.[APPLIED_BY]).toBe(
        "2.14.4",
      );
    }

    const pvs = await secondInstallSpace("second");
    const second = pvs.namespace;
    const storage = ["--mysql-pv", pvs.mysql.name, "--minio-pv", pvs.minio.name];

    // 1. The real bundle, same names: refused before any change, the binding named, what to do said.
    const refused = await runCli(
      ["deploy", "--tag", "2.14.4", ...storage, "--manifests", SHARED_MANIFESTS, "-n", second],
      {
        appDir: await tempAppDir(),
      },
    );
    expect(refused.exitCode, refused.stderr).toBe(4);
    expect(refused.stderr).toContain(
      `clusterrolebinding/${CRB} (used by the install in "${first.namespace}")`,
    );
    expect(refused.stderr).toContain(
      "KFP's cluster-scoped objects cannot be shared across namespaces without multi-user mode",
    );
    expect(await clusterState(crds)).toEqual(before);
    expect((await live("clusterrolebinding", CRB))?.subjects).toEqual([
      { kind: "ServiceAccount", name: "kubeflow-pipelines-cache-deployer-sa", namespace: first.namespace },
    ]);

    // 2. Rendered with its own names: an older release (2.5.0) deploys next to the first install's 2.14.4.
    const extra = `second-install-extra-${second}`;
    const extraRole = yaml.dump({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: extra, labels: { "application-crd-id": "kubeflow-pipelines" } },
      rules: [],
    });
    const manifests = derivedManifests({
      "2.5.0": { objects: renamedFor(second), add: { "extra.yaml": extraRole } },
      "2.14.4": {
        objects: renamedFor(second),
        // The target drops a cluster-scoped object the first install shares (kept) and one only this install has
        // (pruned, as it is not in the target at all).
        files: { "platform-agnostic.yaml": withoutKind("PriorityClass") },
      },
    });
    onTestFinished(async () => {
      const leftovers: [string, string][] = [
        ["clusterrolebinding", `${CRB}-${second}`],
        ["clusterrole", `${CR}-${second}`],
        ["clusterrole", extra],
      ];
      for (const [kind, name] of leftovers) await kubectl(["delete", kind, name, "--ignore-not-found"]);
    });
    const appDir = await tempAppDir();
    const deploy = await runCli(
      ["deploy", "--tag", "2.5.0", ...storage, "--manifests", manifests, "-n", second],
      {
        appDir,
      },
    );
    expect(deploy.exitCode, deploy.stderr).toBe(0);
    const deployPlan = deploy.events.find((event) => event.type === "plan")?.plan as { notes: string[] };
    expect(deployPlan.notes).toContain(
      "CRD workflows.argoproj.io is kept as it is: KFP 2.14.4 applied it, and KFP 2.5.0's is older (never applied over a newer one)",
    );
    expect((await live("clusterrolebinding", `${CRB}-${second}`))?.metadata.annotations?.[OWNERS]).toBe(
      second,
    );
    expect((await live("clusterrole", extra))?.metadata.annotations?.[OWNERS]).toBe(second);
    expect((await live("priorityclass", "workflow-controller"))?.metadata.annotations?.[OWNERS]).toBe(
      [first.namespace, second].sort().join(","),
    );

    // 3. Upgrade to 2.14.4 (its own names, no PriorityClass): the shared PriorityClass stays, the extra role goes.
    const upgrade = await runCli(["upgrade", "--tag", "2.14.4"], { appDir });
    expect(upgrade.exitCode, upgrade.stderr).toBe(0);
    const upgradePlan = upgrade.events.find((event) => event.type === "plan")?.plan as {
      notes: string[];
      steps: { kind: string; objects?: { kind: string; name: string }[] }[];
    };
    const pruned = upgradePlan.steps
      .filter((step) => step.kind === "prune")
      .flatMap((step) => (step.objects ?? []).map((o) => `${o.kind}/${o.name}`));
    expect(pruned).toContain(`ClusterRole/${extra}`);
    expect(pruned).not.toContain("PriorityClass/workflow-controller");
    expect(pruned.filter((ref) => ref.includes(CR) || ref.includes(CRB))).toEqual([]);
    expect(upgradePlan.notes).toContain(
      `priorityclass/workflow-controller is not pruned: the install in "${first.namespace}" uses it too`,
    );
    expect(await live("clusterrole", extra)).toBeNull();
    expect(await unavailableDeployments(second)).toEqual([]);

    // The first install: every cluster-scoped object and CRD as it was (the shared PriorityClass only lists the
    // second install among its owners), its data and its Deployments untouched.
    const after = await clusterState(crds);
    const { "priorityclass/workflow-controller": sharedBefore, ...ownBefore } = before;
    const { "priorityclass/workflow-controller": sharedAfter, ...ownAfter } = after;
    expect(ownAfter).toEqual(ownBefore);
    // The PriorityClass names no namespace, so both installs apply it (the second's 2.5.0 bundle adds a kpt
    // annotation): its value and labels are the same.
    expect(sharedAfter?.content).toEqual(sharedBefore?.content);
    expect(sharedAfter?.labels).toEqual(sharedBefore?.labels);
    await expectFirstInstallIntact(first, firstImages);
  }, 900_000);
});

import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { changedObjects, clusterState } from "../support/cluster-state.js";
import { installObjects, lastAppliedLeft, normalisedInstall } from "../support/compare-installs.js";
import { type BundleObject, derivedManifests } from "../support/derived-manifests.js";
import { kubectl, kubectlJson, uniqueName } from "../support/e2e-cluster.js";
import { helmInstall, helmList } from "../support/helm-chart.js";
import { installKfp, tempAppDir } from "../support/installed-kfp.js";
import {
  deleteClusterObjects,
  kfpClusterObjectRefs,
  setAsideClusterObjects,
} from "../support/kfp-cluster-objects.js";
import {
  bundleImages,
  deleteNamespaceAndWait,
  type Fingerprints,
  fingerprintsOf,
  hostPathOf,
  imagesIn,
  type Pv,
  seedDataDirs,
  stepKinds,
  testNamespace,
  timed,
  unavailableDeployments,
} from "../support/kfp-install.js";
import { type KubectlApplyMode, kubectlInstall, waitForInstall } from "../support/other-installers.js";
import { type CliEvent, type CliRun, runCli, SHARED_MANIFESTS } from "../support/run-cli.js";

// Issue 14: KFP 2.5.0 installed by another tool (kubectl client-side or server-side apply, Helm 4, Argo CD), then
// `kfp-upgrade upgrade --tag 2.14.4`. 2.14.4 moves the liveness probes of three Deployments from `exec` to `httpGet`;
// unless kfp-upgrade takes the fields over from the other applier first, server-side apply cannot remove `exec`
// and the API server refuses the Deployment halfway through the hop. Every upgraded install is compared object by
// object with a fresh 2.14.4 install that kfp-upgrade made in another namespace.

const FROM = "2.5.0";
const TO = "2.14.4";
/** The Deployments whose liveness probe 2.14.4 moves from `exec` to `httpGet`. */
const PROBE_CHANGED = ["ml-pipeline", "ml-pipeline-ui", "ml-pipeline-visualizationserver"];
/** Step kinds that write the release's objects; a hop's server-side dry run comes before the first of them. */
const WRITES = new Set(["applyObjects", "createIfAbsent", "recreateDeployment", "setImages", "prune"]);
const CLUSTER_REFS = kfpClusterObjectRefs([FROM, TO]);

interface PlanStep {
  id: string;
  kind: string;
  hop?: number;
  [field: string]: unknown;
}

/** The plan the run executed (its `plan` event). */
function executedPlan(run: CliRun): { steps: PlanStep[] } {
  const event = run.events.find((e) => e.type === "plan") as
    | (CliEvent & { plan: { steps: PlanStep[] } })
    | undefined;
  if (!event) throw new Error(`the run printed no plan:\n${run.stderr}`);
  return event.plan;
}

/** Hops whose first write is not preceded by a serverDryRun step of the same hop. */
function hopsWithoutDryRunFirst(steps: PlanStep[]): number[] {
  const hops = [...new Set(steps.filter((s) => WRITES.has(s.kind)).map((s) => s.hop ?? 0))];
  return hops.filter((hop) => {
    const firstWrite = steps.findIndex((s) => (s.hop ?? 0) === hop && WRITES.has(s.kind));
    const dryRun = steps.findIndex((s) => (s.hop ?? 0) === hop && s.kind === "serverDryRun");
    return dryRun < 0 || dryRun > firstWrite;
  });
}

/** Exit 4 and the stable error code on stderr (`code: HELM_MANAGED (exit 4)`). */
function expectRefusedWith(run: CliRun, code: string): void {
  expect(run.exitCode, run.stderr).toBe(4);
  expect(run.stderr).toContain(`code: ${code} (exit 4)`);
}

function upgrade(namespace: string, appDir: string, extra: string[] = []): Promise<CliRun> {
  return runCli(["upgrade", "--tag", TO, "--manifests", SHARED_MANIFESTS, "-n", namespace, ...extra], {
    appDir,
    timeoutMs: 400_000,
  });
}

/** PV name -> uid of the install's data claims, and the bytes seeded into them. */
interface SeededInstall {
  volumes: Record<string, string>;
  pvs: { mysql: Pv; minio: Pv };
  seeded: Fingerprints;
}

/** Waits for the other tool's install, checks it runs FROM, and seeds its data volumes. */
async function seedInstalled(namespace: string): Promise<SeededInstall> {
  const { mysql, minio } = await waitForInstall(namespace);
  expect(await imagesIn(namespace)).toEqual(bundleImages(FROM));
  const seeded = await seedDataDirs(hostPathOf(mysql.pv), hostPathOf(minio.pv));
  return {
    volumes: { "mysql-pv-claim": mysql.pv.metadata.uid, "minio-pvc": minio.pv.metadata.uid },
    pvs: { mysql: mysql.pv, minio: minio.pv },
    seeded,
  };
}

async function claimVolumes(namespace: string): Promise<Record<string, string | null>> {
  const out: Record<string, string | null> = {};
  for (const claim of ["mysql-pv-claim", "minio-pvc"]) {
    const pvc = await kubectlJson<{ spec: { volumeName?: string } }>(["get", "pvc", claim, "-n", namespace]);
    const pv = pvc.spec.volumeName ? await kubectlJson<Pv>(["get", "pv", pvc.spec.volumeName]) : null;
    out[claim] = pv?.metadata.uid ?? null;
  }
  return out;
}

/** `deployment -> containers whose livenessProbe still has an exec handler`, for the three changed Deployments. */
async function execProbesLeft(namespace: string): Promise<Record<string, string[]>> {
  const list = await kubectlJson<{
    items: {
      metadata: { name: string };
      spec: { template: { spec: { containers: { name: string; livenessProbe?: { exec?: unknown } }[] } } };
    }[];
  }>(["get", "deployments", "-n", namespace]);
  const left: Record<string, string[]> = {};
  for (const name of PROBE_CHANGED) {
    const deployment = list.items.find((d) => d.metadata.name === name);
    if (!deployment) throw new Error(`deployment/${name} is missing in ${namespace}`);
    left[name] = deployment.spec.template.spec.containers
      .filter((c) => c.livenessProbe?.exec !== undefined)
      .map((c) => c.name);
  }
  return left;
}

let reference: Record<string, unknown> = {};
let restoreClusterObjects: (() => Promise<void>) | undefined;

/**
 * After the upgrade: exit 0, every Deployment at TO and rolled out, no `exec` left in the changed probes, no
 * last-applied annotation on an adopted object, every object equal to the fresh install's, the same PVs and bytes.
 */
async function expectUpgradedLikeFresh(run: CliRun, namespace: string, before: SeededInstall): Promise<void> {
  expect(run.exitCode, run.stderr).toBe(0);
  expect(run.result).toMatchObject({ ok: true, outcome: "succeeded" });
  const plan = executedPlan(run);
  expect(
    hopsWithoutDryRunFirst(plan.steps),
    "hops whose first write has no server-side dry run before it",
  ).toEqual([]);
  expect(Object.values(stepKinds(run))).toContain("adoptObjects");
  expect(await unavailableDeployments(namespace)).toEqual([]);
  expect(await imagesIn(namespace)).toEqual(bundleImages(TO));
  expect(await execProbesLeft(namespace)).toEqual(
    Object.fromEntries(PROBE_CHANGED.map((name) => [name, []])),
  );
  expect(lastAppliedLeft(await installObjects(namespace, CLUSTER_REFS))).toEqual([]);
  expect(await normalisedInstall(namespace, CLUSTER_REFS)).toEqual(reference);
  expect(await claimVolumes(namespace)).toEqual(before.volumes);
  expect(await fingerprintsOf(hostPathOf(before.pvs.mysql), hostPathOf(before.pvs.minio))).toEqual(
    before.seeded,
  );
}

describe("upgrading a KFP that another tool installed", () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  beforeAll(async () => {
    // A cluster where kfp-upgrade never marked KFP's cluster-scoped objects; they are put back in afterAll.
    restoreClusterObjects = await setAsideClusterObjects(CLUSTER_REFS);
    reference = await timed(`reference: kfp-upgrade deploy ${TO} on the default StorageClass`, async () => {
      const namespace = uniqueName("adopt-ref");
      const appDir = await tempAppDir((cleanup) => cleanups.push(cleanup));
      const deploy = await runCli(["deploy", "--tag", TO, "--manifests", SHARED_MANIFESTS, "-n", namespace], {
        appDir,
        timeoutMs: 400_000,
      });
      try {
        if (deploy.exitCode !== 0)
          throw new Error(`reference deploy exited ${deploy.exitCode}:\n${deploy.stderr}`);
        await waitForInstall(namespace);
        return await normalisedInstall(namespace, CLUSTER_REFS);
      } finally {
        await removeInstall(namespace);
      }
    });
    expect(Object.keys(reference)).toContain("Deployment/ml-pipeline");
  }, 500_000);

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    await restoreClusterObjects?.();
  }, 300_000);

  it("installed by kfp-upgrade itself (the comparison's control): upgraded, it equals the fresh install", async () => {
    await timed(`adopt control: kfp-upgrade ${FROM} -> upgrade ${TO}`, async () => {
      await deleteClusterObjects(CLUSTER_REFS);
      const namespace = testNamespace("adopt-own");
      const appDir = await tempAppDir();
      const deploy = await runCli(
        ["deploy", "--tag", FROM, "--manifests", SHARED_MANIFESTS, "-n", namespace],
        {
          appDir,
          timeoutMs: 400_000,
        },
      );
      expect(deploy.exitCode, deploy.stderr).toBe(0);
      const installed = await seedInstalled(namespace);
      const run = await upgrade(namespace, appDir);
      expect(run.exitCode, run.stderr).toBe(0);
      expect(await normalisedInstall(namespace, CLUSTER_REFS)).toEqual(reference);
      expect(await claimVolumes(namespace)).toEqual(installed.volumes);
    });
  }, 600_000);

  it.each<{ name: string; mode: KubectlApplyMode }>([
    { name: "kubectl apply -f (client-side)", mode: "client-side" },
    { name: "kubectl apply --server-side", mode: "server-side" },
  ])(
    "installed with $name: upgrades to 2.14.4 like a fresh install, same PVs and bytes",
    async ({ mode }) => {
      await timed(`adopt: ${mode} kubectl ${FROM} -> upgrade ${TO}`, async () => {
        await deleteClusterObjects(CLUSTER_REFS);
        const namespace = testNamespace(`adopt-${mode === "client-side" ? "csa" : "ssa"}`);
        await kubectlInstall(FROM, namespace, mode);
        const installed = await seedInstalled(namespace);
        if (mode === "client-side") {
          const objects = await installObjects(namespace, CLUSTER_REFS);
          expect(
            lastAppliedLeft(objects).length,
            "kubectl wrote its last-applied annotation",
          ).toBeGreaterThan(0);
        }
        const appDir = await tempAppDir();
        const run = await timed(`adopt: ${mode} upgrade`, () => upgrade(namespace, appDir));
        await expectUpgradedLikeFresh(run, namespace, installed);
      });
    },
    600_000,
  );

  it("installed with Helm 4: refused without --adopt (nothing changed), upgraded with it, and Helm forgets the release", async () => {
    await timed(`adopt: helm ${FROM} -> upgrade ${TO}`, async () => {
      await deleteClusterObjects(CLUSTER_REFS);
      const namespace = testNamespace("adopt-helm");
      const home = await helmInstall("kfp", FROM, namespace);
      expect((await helmList(namespace, home)).map((r) => [r.name, r.status])).toEqual([["kfp", "deployed"]]);
      const installed = await seedInstalled(namespace);
      const appDir = await tempAppDir();

      const before = await clusterState([namespace]);
      const refused = await upgrade(namespace, appDir);
      expectRefusedWith(refused, "HELM_MANAGED");
      expect(refused.stderr).toContain("kfp");
      expect(changedObjects(before, await clusterState([namespace]))).toEqual([]);

      const run = await timed("adopt: helm upgrade --adopt", () => upgrade(namespace, appDir, ["--adopt"]));
      expect(run.exitCode, run.stderr).toBe(0);
      expect(Object.values(stepKinds(run))).toEqual(
        expect.arrayContaining(["adoptObjects", "forgetHelmRelease"]),
      );
      expect(await helmList(namespace, home)).toEqual([]);
      const secrets = await kubectlJson<{ items: { metadata: { name: string } }[] }>([
        "get",
        "secrets",
        "-n",
        namespace,
      ]);
      expect(
        secrets.items.map((s) => s.metadata.name).filter((n) => n.startsWith("sh.helm.release.v1.")),
      ).toEqual([]);
      for (const claim of ["mysql-pv-claim", "minio-pvc"]) {
        const pvc = await kubectlJson<{ metadata: { annotations?: Record<string, string> } }>([
          "get",
          "pvc",
          claim,
          "-n",
          namespace,
        ]);
        expect(
          Object.keys(pvc.metadata.annotations ?? {}).filter((key) => key.startsWith("meta.helm.sh/")),
        ).toEqual([]);
      }
      await expectUpgradedLikeFresh(run, namespace, installed);
    });
  }, 600_000);

  it("labelled as an Argo CD Application's: refused, naming the Application, and nothing changed", async () => {
    await timed(`adopt: Argo CD-labelled ${FROM} refused`, async () => {
      await deleteClusterObjects(CLUSTER_REFS);
      const namespace = testNamespace("adopt-argo");
      const application = uniqueName("kfp-app");
      await kubectlInstall(FROM, namespace, "client-side", {
        labels: { "argocd.argoproj.io/instance": application },
      });
      const installed = await seedInstalled(namespace);
      const before = await clusterState([namespace]);
      const run = await upgrade(namespace, await tempAppDir());
      expectRefusedWith(run, "GITOPS_MANAGED");
      expect(run.stderr).toContain(application);
      expect(changedObjects(before, await clusterState([namespace]))).toEqual([]);
      expect(await imagesIn(namespace)).toEqual(bundleImages(FROM));
      expect(await fingerprintsOf(hostPathOf(installed.pvs.mysql), hostPathOf(installed.pvs.minio))).toEqual(
        installed.seeded,
      );
    });
  }, 600_000);

  it("a release object the API server rejects: the hop's server-side dry run refuses the upgrade before any change", async () => {
    await timed(`dry run: ${FROM} -> ${TO} with an invalid containerPort refused`, async () => {
      await deleteClusterObjects(CLUSTER_REFS);
      const manifests = derivedManifests({ [FROM]: "shared", [TO]: { objects: invalidPort("ml-pipeline") } });
      const kfp = await installKfp({ prefix: "dryrun", versions: [FROM], manifests });
      const before = await clusterState([kfp.namespace]);
      const run = await runCli(["upgrade", "--tag", TO, "--manifests", manifests, "-n", kfp.namespace], {
        appDir: kfp.appDir,
        timeoutMs: 400_000,
      });
      expectRefusedWith(run, "SERVER_DRY_RUN_REJECTED");
      expect(run.stderr).toContain("deployment/ml-pipeline");
      expect(run.stderr).toContain("99999");
      // The refused run is recorded in kfp-upgrade's run history; nothing else, of KFP or of the cluster, changed.
      const history = `ConfigMap/${kfp.namespace}/kfp-upgrade-history`;
      const changed = changedObjects(before, await clusterState([kfp.namespace]));
      expect(changed.filter((key) => key !== history)).toEqual([]);
      expect(await imagesIn(kfp.namespace)).toEqual(bundleImages(FROM));
    });
  }, 600_000);
});

/** Sets the first container port of Deployment `name` to 99999 (valid YAML, refused by the API server's validation). */
function invalidPort(name: string): (object: BundleObject) => void {
  return (object) => {
    if (object.kind !== "Deployment" || object.metadata?.name !== name) return;
    const template = object.spec?.template as
      | { spec?: { containers?: { ports?: { containerPort: number }[] }[] } }
      | undefined;
    const port = template?.spec?.containers?.[0]?.ports?.[0];
    if (!port) throw new Error(`deployment/${name} declares no container port`);
    port.containerPort = 99999;
  };
}

/** Deletes the install's namespace (waited for), then the PVs its claims were bound to, and their directories. */
async function removeInstall(namespace: string): Promise<void> {
  await deleteNamespaceAndWait(namespace);
  const pvs = await kubectlJson<{ items: Pv[] }>(["get", "persistentvolumes"]);
  for (const pv of pvs.items.filter((item) => item.spec.claimRef?.namespace === namespace)) {
    await kubectl(["delete", "persistentvolume", pv.metadata.name, "--ignore-not-found"]);
    const dir = pv.spec.hostPath?.path;
    if (dir?.startsWith("/tmp/")) await rm(dir, { recursive: true, force: true });
  }
}

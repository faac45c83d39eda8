import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appDir } from "../support/app-dir.js";
import { changedObjects, clusterState } from "../support/cluster-state.js";
import { eventually, kubectl, kubectlJson } from "../support/e2e-cluster.js";
import { type GcloudStandIn, startGcloudStandIn } from "../support/gcloud-stand-in.js";
import {
  boundVolume,
  deleteNamespaceAndWait,
  getVolume,
  type Pv,
  resultBindings,
  testNamespace,
  timed,
  unavailableDeployments,
} from "../support/kfp-install.js";
import { runCli, SHARED_MANIFESTS } from "../support/run-cli.js";

// Issue 11, part A: the REAL gcloud (through a throwaway CLOUDSDK_CONFIG whose api_endpoint_overrides point at the
// stand-in on 127.0.0.1, inside the loopback-only network namespace) answers what the disks are; kfp-upgrade wraps
// them in PVs. kwok pods never mount a GCP disk: the PVs are bound, and that is what this asserts.

const VERSION = "2.14.4";
const PROJECT = "kfp-e2e-project";
const ZONE = "us-central1-a";

let standIn: GcloudStandIn;
let gcloudEnv: Record<string, string>;
let nodeNames: string[];

beforeAll(async () => {
  standIn = await startGcloudStandIn({ project: PROJECT });
  gcloudEnv = { CLOUDSDK_CONFIG: await standIn.configDir() };
  const nodes = await kubectlJson<{ items: { metadata: { name: string } }[] }>(["get", "nodes"]);
  nodeNames = nodes.items.map((node) => node.metadata.name);
  // GKE labels every node with its zone; the kwok nodes get the same label.
  await kubectl(["label", "nodes", "--all", `topology.kubernetes.io/zone=${ZONE}`, "--overwrite"]);
}, 120_000);
afterAll(() => standIn?.close());

function gcpAppDir(namespace: string): string {
  return appDir({
    "kfp-app.yaml": [
      "apiVersion: kfp-upgrade/v1",
      "kind: KfpApp",
      `namespace: ${namespace}`,
      "platform:",
      "  type: gcp",
      `  project: ${PROJECT}`,
      `  zone: ${ZONE}`,
      "",
    ].join("\n"),
  });
}

async function volumesOfDisk(disk: string): Promise<string[]> {
  const pvs = await kubectlJson<{ items: (Pv & { spec: { gcePersistentDisk?: { pdName: string } } })[] }>([
    "get",
    "persistentvolumes",
  ]);
  return pvs.items.filter((pv) => pv.spec.gcePersistentDisk?.pdName === disk).map((pv) => pv.metadata.name);
}

describe("GCP persistent disks with the real gcloud", () => {
  it("deploy --mysql-pd/--minio-pd, delete the namespace, reinstall: the claims bind to PVs of the same disks, no second PV", async () => {
    await timed("gcp disks round trip", async () => {
      const namespace = testNamespace("gcp");
      const mysqlDisk = `${namespace}-storage-metadata-store`;
      const minioDisk = `${namespace}-storage-artifact-store`;
      standIn.addDisk({ name: mysqlDisk, zone: ZONE, sizeGb: 20, users: nodeNames.slice(0, 1) });
      standIn.addDisk({ name: minioDisk, zone: ZONE, sizeGb: 200 });
      const dir = gcpAppDir(namespace);
      standIn.requests.length = 0;

      const deploy = await timed("gcp: deploy", () =>
        runCli(
          [
            "deploy",
            "--tag",
            VERSION,
            "--manifests",
            SHARED_MANIFESTS,
            "--mysql-pd",
            mysqlDisk,
            "--minio-pd",
            minioDisk,
          ],
          { appDir: dir, env: gcloudEnv },
        ),
      );
      expect(deploy.exitCode, deploy.stderr).toBe(0);
      expect(standIn.requestLines()).toEqual([
        `GET /compute/v1/projects/${PROJECT}/zones/${ZONE}/disks/${mysqlDisk}`,
        `GET /compute/v1/projects/${PROJECT}/zones/${ZONE}/disks/${minioDisk}`,
      ]);
      const mysql = await boundVolume(namespace, "mysql-pv-claim");
      const minio = await boundVolume(namespace, "minio-pvc");
      const diskOf = (pv: Pv) =>
        (pv.spec as { gcePersistentDisk?: { pdName: string } }).gcePersistentDisk?.pdName;
      expect([diskOf(mysql.pv), diskOf(minio.pv)]).toEqual([mysqlDisk, minioDisk]);
      expect(mysql.pv.spec.persistentVolumeReclaimPolicy).toBe("Retain");
      // The PV is declared at the disk's size, and pinned to the disk's zone.
      expect(minio.pv.spec.capacity?.storage).toBe("200Gi");
      expect((minio.pv.spec as { nodeAffinity?: unknown }).nodeAffinity).toEqual({
        required: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: "topology.kubernetes.io/zone", operator: "In", values: [ZONE] }] },
          ],
        },
      });

      await timed("gcp: delete the namespace", () => deleteNamespaceAndWait(namespace));
      for (const { pv } of [mysql, minio]) {
        await eventually(`persistentvolume/${pv.metadata.name} Released`, async () =>
          (await getVolume(pv.metadata.name)).status.phase === "Released" ? true : undefined,
        );
      }

      standIn.requests.length = 0;
      const reinstall = await timed("gcp: reinstall", () =>
        runCli(["reinstall"], { appDir: dir, env: gcloudEnv }),
      );
      expect(reinstall.exitCode, reinstall.stderr).toBe(0);
      expect(standIn.requestLines()).toEqual([
        `GET /compute/v1/projects/${PROJECT}/zones/${ZONE}/disks/${mysqlDisk}`,
        `GET /compute/v1/projects/${PROJECT}/zones/${ZONE}/disks/${minioDisk}`,
      ]);
      expect(resultBindings(reinstall)).toEqual({
        "mysql-pv-claim": mysql.pv.metadata.uid,
        "minio-pvc": minio.pv.metadata.uid,
      });
      for (const before of [mysql, minio]) {
        const after = await boundVolume(namespace, before.claim.metadata.name);
        expect(after.pv.metadata.uid).toBe(before.pv.metadata.uid);
        expect(diskOf(after.pv)).toBe(diskOf(before.pv));
      }
      expect(await volumesOfDisk(mysqlDisk)).toEqual([mysql.pv.metadata.name]);
      expect(await volumesOfDisk(minioDisk)).toEqual([minio.pv.metadata.name]);
      expect(await unavailableDeployments(namespace)).toEqual([]);
    });
  }, 600_000);

  it("reinstall re-attaches a kfctl-era PV (mysql-pv) found by its disk, not by name", async () => {
    await timed("gcp kfctl-era PV", async () => {
      const namespace = testNamespace("gcp-kfctl");
      const mysqlDisk = `${namespace}-storage-metadata-store`;
      const minioDisk = `${namespace}-storage-artifact-store`;
      standIn.addDisk({ name: mysqlDisk, zone: ZONE, sizeGb: 20 });
      standIn.addDisk({ name: minioDisk, zone: ZONE, sizeGb: 200 });
      // What the ksonnet storage.libsonnet created: PVs named mysql-pv / minio-pv (here suffixed, the cluster is
      // shared), Released after the namespace went.
      const kfctlPv = (name: string, disk: string, claim: string) => ({
        apiVersion: "v1",
        kind: "PersistentVolume",
        metadata: { name },
        spec: {
          capacity: { storage: "20Gi" },
          accessModes: ["ReadWriteOnce"],
          persistentVolumeReclaimPolicy: "Retain",
          storageClassName: "",
          gcePersistentDisk: { pdName: disk, fsType: "ext4" },
          claimRef: {
            apiVersion: "v1",
            kind: "PersistentVolumeClaim",
            namespace,
            name: claim,
            uid: "0000-old",
          },
        },
      });
      const mysqlPv = `mysql-pv-${namespace}`;
      const minioPv = `minio-pv-${namespace}`;
      await kubectl(["apply", "-f", "-"], {
        input: JSON.stringify({
          apiVersion: "v1",
          kind: "List",
          items: [kfctlPv(mysqlPv, mysqlDisk, "mysql-pv-claim"), kfctlPv(minioPv, minioDisk, "minio-pvc")],
        }),
      });
      for (const pv of [mysqlPv, minioPv]) {
        await eventually(`persistentvolume/${pv} Released`, async () =>
          (await getVolume(pv)).status.phase === "Released" ? true : undefined,
        );
      }
      const dir = gcpAppDir(namespace);
      const reinstall = await timed("gcp kfctl-era: reinstall", () =>
        runCli(
          [
            "reinstall",
            "--tag",
            VERSION,
            "--manifests",
            SHARED_MANIFESTS,
            "--mysql-pd",
            mysqlDisk,
            "--minio-pd",
            minioDisk,
          ],
          { appDir: dir, env: gcloudEnv },
        ),
      );
      expect(reinstall.exitCode, reinstall.stderr).toBe(0);
      expect((await boundVolume(namespace, "mysql-pv-claim")).pv.metadata.name).toBe(mysqlPv);
      expect((await boundVolume(namespace, "minio-pvc")).pv.metadata.name).toBe(minioPv);
      expect(await volumesOfDisk(mysqlDisk)).toEqual([mysqlPv]);
      expect(await volumesOfDisk(minioDisk)).toEqual([minioPv]);
    });
  }, 600_000);

  it("refuses a disk in another zone and a disk attached to a foreign instance before any change (exit 4)", async () => {
    const namespace = testNamespace("gcp-refused");
    const elsewhere = `${namespace}-elsewhere`;
    const attached = `${namespace}-attached`;
    standIn.addDisk({ name: elsewhere, zone: "europe-west1-b", sizeGb: 20 });
    standIn.addDisk({ name: attached, zone: ZONE, sizeGb: 200, users: ["old-cluster-node-7"] });
    const dir = gcpAppDir(namespace);
    const before = await clusterState([namespace]);
    const run = await runCli(
      [
        "deploy",
        "--tag",
        VERSION,
        "--manifests",
        SHARED_MANIFESTS,
        "--mysql-pd",
        elsewhere,
        "--minio-pd",
        attached,
      ],
      { appDir: dir, env: gcloudEnv, machine: false },
    );
    expect(run.exitCode, run.stderr).toBe(4);
    expect(run.stderr).toContain(
      `GCP disk "${elsewhere}" is in zone europe-west1-b, but this cluster's nodes are in ${ZONE}: a pod there cannot attach it (\`gcloud compute disks describe ${elsewhere} --zone europe-west1-b --project ${PROJECT}\`)`,
    );
    expect(run.stderr).toContain(`GCP disk "${attached}" is attached to instance "old-cluster-node-7"`);
    expect(changedObjects(before, await clusterState([namespace]))).toEqual([]);
  }, 300_000);

  it("gcloud's permission denied stops the run before any change (exit 10), naming the command to run", async () => {
    const namespace = testNamespace("gcp-denied");
    const disk = `${namespace}-denied`;
    standIn.fail({ path: new RegExp(`/disks/${disk}$`), kind: "permission" });
    const dir = gcpAppDir(namespace);
    const before = await clusterState([namespace]);
    const run = await runCli(
      ["deploy", "--tag", VERSION, "--manifests", SHARED_MANIFESTS, "--mysql-pd", disk, "--minio-pd", disk],
      { appDir: dir, env: gcloudEnv, machine: false },
    );
    expect(run.exitCode, run.stderr).toBe(10);
    expect(run.stderr).toContain(
      `the gcloud account may not read this in project ${PROJECT}; nothing was changed`,
    );
    expect(run.stderr).toContain(`gcloud projects get-iam-policy ${PROJECT}`);
    expect(run.stderr).not.toContain("ERROR: (gcloud");
    expect(changedObjects(before, await clusterState([namespace]))).toEqual([]);
  }, 300_000);

  it("--gcp-deployment finds both disks in NAME-storage; the dry-run plan names them and warns about the delete policy", async () => {
    const namespace = testNamespace("gcp-dm");
    const deployment = `${namespace}-kf`;
    const mysqlDisk = `${deployment}-storage-metadata-store`;
    const minioDisk = `${deployment}-storage-artifact-store`;
    standIn.addDeployment({
      name: `${deployment}-storage`,
      resources: [
        { name: mysqlDisk, type: "compute.v1.disk", properties: `zone: ${ZONE}\nsizeGb: 20\n` },
        { name: minioDisk, type: "compute.v1.disk", properties: `zone: ${ZONE}\nsizeGb: 200\n` },
      ],
    });
    standIn.addDisk({ name: mysqlDisk, zone: ZONE, sizeGb: 20 });
    standIn.addDisk({ name: minioDisk, zone: ZONE, sizeGb: 200 });
    const dir = gcpAppDir(namespace);
    const before = await clusterState([namespace]);
    standIn.requests.length = 0;
    const run = await runCli(
      [
        "deploy",
        "--dry-run",
        "--tag",
        VERSION,
        "--manifests",
        SHARED_MANIFESTS,
        "--gcp-deployment",
        deployment,
      ],
      { appDir: dir, env: gcloudEnv },
    );
    expect(run.exitCode, run.stderr).toBe(0);
    expect(standIn.requestLines()).toEqual([
      `GET /deploymentmanager/v2/projects/${PROJECT}/global/deployments/${deployment}-storage`,
      `GET /deploymentmanager/v2/projects/${PROJECT}/global/deployments/${deployment}-storage/resources`,
      `GET /compute/v1/projects/${PROJECT}/zones/${ZONE}/disks/${mysqlDisk}`,
      `GET /compute/v1/projects/${PROJECT}/zones/${ZONE}/disks/${minioDisk}`,
    ]);
    const plan = run.json as { storage: { claim: string; detail: string }[]; warnings: string[] };
    expect(plan.storage.map((entry) => [entry.claim, entry.detail])).toEqual([
      [
        "mysql-pv-claim",
        `GCP disk ${mysqlDisk} as PV ${namespace}-mysql-pv-claim (in-tree gcePersistentDisk)`,
      ],
      ["minio-pvc", `GCP disk ${minioDisk} as PV ${namespace}-minio-pvc (in-tree gcePersistentDisk)`],
    ]);
    expect(plan.warnings).toContainEqual(
      expect.stringContaining(
        `are resources of Deployment Manager deployment "${deployment}-storage": re-applying that deployment without them`,
      ),
    );
    expect(changedObjects(before, await clusterState([namespace]))).toEqual([]);
  }, 300_000);

  it("gcloud with no active account stops the run before any change (exit 10, GCLOUD_NOT_LOGGED_IN)", async () => {
    const namespace = testNamespace("gcp-nologin");
    const dir = gcpAppDir(namespace);
    const before = await clusterState([namespace]);
    standIn.requests.length = 0;
    const run = await runCli(
      ["deploy", "--tag", VERSION, "--manifests", SHARED_MANIFESTS, "--mysql-pd", "a", "--minio-pd", "b"],
      {
        appDir: dir,
        env: { CLOUDSDK_CONFIG: await standIn.configDir({ disableCredentials: false }) },
        machine: false,
      },
    );
    expect(run.exitCode, run.stderr).toBe(10);
    expect(run.stderr).toContain(
      "gcloud has no active account (`gcloud auth list` is empty); nothing was changed",
    );
    expect(run.stderr).toContain("gcloud auth login");
    expect(standIn.requests).toEqual([]);
    expect(changedObjects(before, await clusterState([namespace]))).toEqual([]);
  }, 300_000);
});

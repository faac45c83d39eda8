import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { KfpApp } from "../../../src/app/kfp-app.js";
import { defaultApp } from "../../../src/app/kfp-app.js";
import { readGcpDisks } from "../../../src/cli/read-gcp-disks.js";
import { appDir, appDirFromFixture } from "../../support/app-dir.js";
import { FakeKubeClient } from "../../support/fake-kube-client.js";
import { type GcloudStandIn, startGcloudStandIn } from "../../support/gcloud-stand-in.js";

const GIB = 1024 ** 3;
let standIn: GcloudStandIn;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  standIn = await startGcloudStandIn({ project: "my-kf-project" });
  env = { PATH: process.env.PATH, CLOUDSDK_CONFIG: await standIn.configDir() };
  standIn.addDeployment({
    name: "kf-demo-storage",
    resources: [
      { name: "kf-demo-storage-metadata-store", type: "compute.v1.disk", properties: "zone: us-east1-d\n" },
      { name: "kf-demo-storage-artifact-store", type: "compute.v1.disk", properties: "zone: us-east1-d\n" },
    ],
  });
  standIn.addDisk({ name: "kf-demo-storage-metadata-store", zone: "us-east1-d", sizeGb: 20 });
  standIn.addDisk({
    name: "kf-demo-storage-artifact-store",
    zone: "us-east1-d",
    sizeGb: 200,
    users: ["gke-n1"],
  });
}, 60_000);
afterAll(() => standIn.close());
beforeEach(() => {
  standIn.requests.length = 0;
});

function gcpApp(storage: Partial<KfpApp["storage"]> = {}): KfpApp {
  return {
    ...defaultApp(),
    platform: { type: "gcp", project: "my-kf-project", zone: "us-east1-d" },
    storage: { mysql: {}, objectStore: {}, ...storage },
  };
}

function cluster(): FakeKubeClient {
  return new FakeKubeClient().seed([
    {
      apiVersion: "v1",
      kind: "Node",
      metadata: { name: "gke-n1", labels: { "topology.kubernetes.io/zone": "us-east1-d" } },
    },
    { apiVersion: "v1", kind: "Node", metadata: { name: "gke-n2" } },
  ]);
}

describe("readGcpDisks", () => {
  it("asks nothing when the platform is not gcp", async () => {
    const read = await readGcpDisks({
      app: defaultApp(),
      appDir: appDir(),
      gcpDeployment: "kf-demo",
      client: cluster(),
      env,
    });
    expect(read.findings).toBeUndefined();
    expect(standIn.requests).toEqual([]);
  });

  it("--gcp-deployment fills both disks from Deployment Manager, then describes each, in that order", async () => {
    const read = await readGcpDisks({
      app: gcpApp(),
      appDir: appDir(),
      gcpDeployment: "kf-demo",
      client: cluster(),
      env,
    });
    expect(read.app.storage).toEqual({
      mysql: { gcpDisk: "kf-demo-storage-metadata-store" },
      objectStore: { gcpDisk: "kf-demo-storage-artifact-store" },
    });
    expect(read.findings?.nodes).toEqual([
      { name: "gke-n1", zone: "us-east1-d" },
      { name: "gke-n2", zone: null },
    ]);
    expect(read.findings?.disks.map((d) => [d.role, d.disk, d.state?.sizeBytes, d.state?.users])).toEqual([
      ["mysql", "kf-demo-storage-metadata-store", 20 * GIB, []],
      ["objectStore", "kf-demo-storage-artifact-store", 200 * GIB, ["gke-n1"]],
    ]);
    expect(read.warnings).toEqual([expect.stringContaining("deletes them under the default delete policy")]);
    expect(standIn.requestLines()).toEqual([
      "GET /deploymentmanager/v2/projects/my-kf-project/global/deployments/kf-demo-storage",
      "GET /deploymentmanager/v2/projects/my-kf-project/global/deployments/kf-demo-storage/resources",
      "GET /compute/v1/projects/my-kf-project/zones/us-east1-d/disks/kf-demo-storage-metadata-store",
      "GET /compute/v1/projects/my-kf-project/zones/us-east1-d/disks/kf-demo-storage-artifact-store",
    ]);
  });

  it("a legacy ksonnet GCP KFAPP's env.sh DEPLOYMENT_NAME names the storage deployment", async () => {
    const read = await readGcpDisks({
      app: gcpApp({
        mysql: { gcpDisk: "kf-demo-storage-metadata-store" },
        objectStore: { gcpDisk: "kf-demo-storage-artifact-store" },
      }),
      appDir: appDirFromFixture("ksonnet-kfapp-gcp"),
      gcpDeployment: undefined,
      client: cluster(),
      env,
    });
    expect(read.warnings).toEqual([
      expect.stringContaining('Deployment Manager deployment "kf-demo-storage"'),
    ]);
    expect(standIn.requestLines()[0]).toBe(
      "GET /deploymentmanager/v2/projects/my-kf-project/global/deployments/kf-demo-storage",
    );
  });

  it("a legacy GCP KFAPP whose volumes are on named PVs asks gcloud nothing", async () => {
    const read = await readGcpDisks({
      app: gcpApp({ mysql: { pvName: "mysql-pv" }, objectStore: { pvName: "minio-pv" } }),
      appDir: appDirFromFixture("ksonnet-kfapp-gcp"),
      gcpDeployment: undefined,
      client: cluster(),
      env: { PATH: process.env.PATH, KFP_UPGRADE_GCLOUD: "/nonexistent/gcloud" },
    });
    expect(read.findings).toBeUndefined();
    expect(read.warnings).toEqual([]);
  });

  it("a missing disk is a finding with no state (the plan refuses it), not an error", async () => {
    const read = await readGcpDisks({
      app: gcpApp({ mysql: { gcpDisk: "gone" } }),
      appDir: appDir(),
      gcpDeployment: undefined,
      client: cluster(),
      env,
    });
    expect(read.findings?.disks).toEqual([
      {
        role: "mysql",
        disk: "gone",
        project: "my-kf-project",
        zone: "us-east1-d",
        state: null,
        showCommand: "gcloud compute disks list --project my-kf-project --filter=name=gone",
      },
    ]);
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GcpError } from "../../../src/errors.js";
import { createGcloud } from "../../../src/gcp/gcloud.js";
import { findStorageDeploymentDisks } from "../../../src/gcp/storage-deployment.js";
import { type GcloudStandIn, startGcloudStandIn } from "../../support/gcloud-stand-in.js";

let standIn: GcloudStandIn;
let configDir: string;

beforeAll(async () => {
  standIn = await startGcloudStandIn({ project: "kf-proj" });
  configDir = await standIn.configDir();
  // The resources storage.jinja declared for a kfctl.sh deployment named "kf".
  standIn.addDeployment({
    name: "kf-storage",
    resources: [
      {
        name: "kf-storage-metadata-store",
        type: "compute.v1.disk",
        properties: "zone: us-east1-d\nsizeGb: 10\n",
      },
      {
        name: "kf-storage-artifact-store",
        type: "compute.v1.disk",
        properties: "zone: us-east1-d\nsizeGb: 200\n",
      },
    ],
  });
  standIn.addDeployment({
    name: "half-storage",
    resources: [{ name: "half-storage-metadata-store", type: "compute.v1.disk" }],
  });
}, 60_000);
afterAll(() => standIn.close());
beforeEach(() => {
  standIn.requests.length = 0;
});

const gcloud = () =>
  createGcloud({ project: "kf-proj", env: { PATH: process.env.PATH, CLOUDSDK_CONFIG: configDir } });

describe("findStorageDeploymentDisks with the real gcloud", () => {
  it("finds both disks among the resources of <name>-storage, with their zone and the delete-policy warning", async () => {
    const found = await findStorageDeploymentDisks(gcloud(), "kf");
    expect(found).toMatchObject({
      deployment: "kf-storage",
      disks: { mysql: "kf-storage-metadata-store", objectStore: "kf-storage-artifact-store" },
      zone: "us-east1-d",
    });
    expect(found.warning).toContain("deletes them under the default delete policy");
    expect(found.warning).toContain("--delete-policy=ABANDON");
    expect(standIn.requestLines()).toEqual([
      "GET /deploymentmanager/v2/projects/kf-proj/global/deployments/kf-storage",
      "GET /deploymentmanager/v2/projects/kf-proj/global/deployments/kf-storage/resources",
    ]);
  });

  it("a deployment without one of the disks is refused, naming what it has", async () => {
    const error = await findStorageDeploymentDisks(gcloud(), "half").then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GcpError);
    expect(error).toMatchObject({
      code: "GCP_STORAGE_DEPLOYMENT_INCOMPLETE",
      exitCode: 10,
      details: ["its disk resources: half-storage-metadata-store"],
    });
    expect((error as GcpError).message).toContain('no disk resource "half-storage-artifact-store"');
  });

  it("a missing deployment is GCP_STORAGE_DEPLOYMENT_MISSING, naming `deployments list`", async () => {
    const error = await findStorageDeploymentDisks(gcloud(), "gone").then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: "GCP_STORAGE_DEPLOYMENT_MISSING" });
    expect((error as GcpError).hint).toContain(
      "gcloud deployment-manager deployments list --project kf-proj",
    );
  });

  it("the Deployment Manager API disabled is GCP_API_DISABLED for deploymentmanager.googleapis.com", async () => {
    standIn.fail({ path: /deployments\/kf-storage$/, kind: "apiDisabled", times: 1 });
    const error = await findStorageDeploymentDisks(gcloud(), "kf").then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: "GCP_API_DISABLED" });
    expect((error as GcpError).hint).toContain(
      "gcloud services enable deploymentmanager.googleapis.com --project kf-proj",
    );
  });
});

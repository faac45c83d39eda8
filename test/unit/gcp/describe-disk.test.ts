import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { describeDisk } from "../../../src/gcp/describe-disk.js";
import { createGcloud } from "../../../src/gcp/gcloud.js";
import { type GcloudStandIn, startGcloudStandIn } from "../../support/gcloud-stand-in.js";

const GIB = 1024 ** 3;
let standIn: GcloudStandIn;
let configDir: string;

beforeAll(async () => {
  standIn = await startGcloudStandIn({ project: "kf-proj" });
  configDir = await standIn.configDir();
  standIn.addDisk({
    name: "kf-storage-metadata-store",
    zone: "us-central1-a",
    sizeGb: 10,
    users: ["gke-node-1"],
  });
  standIn.addDisk({
    name: "regional-disk",
    region: "us-central1",
    replicaZones: ["us-central1-a", "us-central1-b"],
    sizeGb: 200,
  });
  standIn.addDisk({ name: "moved-disk", zone: "europe-west1-b", sizeGb: 20 });
}, 60_000);
afterAll(() => standIn.close());
beforeEach(() => {
  standIn.requests.length = 0;
});

const gcloud = () =>
  createGcloud({ project: "kf-proj", env: { PATH: process.env.PATH, CLOUDSDK_CONFIG: configDir } });

describe("describeDisk with the real gcloud", () => {
  it("reads a zonal disk: zone, size and the instances it is attached to", async () => {
    const described = await describeDisk(gcloud(), "kf-storage-metadata-store", "us-central1-a");
    expect(described).toEqual({
      state: {
        name: "kf-storage-metadata-store",
        project: "kf-proj",
        zone: "us-central1-a",
        region: null,
        replicaZones: [],
        sizeBytes: 10 * GIB,
        users: ["gke-node-1"],
        status: "READY",
      },
      showCommand:
        "gcloud compute disks describe kf-storage-metadata-store --zone us-central1-a --project kf-proj",
    });
    expect(standIn.requestLines()).toEqual([
      "GET /compute/v1/projects/kf-proj/zones/us-central1-a/disks/kf-storage-metadata-store",
    ]);
  });

  it("finds a disk in another zone through `disks list`, with the command that shows it there", async () => {
    const described = await describeDisk(gcloud(), "moved-disk", "us-central1-a");
    expect(described.state).toMatchObject({ zone: "europe-west1-b", region: null, sizeBytes: 20 * GIB });
    expect(described.showCommand).toBe(
      "gcloud compute disks describe moved-disk --zone europe-west1-b --project kf-proj",
    );
    expect(standIn.requestLines()).toEqual([
      "GET /compute/v1/projects/kf-proj/zones/us-central1-a/disks/moved-disk",
      "GET /compute/v1/projects/kf-proj/aggregated/disks",
    ]);
  });

  it("finds a regional disk through `disks list`", async () => {
    const described = await describeDisk(gcloud(), "regional-disk", "us-central1-a");
    expect(described.state).toMatchObject({
      zone: null,
      region: "us-central1",
      replicaZones: ["us-central1-a", "us-central1-b"],
      sizeBytes: 200 * GIB,
      users: [],
    });
    expect(described.showCommand).toBe(
      "gcloud compute disks describe regional-disk --region us-central1 --project kf-proj",
    );
    expect(standIn.requestLines()).toEqual([
      "GET /compute/v1/projects/kf-proj/zones/us-central1-a/disks/regional-disk",
      "GET /compute/v1/projects/kf-proj/aggregated/disks",
    ]);
  });

  it("reports a missing disk as no state, with the command that lists disks by name", async () => {
    const described = await describeDisk(gcloud(), "no-such-disk", "us-central1-a");
    expect(described).toEqual({
      state: null,
      showCommand: "gcloud compute disks list --project kf-proj --filter=name=no-such-disk",
    });
    expect(standIn.requestLines()).toEqual([
      "GET /compute/v1/projects/kf-proj/zones/us-central1-a/disks/no-such-disk",
      "GET /compute/v1/projects/kf-proj/aggregated/disks",
    ]);
  });
});

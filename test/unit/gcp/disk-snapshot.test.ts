import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GcpError } from "../../../src/errors.js";
import {
  createSnapshot,
  describeSnapshot,
  snapshotSource,
  waitForSnapshotReady,
} from "../../../src/gcp/disk-snapshot.js";
import { createGcloud } from "../../../src/gcp/gcloud.js";
import { type GcloudStandIn, startGcloudStandIn } from "../../support/gcloud-stand-in.js";

let standIn: GcloudStandIn;
let configDir: string;

beforeAll(async () => {
  standIn = await startGcloudStandIn({ project: "kf-proj", snapshotReadyAfterGets: 2 });
  configDir = await standIn.configDir();
  standIn.addDisk({ name: "kf-storage-metadata-store", zone: "us-central1-a", sizeGb: 10 });
  standIn.addDisk({
    name: "regional-disk",
    region: "us-central1",
    replicaZones: ["us-central1-a", "us-central1-b"],
    sizeGb: 200,
  });
}, 60_000);
afterAll(() => standIn.close());
beforeEach(() => {
  standIn.requests.length = 0;
});

const gcloud = () =>
  createGcloud({ project: "kf-proj", env: { PATH: process.env.PATH, CLOUDSDK_CONFIG: configDir } });
const COMPUTE = "/compute/v1/projects/kf-proj";

describe("GCP disk snapshots with the real gcloud", () => {
  it("creates a snapshot of a zonal disk (snapshots.insert, then the global operation) and waits until READY", async () => {
    await createSnapshot(gcloud(), "snap-zonal", {
      disk: "kf-storage-metadata-store",
      zone: "us-central1-a",
      region: null,
    });
    const post = standIn.requests[0];
    expect(post).toMatchObject({ method: "POST", path: `${COMPUTE}/global/snapshots` });
    expect(post?.body).toMatchObject({
      name: "snap-zonal",
      sourceDisk: expect.stringMatching(
        /\/compute\/v1\/projects\/kf-proj\/zones\/us-central1-a\/disks\/kf-storage-metadata-store$/,
      ),
    });
    const progressed: string[] = [];
    const waited = await waitForSnapshotReady(gcloud(), "snap-zonal", {
      timeoutSeconds: 60,
      signal: new AbortController().signal,
      onProgress: (status) => progressed.push(status),
      intervalMs: 10,
    });
    expect(waited).toMatchObject({
      ok: true,
      timedOut: false,
      snapshot: { status: "READY", diskSizeGb: "10" },
    });
    expect(snapshotSource(waited.snapshot ?? { name: "", status: "" })).toEqual({
      disk: "kf-storage-metadata-store",
      zone: "us-central1-a",
      region: null,
    });
    // gcloud's create waits on the operation and reads the snapshot once (CREATING); the wait reads it until READY.
    expect(standIn.requestLines().filter((line) => !line.includes("/operations/"))).toEqual([
      `POST ${COMPUTE}/global/snapshots`,
      `GET ${COMPUTE}/global/snapshots/snap-zonal`,
      `GET ${COMPUTE}/global/snapshots/snap-zonal`,
      `GET ${COMPUTE}/global/snapshots/snap-zonal`,
    ]);
    expect(standIn.requestLines().some((line) => line.includes("/global/operations/"))).toBe(true);
    expect(progressed).toEqual(["status CREATING"]);
  });

  it("names a regional disk by its region (--source-disk-region)", async () => {
    await createSnapshot(gcloud(), "snap-regional", {
      disk: "regional-disk",
      zone: null,
      region: "us-central1",
    });
    expect(standIn.requests[0]?.body).toMatchObject({
      sourceDisk: expect.stringMatching(/\/regions\/us-central1\/disks\/regional-disk$/),
    });
    const described = await describeSnapshot(gcloud(), "snap-regional");
    expect(described && snapshotSource(described)).toEqual({
      disk: "regional-disk",
      zone: null,
      region: "us-central1",
    });
  });

  it("describes a missing snapshot as null", async () => {
    expect(await describeSnapshot(gcloud(), "no-such-snapshot")).toBeNull();
    expect(standIn.requestLines()).toEqual([`GET ${COMPUTE}/global/snapshots/no-such-snapshot`]);
  });

  it("a quota error (429) is a GcpError, exit 10, naming the gcloud command; no snapshot exists", async () => {
    standIn.fail({ method: "POST", path: /\/global\/snapshots$/, kind: "quota", times: 1 });
    const error = await createSnapshot(gcloud(), "snap-quota", {
      disk: "kf-storage-metadata-store",
      zone: "us-central1-a",
      region: null,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GcpError);
    expect(error).toMatchObject({
      code: "GCP_QUOTA",
      exitCode: 10,
      command:
        "gcloud compute snapshots create snap-quota --source-disk kf-storage-metadata-store --source-disk-zone us-central1-a --project kf-proj --format=json",
    });
    expect((error as GcpError).message).toBe(
      "a GCP quota or rate limit of project kf-proj stopped the snapshot of disk kf-storage-metadata-store; nothing was changed",
    );
    expect((error as GcpError).hint).toContain("gcloud compute project-info describe --project kf-proj");
    expect(standIn.requestLines()).toEqual([`POST ${COMPUTE}/global/snapshots`]);
    expect(standIn.snapshot("snap-quota")).toBeUndefined();
  });

  it("permission denied (403) says which permissions create snapshots", async () => {
    standIn.fail({ method: "POST", path: /\/global\/snapshots$/, kind: "permission", times: 1 });
    const error = await createSnapshot(gcloud(), "snap-denied", {
      disk: "kf-storage-metadata-store",
      zone: "us-central1-a",
      region: null,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GcpError);
    expect(error).toMatchObject({ code: "GCP_PERMISSION_DENIED", exitCode: 10 });
    const { message, hint, details } = error as GcpError;
    expect(message).toBe(
      "the gcloud account may not create snapshots of disk kf-storage-metadata-store in project kf-proj; nothing was changed",
    );
    expect(hint).toContain("roles/compute.storageAdmin");
    expect(details.join(" ")).toContain("compute.snapshots.create");
    expect(standIn.snapshot("snap-denied")).toBeUndefined();
  });

  it("stops waiting at the timeout while the snapshot is still CREATING", async () => {
    standIn.addSnapshot({
      name: "snap-slow",
      sourceDisk:
        "https://www.googleapis.com/compute/v1/projects/kf-proj/zones/us-central1-a/disks/kf-storage-metadata-store",
      diskSizeGb: 10,
      status: "CREATING",
    });
    let clock = 0;
    const waited = await waitForSnapshotReady(gcloud(), "snap-slow", {
      timeoutSeconds: 1,
      signal: new AbortController().signal,
      onProgress: () => {},
      intervalMs: 1,
      now: () => {
        clock += 1000;
        return clock;
      },
    });
    expect(waited).toMatchObject({ ok: false, timedOut: true, snapshot: { status: "CREATING" } });
  });
});

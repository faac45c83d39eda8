import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GcloudStandIn, startGcloudStandIn } from "../../support/gcloud-stand-in.js";

// The stand-in itself, driven by the real gcloud: a write is an operation that goes PENDING -> RUNNING -> DONE,
// and the disk exists only once it is DONE (gcloud waits for it, as against the real API).

const run = promisify(execFile);
let standIn: GcloudStandIn;
let configDir: string;

beforeAll(async () => {
  standIn = await startGcloudStandIn({ project: "kf-proj" });
  configDir = await standIn.configDir();
}, 60_000);
afterAll(() => standIn.close());

describe("gcloud stand-in", () => {
  it("creates a disk through an operation gcloud waits for until DONE, then reads it", async () => {
    const { stdout } = await run(
      "gcloud",
      [
        "compute",
        "disks",
        "create",
        "new-disk",
        "--zone",
        "us-central1-a",
        "--size",
        "200GB",
        "--format=json",
      ],
      { env: { PATH: process.env.PATH, CLOUDSDK_CONFIG: configDir } },
    );
    expect(JSON.parse(stdout)).toEqual([
      expect.objectContaining({ name: "new-disk", sizeGb: "200", status: "READY" }),
    ]);
    const lines = standIn.requestLines();
    expect(lines.filter((line) => line.includes("/disks") || line.includes("/operations"))).toEqual([
      "POST /compute/v1/projects/kf-proj/zones/us-central1-a/disks",
      "POST /compute/v1/projects/kf-proj/zones/us-central1-a/operations/operation-1/wait",
      "POST /compute/v1/projects/kf-proj/zones/us-central1-a/operations/operation-1/wait",
      "GET /compute/v1/projects/kf-proj/zones/us-central1-a/disks/new-disk",
    ]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GcpError } from "../../../src/errors.js";
import { ensureGcloudReady } from "../../../src/gcp/ensure-gcloud-ready.js";
import { createGcloud } from "../../../src/gcp/gcloud.js";
import { type GcloudStandIn, startGcloudStandIn } from "../../support/gcloud-stand-in.js";

let standIn: GcloudStandIn;

beforeAll(async () => {
  standIn = await startGcloudStandIn();
}, 60_000);
afterAll(() => standIn.close());

describe("ensureGcloudReady with the real gcloud", () => {
  it("accepts a configuration with auth/disable_credentials true (no account needed)", async () => {
    const configDir = await standIn.configDir();
    const gcloud = createGcloud({
      project: standIn.project,
      env: { PATH: process.env.PATH, CLOUDSDK_CONFIG: configDir },
    });
    await expect(ensureGcloudReady(gcloud)).resolves.toBeUndefined();
  });

  it("refuses with GCLOUD_NOT_LOGGED_IN when `gcloud auth list` is empty and credentials are not disabled", async () => {
    const configDir = await standIn.configDir({ disableCredentials: false });
    const gcloud = createGcloud({
      project: standIn.project,
      env: { PATH: process.env.PATH, CLOUDSDK_CONFIG: configDir },
    });
    const error = await ensureGcloudReady(gcloud).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GcpError);
    expect(error).toMatchObject({
      code: "GCLOUD_NOT_LOGGED_IN",
      exitCode: 10,
      message: "gcloud has no active account (`gcloud auth list` is empty); nothing was changed",
    });
    expect((error as GcpError).hint).toContain("gcloud auth login");
    expect(standIn.requests).toEqual([]);
  });
});

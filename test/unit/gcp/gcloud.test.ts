import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { EXIT_CODES, GcpError } from "../../../src/errors.js";
import { computeDiskSchema } from "../../../src/gcp/compute-disk.js";
import { createGcloud } from "../../../src/gcp/gcloud.js";
import { type FailureKind, type GcloudStandIn, startGcloudStandIn } from "../../support/gcloud-stand-in.js";

let standIn: GcloudStandIn;
let configDir: string;

beforeAll(async () => {
  standIn = await startGcloudStandIn({ project: "kf-proj" });
  configDir = await standIn.configDir();
  standIn.addDisk({ name: "good", zone: "us-central1-a", sizeGb: 20 });
  standIn.fail({ path: /disks\/denied$/, kind: "permission" });
  standIn.fail({ path: /disks\/api-off$/, kind: "apiDisabled" });
  standIn.fail({ path: /disks\/throttled$/, kind: "quota" });
}, 60_000);
afterAll(() => standIn.close());

const env = () => ({ PATH: process.env.PATH, CLOUDSDK_CONFIG: configDir });
const describeArgs = (disk: string) => ["compute", "disks", "describe", disk, "--zone", "us-central1-a"];

async function failureOf(promise: Promise<unknown>): Promise<GcpError> {
  const outcome = await promise.then(
    () => null,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(GcpError);
  return outcome as GcpError;
}

describe("createGcloud runs the real gcloud", () => {
  it("passes --project and --format=json explicitly and parses the answer with the schema", async () => {
    const gcloud = createGcloud({ project: "kf-proj", env: env() });
    const disk = await gcloud.json(describeArgs("good"), computeDiskSchema);
    expect(disk).toMatchObject({ name: "good", sizeGb: 20 });
    expect(standIn.requestLines().at(-1)).toBe(
      "GET /compute/v1/projects/kf-proj/zones/us-central1-a/disks/good",
    );
  });

  const cases: Array<{
    name: string;
    disk: string;
    kind: FailureKind;
    code: string;
    hint: RegExp;
    message: RegExp;
  }> = [
    {
      name: "403 permission denied",
      disk: "denied",
      kind: "permission",
      code: "GCP_PERMISSION_DENIED",
      message: /may not read this in project kf-proj/,
      hint: /gcloud projects get-iam-policy kf-proj/,
    },
    {
      name: "403 API disabled (SERVICE_DISABLED)",
      disk: "api-off",
      kind: "apiDisabled",
      code: "GCP_API_DISABLED",
      message: /the compute\.googleapis\.com API is disabled in project kf-proj/,
      hint: /gcloud services enable compute\.googleapis\.com --project kf-proj/,
    },
    {
      name: "429 quota",
      disk: "throttled",
      kind: "quota",
      code: "GCP_QUOTA",
      message: /quota or rate limit of project kf-proj/,
      hint: /gcloud compute project-info describe --project kf-proj/,
    },
    {
      name: "404 disk missing",
      disk: "missing",
      kind: "notFound",
      code: "GCP_NOT_FOUND",
      message: /no such resource in project kf-proj/,
      hint: /gcloud compute disks describe missing --zone us-central1-a --project kf-proj/,
    },
  ];
  it.each(cases)(
    "$name becomes $code (exit 10), naming the command and gcloud's filtered words",
    async (c) => {
      const gcloud = createGcloud({ project: "kf-proj", env: env() });
      const error = await failureOf(gcloud.json(describeArgs(c.disk), computeDiskSchema));
      expect(error.code).toBe(c.code);
      expect(error.exitCode).toBe(EXIT_CODES.gcp);
      expect(error.message).toMatch(c.message);
      expect(error.hint).toMatch(c.hint);
      expect(error.command).toBe(
        `gcloud compute disks describe ${c.disk} --zone us-central1-a --project kf-proj --format=json`,
      );
      expect(error.details).toHaveLength(1);
      expect(error.details[0]).toMatch(/^gcloud says: /);
      expect(error.details[0]).not.toMatch(/ERROR:|unauthenticated|\n/);
      expect(standIn.requestLines().at(-1)).toBe(
        `GET /compute/v1/projects/kf-proj/zones/us-central1-a/disks/${c.disk}`,
      );
    },
  );

  it("a project that does not exist is GCP_PROJECT_NOT_FOUND, naming `gcloud projects describe`", async () => {
    const gcloud = createGcloud({ project: "wrong-proj", env: env() });
    const error = await failureOf(gcloud.json(describeArgs("good"), computeDiskSchema));
    expect(error.code).toBe("GCP_PROJECT_NOT_FOUND");
    expect(error.message).toBe(
      'GCP project "wrong-proj" does not exist or is not visible to this account; nothing was changed',
    );
    expect(error.hint).toContain("gcloud projects describe wrong-proj");
  });

  it("a gcloud that does not answer in time is GCLOUD_TIMED_OUT", async () => {
    standIn.fail({ path: /disks\/stuck$/, kind: "hang" });
    const gcloud = createGcloud({ project: "kf-proj", env: env(), timeoutSeconds: 4 });
    const error = await failureOf(gcloud.json(describeArgs("stuck"), computeDiskSchema));
    expect(error.code).toBe("GCLOUD_TIMED_OUT");
    expect(error.message).toBe(
      "`gcloud compute disks describe stuck --zone us-central1-a --project kf-proj --format=json` did not answer within 4 s; nothing was changed",
    );
  });

  it("a missing gcloud binary is GCLOUD_MISSING", async () => {
    const gcloud = createGcloud({
      project: "kf-proj",
      env: { ...env(), KFP_UPGRADE_GCLOUD: "/nonexistent/gcloud" },
    });
    const error = await failureOf(gcloud.json(describeArgs("good"), computeDiskSchema));
    expect(error.code).toBe("GCLOUD_MISSING");
    expect(error.exitCode).toBe(10);
    expect(error.hint).toContain("gcloud version");
  });

  it("an answer of the wrong shape is GCLOUD_ANSWER_INVALID with every zod issue", async () => {
    const gcloud = createGcloud({ project: "kf-proj", env: env() });
    const error = await failureOf(gcloud.json(describeArgs("good"), z.object({ notThere: z.string() })));
    expect(error.code).toBe("GCLOUD_ANSWER_INVALID");
    expect(error.details).toEqual([expect.stringMatching(/^notThere: /)]);
  });
});

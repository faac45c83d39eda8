import { describe, expect, it } from "vitest";
import { describeGcloudFailure, filterGcloudStderr } from "../../../src/gcp/gcloud-failure.js";

describe("filterGcloudStderr", () => {
  it("keeps the ERROR line and its details, drops warnings and the unauthenticated note", () => {
    const stderr = [
      "WARNING: Python 3.8 is deprecated",
      "ERROR: (gcloud.compute.disks.describe) PERMISSION_DENIED: Compute Engine API has not been used in project p before or it is disabled. This command is unauthenticated because the [auth/disable_credentials] property is True.",
      "- '@type': type.googleapis.com/google.rpc.ErrorInfo",
      "  reason: SERVICE_DISABLED",
      "",
      "Traceback (most recent call last):",
    ].join("\n");
    expect(filterGcloudStderr(stderr)).toBe(
      "PERMISSION_DENIED: Compute Engine API has not been used in project p before or it is disabled. - '@type': type.googleapis.com/google.rpc.ErrorInfo reason: SERVICE_DISABLED",
    );
  });

  it.each([
    {
      name: "an OAuth access token",
      stderr: "ERROR: (gcloud.x) bad token ya29.a0AfH6SMBxyz-123",
      secret: "ya29.a0AfH6SMBxyz-123",
    },
    {
      name: "a bearer header",
      stderr: "ERROR: (gcloud.x) Authorization: Bearer abc.def-ghi",
      secret: "abc.def-ghi",
    },
    {
      name: "a refresh_token field",
      stderr: 'ERROR: (gcloud.x) {"refresh_token": "1//0gSecret"}',
      secret: "1//0gSecret",
    },
  ])("never passes on $name", ({ stderr, secret }) => {
    const filtered = filterGcloudStderr(stderr);
    expect(filtered).not.toContain(secret);
    expect(filtered).toContain("<redacted>");
  });

  it("prints nothing when gcloud said no ERROR line", () => {
    expect(filterGcloudStderr("Traceback\n  File x\n")).toBe("");
  });
});

describe("describeGcloudFailure", () => {
  const failure = (stderr: string) =>
    describeGcloudFailure({
      command: "gcloud compute disks describe d --zone z --project p --format=json",
      project: "p",
      stderr,
    });

  it.each([
    {
      said: "ERROR: (gcloud.x) The required property [project] is not currently set.",
      code: "GCP_PROJECT_MISSING",
    },
    {
      said: "ERROR: (gcloud.x) HTTPError 404: The resource 'projects/p' was not found",
      code: "GCP_PROJECT_NOT_FOUND",
    },
    {
      said: "ERROR: (gcloud.x) You do not currently have an active account selected.",
      code: "GCLOUD_NOT_LOGGED_IN",
    },
    { said: "ERROR: (gcloud.x) something else entirely", code: "GCLOUD_FAILED" },
  ])("$code from: $said", ({ said, code }) => {
    expect(failure(said).code).toBe(code);
  });
});

describe("describeGcloudFailure does not mistake other messages for a disabled API", () => {
  it("a disabled billing account is not GCP_API_DISABLED", () => {
    const error = describeGcloudFailure({
      command: "gcloud compute disks describe d --zone z --project p --format=json",
      project: "p",
      stderr:
        "ERROR: (gcloud.x) FAILED_PRECONDITION: The billing account for the owning project is disabled in state absent",
    });
    expect(error.code).toBe("GCLOUD_FAILED");
  });
});

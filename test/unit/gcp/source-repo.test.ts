import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGcloud } from "../../../src/gcp/gcloud.js";
import { gcloudAccount } from "../../../src/gcp/gcloud-account.js";
import { describeSourceRepo, webUiRepoName } from "../../../src/gcp/source-repo.js";
import { type GcloudStandIn, startGcloudStandIn } from "../../support/gcloud-stand-in.js";

let standIn: GcloudStandIn;
let configDir: string;
let accountConfig: string;

beforeAll(async () => {
  standIn = await startGcloudStandIn({ project: "kf-proj" });
  configDir = await standIn.configDir();
  accountConfig = await standIn.configDir({ account: "owner@example.com" });
  standIn.addSourceRepo({
    name: "kf-proj-kubeflow-config",
    gitDir: "/srv/git/config",
    mirrorUrl: "https://github.com/me/config",
  });
}, 240_000);
afterAll(() => standIn.close());

const gcloud = (dir: string) =>
  createGcloud({ project: "kf-proj", env: { PATH: process.env.PATH, CLOUDSDK_CONFIG: dir } });

describe("Source Repositories with the real gcloud", { timeout: 120_000 }, () => {
  it("names the web UI's repository after the project", () => {
    expect(webUiRepoName("kf-proj")).toBe("kf-proj-kubeflow-config");
  });

  it("describes a repository: name, clone URL, size, mirror", async () => {
    await expect(describeSourceRepo(gcloud(configDir), "kf-proj-kubeflow-config")).resolves.toEqual({
      name: "projects/kf-proj/repos/kf-proj-kubeflow-config",
      url: "file:///srv/git/config",
      size: "2048",
      mirrorConfig: { url: "https://github.com/me/config" },
    });
    expect(standIn.requestLines()).toContain("GET /v1/projects/kf-proj/repos/kf-proj-kubeflow-config");
  });
});

describe("gcloudAccount", { timeout: 120_000 }, () => {
  it("reads `gcloud config get-value account`", async () => {
    await expect(gcloudAccount(gcloud(accountConfig))).resolves.toBe("owner@example.com");
  });

  it("is null when no account is set (gcloud prints [])", async () => {
    await expect(gcloudAccount(gcloud(configDir))).resolves.toBeNull();
  });
});

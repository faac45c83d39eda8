import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished } from "vitest";
import { cloneWebUiApp } from "../../../src/cli/clone-web-ui-app.js";
import { createGcloud } from "../../../src/gcp/gcloud.js";
import { FIXTURES_DIR } from "../../support/app-dir.js";
import { type GcloudStandIn, startGcloudStandIn } from "../../support/gcloud-stand-in.js";
import { type LocalGitRepo, pathWithoutGit, webUiRepo } from "../../support/web-ui-repo.js";

// `gcloud source repos clone` run for real against the stand-in's Source Repositories API, which points it at a local
// git repository laid out as the web UI left it (one KFAPP directory per deployment).

const PROJECT = "kf-proj";
const REPO = `${PROJECT}-kubeflow-config`;
let standIn: GcloudStandIn;
let loggedIn: string;
let notLoggedIn: string;
let single: LocalGitRepo;
let several: LocalGitRepo;
let none: LocalGitRepo;

beforeAll(async () => {
  standIn = await startGcloudStandIn({ project: PROJECT });
  loggedIn = await standIn.configDir({ accessTokenFile: true });
  notLoggedIn = await standIn.configDir();
  single = await webUiRepo({ kubeflow1: "ksonnet-kfapp-gcp" });
  several = await webUiRepo({ kubeflow1: "ksonnet-kfapp-gcp", kubeflow2: "ksonnet-kfapp-gcp" });
  none = await webUiRepo({}, { "README.md": "no KFAPP here\n" });
}, 240_000);
afterAll(async () => {
  await standIn?.close();
  for (const repo of [single, several, none]) repo?.remove();
});
beforeEach(() => {
  standIn.requests.length = 0;
});

function parent(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "kfp-clone-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
const gcloud = (config: string, extra: Record<string, string> = {}) =>
  createGcloud({ project: PROJECT, env: { PATH: process.env.PATH, CLOUDSDK_CONFIG: config, ...extra } });

describe("cloneWebUiApp with the real gcloud", { timeout: 120_000 }, () => {
  it("clones the repository, finds the deployment's KFAPP and imports it", async () => {
    standIn.addSourceRepo({ name: REPO, gitDir: single.dir });
    const into = path.join(parent(), "clone");
    const cloned = await cloneWebUiApp({ gcloud: gcloud(loggedIn), repo: REPO, dir: into });
    expect(cloned).toMatchObject({
      repo: REPO,
      dir: into,
      kfappDir: path.join(into, "kubeflow1"),
      kfapps: ["kubeflow1"],
      mirror: null,
    });
    expect(cloned.notes[0]).toMatch(
      /^Imported the legacy ksonnet KFAPP from ks_app\/components\/params.libsonnet/,
    );
    // The clone is the repository's tree, byte for byte; kfp-upgrade wrote nothing into it.
    const config = "kubeflow1/gcp_config/storage-kubeflow.yaml";
    expect(readFileSync(path.join(into, config), "utf8")).toBe(
      readFileSync(path.join(FIXTURES_DIR, "ksonnet-kfapp-gcp/gcp_config/storage-kubeflow.yaml"), "utf8"),
    );
    expect(readdirSync(into).sort()).toEqual([".git", "kubeflow1"]);
    expect(readdirSync(path.dirname(into))).toEqual(["clone"]);
    expect(standIn.requestLines()).toEqual([
      `GET /v1/projects/${PROJECT}/repos/${REPO}`,
      `GET /v1/projects/${PROJECT}/repos/${REPO}`,
    ]);
  });

  it("clones into an empty directory that exists", async () => {
    standIn.addSourceRepo({ name: REPO, gitDir: single.dir });
    const into = path.join(parent(), "empty");
    mkdirSync(into);
    const cloned = await cloneWebUiApp({ gcloud: gcloud(loggedIn), repo: REPO, dir: into });
    expect(cloned.kfappDir).toBe(path.join(into, "kubeflow1"));
  });

  it("refuses a directory that is not empty before asking gcloud anything", async () => {
    const into = path.join(parent(), "full");
    mkdirSync(into);
    writeFileSync(path.join(into, "keep.txt"), "mine");
    await expect(cloneWebUiApp({ gcloud: gcloud(loggedIn), repo: REPO, dir: into })).rejects.toMatchObject({
      code: "CLONE_DIR_NOT_EMPTY",
      exitCode: 2,
    });
    expect(readdirSync(into)).toEqual(["keep.txt"]);
    expect(standIn.requests).toEqual([]);
  });

  it("a repository that does not exist: GCP_SOURCE_REPO_MISSING naming the gcloud command, nothing left behind", async () => {
    const dir = parent();
    const error = await cloneWebUiApp({
      gcloud: gcloud(loggedIn),
      repo: "other-kubeflow-config",
      dir: path.join(dir, "x"),
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "GCP_SOURCE_REPO_MISSING",
      command: `gcloud source repos describe other-kubeflow-config --project ${PROJECT} --format=json`,
      message: `project ${PROJECT} has no Cloud Source Repository "other-kubeflow-config"; nothing was changed`,
      hint: expect.stringContaining(`gcloud source repos list --project ${PROJECT}`),
    });
    expect(readdirSync(dir)).toEqual([]);
  });

  it("permission denied: names the role that may read the repository, nothing left behind", async () => {
    standIn.addSourceRepo({ name: REPO, gitDir: single.dir });
    standIn.fail({ path: /\/repos\//, kind: "permission", times: 1 });
    const dir = parent();
    await expect(
      cloneWebUiApp({ gcloud: gcloud(loggedIn), repo: REPO, dir: path.join(dir, "x") }),
    ).rejects.toMatchObject({
      code: "GCP_PERMISSION_DENIED",
      details: ["gcloud says: PERMISSION_DENIED: The caller does not have permission."],
      hint: expect.stringContaining("roles/source.reader"),
    });
    expect(readdirSync(dir)).toEqual([]);
  });

  it("the Source Repositories API disabled: GCP_API_DISABLED naming the service to enable", async () => {
    standIn.addSourceRepo({ name: REPO, gitDir: single.dir });
    standIn.fail({ path: /\/repos\//, kind: "apiDisabled", times: 1 });
    await expect(
      cloneWebUiApp({ gcloud: gcloud(loggedIn), repo: REPO, dir: path.join(parent(), "x") }),
    ).rejects.toMatchObject({
      code: "GCP_API_DISABLED",
      hint: expect.stringContaining(`gcloud services enable sourcerepo.googleapis.com --project ${PROJECT}`),
    });
  });

  it("not logged in: gcloud refuses to clone without credentials (GCLOUD_NOT_LOGGED_IN), nothing left behind", async () => {
    standIn.addSourceRepo({ name: REPO, gitDir: single.dir });
    const dir = parent();
    await expect(
      cloneWebUiApp({ gcloud: gcloud(notLoggedIn), repo: REPO, dir: path.join(dir, "x") }),
    ).rejects.toMatchObject({
      code: "GCLOUD_NOT_LOGGED_IN",
      command: expect.stringMatching(
        new RegExp(`^gcloud source repos clone ${REPO} \\S+ --project ${PROJECT}`),
      ),
    });
    expect(readdirSync(dir)).toEqual([]);
  });

  it("git missing: GIT_MISSING, nothing left behind", async () => {
    standIn.addSourceRepo({ name: REPO, gitDir: single.dir });
    const noGit = pathWithoutGit();
    onTestFinished(() => noGit.remove());
    const dir = parent();
    await expect(
      cloneWebUiApp({ gcloud: gcloud(loggedIn, { PATH: noGit.path }), repo: REPO, dir: path.join(dir, "x") }),
    ).rejects.toMatchObject({ code: "GIT_MISSING", hint: expect.stringContaining("git --version") });
    expect(readdirSync(dir)).toEqual([]);
  });

  it("several KFAPPs: --name picks one; without it, the choice is asked for and nothing is kept", {
    timeout: 90_000,
  }, async () => {
    standIn.addSourceRepo({ name: REPO, gitDir: several.dir });
    const dir = parent();
    await expect(
      cloneWebUiApp({ gcloud: gcloud(loggedIn), repo: REPO, dir: path.join(dir, "x") }),
    ).rejects.toMatchObject({
      code: "WEBUI_KFAPP_AMBIGUOUS",
      exitCode: 3,
      details: ["its KFAPPs: kubeflow1, kubeflow2"],
    });
    expect(readdirSync(dir)).toEqual([]);
    const cloned = await cloneWebUiApp({
      gcloud: gcloud(loggedIn),
      repo: REPO,
      dir: path.join(dir, "x"),
      name: "kubeflow2",
    });
    expect(cloned.kfappDir).toBe(path.join(dir, "x", "kubeflow2"));
    expect(existsSync(path.join(dir, "x", "kubeflow1"))).toBe(true);
  });

  it("a repository without a KFAPP: WEBUI_KFAPP_MISSING (exit 3), the clone removed", async () => {
    standIn.addSourceRepo({ name: REPO, gitDir: none.dir });
    const dir = parent();
    await expect(
      cloneWebUiApp({ gcloud: gcloud(loggedIn), repo: REPO, dir: path.join(dir, "x") }),
    ).rejects.toMatchObject({ code: "WEBUI_KFAPP_MISSING", exitCode: 3 });
    expect(readdirSync(dir)).toEqual([]);
  });

  it("a repository whose root is the KFAPP: the clone itself is the app directory", async () => {
    const atRoot = await webUiRepo({ ".": "ksonnet-kfapp-gcp" });
    onTestFinished(() => atRoot.remove());
    standIn.addSourceRepo({ name: REPO, gitDir: atRoot.dir });
    const into = path.join(parent(), "root");
    const cloned = await cloneWebUiApp({ gcloud: gcloud(loggedIn), repo: REPO, dir: into });
    expect(cloned).toMatchObject({ kfappDir: into, kfapps: ["."] });
  });
});

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backendVersions } from "../../../src/release/backend-versions.js";
import { CATALOGUE } from "../../../src/release/catalogue.js";
import { latestUpstream, upstreamBackendVersions } from "../../../src/release/discover-releases.js";
import { ensureRelease } from "../../../src/release/ensure-release.js";
import { type ReleaseServer, startReleaseServer } from "../../support/release-server.js";
import { buildReleaseArchive } from "../../support/release-tree.js";

/** kubeflow/pipelines-like tags, newest first: backend releases, SDK tags, prereleases and filler to need 3 pages. */
const TAGS = [
  "sdk-2.19.0",
  "2.20.0-rc.1",
  "2.19.0",
  "sdk-2.17.1",
  "2.17.0",
  "2.16.1",
  "2.15.2",
  ...Array.from({ length: 150 }, (_, i) => `sdk-1.${i}.0`),
  "1.8.5",
  "v0.1.12",
];

let server: ReleaseServer;
let authServer: ReleaseServer;
beforeAll(async () => {
  server = await startReleaseServer({
    tags: TAGS,
    archives: { "2.19.0": { kind: "serve", body: await buildReleaseArchive("2.19.0", { from: "2.17.0" }) } },
  });
  authServer = await startReleaseServer({ tags: TAGS, token: "s3cr3t-token" });
});
afterAll(async () => {
  await server.close();
  await authServer.close();
});

const cacheRoot = () => path.join(mkdtempSync(path.join(tmpdir(), "kfp-cache-")), "releases");

describe("backendVersions", () => {
  it("keeps X.Y.Z tags (v dropped), leaves out sdk-*, prereleases and the catalogue's SDK-only versions", () => {
    expect(backendVersions(TAGS, CATALOGUE)).toEqual(["0.1.12", "1.8.5", "2.16.1", "2.17.0", "2.19.0"]);
  });
});

describe("upstream tag list", () => {
  it("reads every page of the tag list", async () => {
    const before = server.requests.length;
    const upstream = { source: server.url, api: server.url, cacheRoot: cacheRoot() };
    expect(await upstreamBackendVersions(upstream, CATALOGUE)).toContain("2.19.0");
    expect(server.requests.slice(before)).toEqual([
      "/repos/kubeflow/pipelines/tags?per_page=100&page=1",
      "/repos/kubeflow/pipelines/tags?per_page=100&page=2",
    ]);
  });

  it("latest is the newest backend tag, with a warning naming a release the catalogue has no facts for", async () => {
    const latest = await latestUpstream(
      { source: server.url, api: server.url, cacheRoot: cacheRoot() },
      CATALOGUE,
    );
    expect(latest).toEqual({
      version: "2.19.0",
      warnings: [
        "latest is KFP 2.19.0, the newest backend release tag upstream",
        "the catalogue has no facts for KFP 2.19.0: MySQL series, registry, object store and data claims are derived from the rendered bundle",
      ],
    });
  });

  it("sends GITHUB_TOKEN as a bearer token, and never prints it when it is refused", async () => {
    const upstream = { source: authServer.url, api: authServer.url, cacheRoot: cacheRoot() };
    expect((await latestUpstream({ ...upstream, token: "s3cr3t-token" }, CATALOGUE)).version).toBe("2.19.0");
    const refused = await latestUpstream({ ...upstream, token: "wrong-token" }, CATALOGUE);
    expect(refused.version).toBe("2.18.1");
    expect(refused.warnings.join("\n")).toContain("HTTP 401");
    expect(refused.warnings.join("\n")).not.toContain("wrong-token");
  });

  it("offline, latest falls back to the newest cached or known release and says so", async () => {
    const gone = await startReleaseServer();
    await gone.close();
    const offline = { source: server.url, api: gone.url, cacheRoot: cacheRoot() };
    const known = await latestUpstream(offline, CATALOGUE);
    expect(known.version).toBe("2.18.1");
    expect(known.warnings).toEqual([
      expect.stringMatching(
        /^cannot read the upstream tag list \(Cannot download http:\/\/127\.0\.0\.1:\d+\/repos\/kubeflow\/pipelines\/tags\?per_page=100&page=1: ECONNREFUSED.*\); latest falls back to the newest cached or known release, KFP 2\.18\.1$/,
      ),
    ]);
    await ensureRelease("2.19.0", offline);
    expect((await latestUpstream(offline, CATALOGUE)).version).toBe("2.19.0");
  });
});

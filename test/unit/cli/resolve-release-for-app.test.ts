import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasBundleIn, resolveReleaseForApp } from "../../../src/cli/resolve-release-for-app.js";
import { SHARED_MANIFESTS, sharedRelease } from "../../support/manifests.js";
import { type ReleaseServer, startReleaseServer } from "../../support/release-server.js";
import { buildReleaseArchive } from "../../support/release-tree.js";

let server: ReleaseServer;
beforeAll(async () => {
  server = await startReleaseServer({
    archives: {
      "2.5.0": { kind: "serve", body: await buildReleaseArchive("2.5.0") },
      "2.19.0": { kind: "serve", body: await buildReleaseArchive("2.19.0", { from: "2.17.0" }) },
    },
    tags: ["sdk-2.19.0", "2.19.0", "2.17.0", "2.16.1"],
  });
});
afterAll(() => server.close());

const upstream = () => ({
  source: server.url,
  api: server.url,
  cacheRoot: path.join(mkdtempSync(path.join(tmpdir(), "kfp-cache-")), "kfp-upgrade/releases"),
});

describe("resolveReleaseForApp", () => {
  it("without --manifests fetches the release into the cache and resolves it like the shared bundle", async () => {
    const lookup = { manifestsDir: null, upstream: upstream() };
    const release = await resolveReleaseForApp("v2.5.0", lookup, "default");
    const shared = await sharedRelease("2.5.0");
    expect(release.bundleDir).toBe(path.join(lookup.upstream.cacheRoot, "2.5.0"));
    expect(release.objects).toEqual(shared.objects);
    expect({ ...release, bundleDir: null }).toEqual({
      ...shared,
      bundleDir: null,
      warnings: ['read "v2.5.0" as KFP 2.5.0 (KFP tags have no `v`)'],
    });
  });

  it("with --manifests uses those bundles only and never asks the release source", async () => {
    const before = server.requests.length;
    const release = await resolveReleaseForApp(
      "2.5.0",
      { manifestsDir: SHARED_MANIFESTS, upstream: null },
      "default",
    );
    expect(release.bundleDir).toBe(path.join(SHARED_MANIFESTS, "2.5.0"));
    expect(server.requests.length).toBe(before);
  });

  it("keeps ksonnet-era releases catalogue-only: they have no kustomize tree to fetch", async () => {
    const before = server.requests.length;
    const release = await resolveReleaseForApp(
      "v0.1.12",
      { manifestsDir: null, upstream: upstream() },
      "default",
    );
    expect(release).toMatchObject({ version: "0.1.12", era: "ksonnet", objects: [], bundleDir: null });
    expect(server.requests.length).toBe(before);
  });

  it("latest is upstream's newest backend tag: a release the catalogue does not know, described by its bundle", async () => {
    const release = await resolveReleaseForApp(
      "latest",
      { manifestsDir: null, upstream: upstream() },
      "default",
    );
    expect(release).toMatchObject({ version: "2.19.0", mysqlSeries: "8.4", objectStore: "seaweedfs" });
    expect(release.warnings).toEqual([
      "latest is KFP 2.19.0, the newest backend release tag upstream",
      "the catalogue has no facts for KFP 2.19.0: MySQL series, registry, object store and data claims are derived from the rendered bundle",
      "KFP 2.19.0 is not in the catalogue; its bundle alone describes it",
    ]);
  });

  it("fails naming the URL when the source has no archive for the tag", async () => {
    await expect(
      resolveReleaseForApp("2.14.4", { manifestsDir: null, upstream: upstream() }, "default"),
    ).rejects.toMatchObject({
      code: "RELEASE_FETCH_FAILED",
      message: `Cannot download ${server.url}/archive/refs/tags/2.14.4.tar.gz: HTTP 404 Not Found`,
    });
  });
});

describe("hasBundleIn", () => {
  it("is the --manifests directory's bundles, or every kustomize-era release when fetching", () => {
    const manifests = hasBundleIn({ manifestsDir: SHARED_MANIFESTS, upstream: null });
    expect([manifests("2.5.0"), manifests("2.4.1")]).toEqual([true, false]);
    const fetching = hasBundleIn({ manifestsDir: null, upstream: upstream() });
    expect([fetching("2.4.1"), fetching("0.1.12")]).toEqual([true, false]);
    expect(hasBundleIn({ manifestsDir: null, upstream: null })("2.5.0")).toBe(false);
  });
});

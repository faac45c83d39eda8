import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureRelease } from "../../../../src/release/ensure-release.js";
import { loadBundle } from "../../../../src/release/load-bundle.js";
import { checkSha256Sums } from "../../../../src/release/sha256sums.js";
import { archiveUrl, fetchRelease } from "../../../../src/release/upstream/fetch-release.js";
import { SHARED_MANIFESTS } from "../../../support/manifests.js";
import { type ReleaseServer, startReleaseServer } from "../../../support/release-server.js";
import { buildReleaseArchive } from "../../../support/release-tree.js";

let server: ReleaseServer;
let good: Buffer;

beforeAll(async () => {
  good = await buildReleaseArchive("2.5.0");
  server = await startReleaseServer({ archives: { "2.5.0": { kind: "serve", body: good } } });
});
afterAll(() => server.close());

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "kfp-fetch-"));
  return dir;
}

async function objectsOf(dir: string) {
  return (await loadBundle(dir)).objects;
}

describe("fetchRelease", () => {
  it("downloads, renders with kubectl kustomize and writes the shared bundle's objects with SHA256SUMS", async () => {
    const out = tempDir();
    const lines: string[] = [];
    const fetched = await fetchRelease("2.5.0", {
      source: server.url,
      outDir: out,
      progress: (l) => lines.push(l),
    });
    expect(fetched.dir).toBe(path.join(out, "2.5.0"));
    expect(fetched.url).toBe(`${server.url}/archive/refs/tags/2.5.0.tar.gz`);
    expect((await readdir(fetched.dir)).sort()).toEqual([
      "SHA256SUMS",
      "cluster-scoped.yaml",
      "platform-agnostic.yaml",
      "source.json",
    ]);
    expect(await objectsOf(fetched.dir)).toEqual(await objectsOf(path.join(SHARED_MANIFESTS, "2.5.0")));
    // The kustomize tree the test built renders the shared bundle byte for byte, as upstream's tree did.
    for (const file of ["cluster-scoped.yaml", "platform-agnostic.yaml"]) {
      expect(readFileSync(path.join(fetched.dir, file), "utf8")).toBe(
        readFileSync(path.join(SHARED_MANIFESTS, "2.5.0", file), "utf8"),
      );
    }
    expect(await checkSha256Sums(fetched.dir)).toEqual({ ok: true, problems: [] });
    const source = JSON.parse(readFileSync(path.join(fetched.dir, "source.json"), "utf8"));
    expect(source).toMatchObject({
      url: fetched.url,
      archiveBytes: good.length,
      topFolder: "pipelines-2.5.0",
    });
    expect(source.archiveSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(lines[0]).toBe(`Downloading KFP 2.5.0: ${fetched.url}`);
    expect(lines).toContain("Rendering manifests/kustomize/cluster-scoped-resources (kubectl kustomize)");
    expect(lines).toContain("Rendering manifests/kustomize/env/platform-agnostic (kubectl kustomize)");
    expect(lines.some((l) => /KiB downloaded, sha256 [0-9a-f]{64}$/.test(l))).toBe(true);
    // Only the bundle remains: the downloaded tree and the staging directory are gone.
    expect(await readdir(out)).toEqual(["2.5.0"]);
    rmSync(out, { recursive: true });
  });

  it("refuses an archive whose bytes were damaged (gzip CRC) and caches nothing", async () => {
    const damaged = Buffer.from(good);
    damaged[Math.floor(damaged.length / 2)] = (damaged[Math.floor(damaged.length / 2)] ?? 0) ^ 0xff;
    server.archives.set("9.9.1", { kind: "serve", body: damaged });
    const out = tempDir();
    await expect(fetchRelease("9.9.1", { source: server.url, outDir: out })).rejects.toMatchObject({
      code: expect.stringMatching(/^ARCHIVE_CORRUPT$/),
    });
    expect(await readdir(out)).toEqual([]);
  });

  it("refuses an archive for one tag that carries another release's images (tampered or wrong tag)", async () => {
    server.archives.set("2.5.0-tampered", {
      kind: "serve",
      body: await buildReleaseArchive("2.5.0", { imageTag: "2.14.4" }),
    });
    const out = tempDir();
    // The tree's appVersion still says 2.5.0 but the API server image says 2.14.4: the bundle is not one release.
    const error = await fetchRelease("2.5.0-tampered", { source: server.url, outDir: out }).catch((e) => e);
    expect(error.code).toMatch(/^(ARCHIVE_VERSION_MISMATCH|BUNDLE_UNRECOGNISED)$/);
    expect(await readdir(out)).toEqual([]);
  });

  it("names the URL and the HTTP status when the server fails", async () => {
    server.archives.set("2.14.4", { kind: "fail", status: 503 });
    const out = tempDir();
    const error = await fetchRelease("2.14.4", { source: server.url, outDir: out }).catch((e) => e);
    expect(error).toMatchObject({ code: "RELEASE_FETCH_FAILED" });
    expect(error.message).toBe(
      `Cannot download ${archiveUrl(server.url, "2.14.4")}: HTTP 503 Service Unavailable`,
    );
    expect(await readdir(out)).toEqual([]);
  });

  it("reports progress in bytes from a slow server and still succeeds", async () => {
    server.archives.set("2.5.0", { kind: "slow", body: good, chunks: 4, delayMs: 50 });
    const out = tempDir();
    const lines: string[] = [];
    await fetchRelease("2.5.0", { source: server.url, outDir: out, progress: (l) => lines.push(l) });
    expect(lines.filter((l) => / of \d+ KiB$/.test(l)).length).toBeGreaterThanOrEqual(1);
    server.archives.set("2.5.0", { kind: "serve", body: good });
  });

  it("gives up on a server that stops sending, after the idle timeout", async () => {
    server.archives.set("2.16.1", { kind: "stall", body: good });
    const out = tempDir();
    const error = await fetchRelease("2.16.1", { source: server.url, outDir: out, idleTimeoutMs: 300 }).catch(
      (e) => e,
    );
    expect(error).toMatchObject({ code: "RELEASE_FETCH_FAILED" });
    expect(error.message).toMatch(/no data for 0 s|no data for \d+ s/);
    expect(await readdir(out)).toEqual([]);
  });
});

describe("ensureRelease", () => {
  it("fetches once, then serves the cache without a request; a cache that fails its sums is fetched again", async () => {
    const cacheRoot = tempDir();
    const upstream = { source: server.url, api: server.url, cacheRoot };
    const before = server.requests.length;
    const dir = await ensureRelease("2.5.0", upstream);
    expect(server.requests.length).toBe(before + 1);
    expect(await ensureRelease("2.5.0", upstream)).toBe(dir);
    expect(server.requests.length).toBe(before + 1);

    const file = path.join(dir, "platform-agnostic.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace("mysql:8.0.26", "mysql:evil"));
    const lines: string[] = [];
    await ensureRelease("2.5.0", { ...upstream, progress: (l) => lines.push(l) });
    expect(server.requests.length).toBe(before + 2);
    expect(lines[0]).toMatch(/^The cached bundle of KFP 2.5.0 fails its checksums; fetching it again:/);
    expect(lines[0]).toContain(`${file}: sha256`);
    expect(readFileSync(file, "utf8")).not.toContain("mysql:evil");
    rmSync(cacheRoot, { recursive: true });
  });
});

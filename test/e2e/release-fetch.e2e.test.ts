import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appDir } from "../support/app-dir.js";
import { createHostPathPv, uniqueName } from "../support/e2e-cluster.js";
import {
  bundleImages,
  imagesIn,
  resultBindings,
  testNamespace,
  timed,
  unavailableDeployments,
} from "../support/kfp-install.js";
import { type ReleaseServer, startReleaseServer } from "../support/release-server.js";
import { buildReleaseArchive } from "../support/release-tree.js";
import { type CliRun, runCli, SHARED_MANIFESTS } from "../support/run-cli.js";

// Issue 12: with no bundles on disk, releases come from the release source (here a stand-in for github.com on
// 127.0.0.1 serving archives of real kustomize trees), are rendered with kubectl kustomize, cached and applied.

let server: ReleaseServer;
let archives: Record<string, Buffer>;

beforeAll(async () => {
  archives = { "2.5.0": await buildReleaseArchive("2.5.0"), "2.14.4": await buildReleaseArchive("2.14.4") };
  server = await startReleaseServer({
    archives: Object.fromEntries(
      Object.entries(archives).map(([tag, body]) => [tag, { kind: "serve" as const, body }]),
    ),
  });
});
afterAll(() => server.close());

function emptyCache(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "kfp-xdg-cache-"));
  return dir;
}

/** The plan as printed, without the moment it was made. */
function planOf(run: CliRun): Record<string, unknown> {
  expect(run.exitCode, run.stderr).toBe(0);
  const { createdAt: _createdAt, ...plan } = run.json as Record<string, unknown>;
  return plan;
}

const archiveRequests = () => server.requests.filter((request) => request.startsWith("/archive/"));

describe("releases fetched from the release source", () => {
  it("deploys 2.5.0 and upgrades to 2.14.4 with an empty cache and no --manifests: the same plans as from the shared bundles, fetched once", async () => {
    await timed("release-fetch: deploy 2.5.0 -> upgrade 2.14.4 from the release source", async () => {
      const cache = emptyCache();
      const env = { XDG_CACHE_HOME: cache, KFP_UPGRADE_RELEASE_SOURCE: server.url };
      const namespace = testNamespace("rf");
      const dir = appDir();
      const mysqlPv = await createHostPathPv(uniqueName("rf-mysql"), { capacity: "20Gi" });
      const minioPv = await createHostPathPv(uniqueName("rf-minio"), { capacity: "20Gi" });
      const deployArgs = ["deploy", "--tag", "2.5.0", "--mysql-pv", mysqlPv.name, "--minio-pv", minioPv.name];
      const before = archiveRequests().length;

      const fetchedPlan = await runCli([...deployArgs, "-n", namespace, "--dry-run"], { appDir: dir, env });
      expect(fetchedPlan.stderr).toContain(
        `Downloading KFP 2.5.0: ${server.url}/archive/refs/tags/2.5.0.tar.gz`,
      );
      expect(fetchedPlan.stderr).toContain(
        "Rendering manifests/kustomize/env/platform-agnostic (kubectl kustomize)",
      );
      const sharedPlan = await runCli(
        [...deployArgs, "-n", namespace, "--manifests", SHARED_MANIFESTS, "--dry-run"],
        { appDir: dir, env },
      );
      expect(planOf(fetchedPlan)).toEqual(planOf(sharedPlan));
      expect(archiveRequests().slice(before)).toEqual(["/archive/refs/tags/2.5.0.tar.gz"]);
      expect(readdirSync(path.join(cache, "kfp-upgrade/releases/2.5.0")).sort()).toEqual([
        "SHA256SUMS",
        "cluster-scoped.yaml",
        "platform-agnostic.yaml",
        "source.json",
      ]);

      const deploy = await runCli([...deployArgs, "-n", namespace], { appDir: dir, env });
      expect(deploy.exitCode, deploy.stderr).toBe(0);
      expect(deploy.result).toMatchObject({ ok: true, outcome: "succeeded" });
      expect(deploy.stderr).not.toContain("Downloading");
      expect(resultBindings(deploy)).toEqual({ "mysql-pv-claim": mysqlPv.uid, "minio-pvc": minioPv.uid });
      expect(await imagesIn(namespace)).toEqual(bundleImages("2.5.0"));
      // The app does not point at the cache: later runs look the release up again (cache, then source).
      expect(await readFile(path.join(dir, "kfp-app.yaml"), "utf8")).not.toContain("manifests");

      const fetchedUpgrade = await runCli(["upgrade", "--tag", "2.14.4", "--dry-run"], { appDir: dir, env });
      expect(fetchedUpgrade.stderr).toContain("Downloading KFP 2.14.4");
      const sharedUpgrade = await runCli(
        ["upgrade", "--tag", "2.14.4", "--manifests", SHARED_MANIFESTS, "--dry-run"],
        { appDir: dir, env },
      );
      expect(planOf(fetchedUpgrade)).toEqual(planOf(sharedUpgrade));
      expect(planOf(fetchedUpgrade)).toMatchObject({ from: "2.5.0", to: "2.14.4", strategy: "manifests" });

      const upgrade = await runCli(["upgrade", "--tag", "2.14.4"], { appDir: dir, env });
      expect(upgrade.exitCode, upgrade.stderr).toBe(0);
      expect(upgrade.result).toMatchObject({ ok: true, outcome: "succeeded" });
      expect(upgrade.stderr).not.toContain("Downloading");
      expect(await unavailableDeployments(namespace)).toEqual([]);
      expect(await imagesIn(namespace)).toEqual(bundleImages("2.14.4"));
      // One request per release in all: every later run used the cache.
      expect(archiveRequests().slice(before)).toEqual([
        "/archive/refs/tags/2.5.0.tar.gz",
        "/archive/refs/tags/2.14.4.tar.gz",
      ]);
      rmSync(cache, { recursive: true, force: true });
    });
  }, 600_000);

  it("refuses a damaged archive and a failing server, naming the URL, and caches nothing", async () => {
    const cache = emptyCache();
    const damaged = Buffer.from(archives["2.5.0"] ?? []);
    damaged[damaged.length - 20] = (damaged[damaged.length - 20] ?? 0) ^ 0xff;
    server.archives.set("2.3.0", { kind: "serve", body: damaged });
    server.archives.set("2.0.5", { kind: "fail", status: 502 });
    const env = { XDG_CACHE_HOME: cache, KFP_UPGRADE_RELEASE_SOURCE: server.url };
    const dir = appDir();
    const namespace = uniqueName("rf-bad");

    const corrupt = await runCli(["deploy", "--tag", "2.3.0", "-n", namespace, "--dry-run"], {
      appDir: dir,
      env,
    });
    expect(corrupt.exitCode).toBe(3);
    expect(corrupt.stderr).toContain(
      `error: ${server.url}/archive/refs/tags/2.3.0.tar.gz is not a valid gzip file`,
    );
    expect(corrupt.stderr).toContain("code: ARCHIVE_CORRUPT (exit 3)");

    const failing = await runCli(["deploy", "--tag", "2.0.5", "-n", namespace, "--dry-run"], {
      appDir: dir,
      env,
    });
    expect(failing.exitCode).toBe(3);
    expect(failing.stderr).toContain(
      `error: Cannot download ${server.url}/archive/refs/tags/2.0.5.tar.gz: HTTP 502 Bad Gateway`,
    );
    expect(readdirSync(path.join(cache, "kfp-upgrade/releases"))).toEqual([]);
    rmSync(cache, { recursive: true, force: true });
  });
});

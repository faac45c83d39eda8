import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mirrorImage } from "../../src/release/pod-images.js";
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
  archives = {
    "2.5.0": await buildReleaseArchive("2.5.0"),
    "2.14.4": await buildReleaseArchive("2.14.4"),
    // A release newer than the catalogue, as upstream would publish it: the 2.17.0 tree with 2.19.0's images.
    "2.19.0": await buildReleaseArchive("2.19.0", { from: "2.17.0" }),
  };
  server = await startReleaseServer({
    tags: ["sdk-2.19.0", "2.19.0", "2.17.0", "sdk-2.17.0", "2.16.1", "2.15.0", "2.14.4", "2.5.0"],
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

      // latest is upstream's newest backend tag (sdk-2.19.0 is not one), which the catalogue has no facts for.
      const latest = await runCli(
        ["upgrade", "--tag", "latest", "--object-store", "seaweedfs", "--dry-run"],
        {
          appDir: dir,
          env: { ...env, KFP_UPGRADE_GITHUB_API: server.url },
        },
      );
      expect(planOf(latest)).toMatchObject({ from: "2.14.4", to: "2.19.0" });
      expect(planOf(latest).warnings).toEqual(
        expect.arrayContaining([
          "latest is KFP 2.19.0, the newest backend release tag upstream",
          "the catalogue has no facts for KFP 2.19.0: MySQL series, registry, object store and data claims are derived from the rendered bundle",
        ]),
      );
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

  it("release pull, then --manifests on the pulled directory with the server stopped: the same plan; an edited file is refused", async () => {
    const cache = emptyCache();
    const pullServer = await startReleaseServer({
      archives: { "2.5.0": { kind: "serve", body: archives["2.5.0"] ?? Buffer.alloc(0) } },
    });
    const out = path.join(cache, "bundles");
    const pull = await runCli(["release", "pull", "--tag", "2.5.0", "--out", out], {
      appDir: appDir(),
      machine: false,
      env: { XDG_CACHE_HOME: cache, KFP_UPGRADE_RELEASE_SOURCE: pullServer.url },
    });
    expect(pull.exitCode, pull.stderr).toBe(0);
    await pullServer.close();
    expect(readdirSync(path.join(out, "2.5.0")).sort()).toEqual([
      "SHA256SUMS",
      "cluster-scoped.yaml",
      "platform-agnostic.yaml",
      "source.json",
    ]);

    const dir = appDir();
    const namespace = uniqueName("rf-pulled");
    const args = ["deploy", "--tag", "2.5.0", "--storage-class", "standard", "-n", namespace, "--dry-run"];
    const pulled = await runCli([...args, "--manifests", out], { appDir: dir });
    const shared = await runCli([...args, "--manifests", SHARED_MANIFESTS], { appDir: dir });
    expect(planOf(pulled)).toEqual(planOf(shared));

    const file = path.join(out, "2.5.0", "platform-agnostic.yaml");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace("gcr.io/ml-pipeline/mysql:8.0.26", "evil/mysql:8.0.26"),
    );
    const refused = await runCli([...args, "--manifests", out], { appDir: dir });
    expect(refused.exitCode).toBe(3);
    expect(refused.stderr).toContain(
      `error: Bundle ${out}/2.5.0 does not match its SHA256SUMS; refusing to use it`,
    );
    expect(refused.stderr).toContain(`  - ${file}: sha256 `);
    expect(refused.stderr).toContain("code: BUNDLE_CHECKSUM_MISMATCH (exit 3)");
    rmSync(cache, { recursive: true, force: true });
  });

  it("--image-registry mirror.local:5000 deploys only mirrored images, names and tags kept", async () => {
    await timed("release-fetch: deploy 2.5.0 from a mirror registry", async () => {
      const namespace = testNamespace("rf-mirror");
      const dir = appDir();
      const run = await runCli(
        [
          "deploy",
          "--tag",
          "2.5.0",
          "--storage-class",
          "standard",
          "--image-registry",
          "mirror.local:5000",
          "--manifests",
          SHARED_MANIFESTS,
          "-n",
          namespace,
        ],
        { appDir: dir },
      );
      expect(run.exitCode, run.stderr).toBe(0);
      const images = await imagesIn(namespace);
      const expected = Object.fromEntries(
        Object.entries(bundleImages("2.5.0")).map(([deployment, containers]) => [
          deployment,
          Object.fromEntries(
            Object.entries(containers).map(([container, image]) => [
              container,
              mirrorImage(image, "mirror.local:5000"),
            ]),
          ),
        ]),
      );
      expect(images).toEqual(expected);
      expect(
        Object.values(images)
          .flatMap((c) => Object.values(c))
          .every((i) => i.startsWith("mirror.local:5000/")),
      ).toBe(true);
      expect(images.mysql?.mysql).toBe("mirror.local:5000/ml-pipeline/mysql:8.0.26");
      // The mirror is remembered: later upgrades keep pulling from it.
      expect(await readFile(path.join(dir, "kfp-app.yaml"), "utf8")).toContain(
        "imageRegistry: mirror.local:5000",
      );
    });
  }, 300_000);
});

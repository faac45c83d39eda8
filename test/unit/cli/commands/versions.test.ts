import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { versions } from "../../../../src/cli/commands/versions.js";
import { buildReleaseInfo } from "../../../../src/release/build-release-info.js";
import { CATALOGUE, type Catalogue } from "../../../../src/release/catalogue.js";
import { startReleaseServer } from "../../../support/release-server.js";
import { buildReleaseArchive } from "../../../support/release-tree.js";

const repoRoot = path.resolve(import.meta.dirname, "../../../..");
const shared = path.resolve(repoRoot, "../shared/kfp-manifests");
const mixed = path.resolve(repoRoot, "test/fixtures/bundles/mixed");
const without218: Catalogue = {
  ...CATALOGUE,
  releases: CATALOGUE.releases.filter((release) => !release.version.startsWith("2.18.")),
};
const with218: Catalogue = {
  ...CATALOGUE,
  releases: [...without218.releases, buildReleaseInfo("2.18.0"), buildReleaseInfo("2.18.1")],
};

describe("versions", () => {
  it("prints the catalogue as JSON rows and an aligned table", async () => {
    const result = await versions({ output: "json" });
    expect(result.exitCode).toBeUndefined();
    expect(result.data).toContainEqual({
      version: "0.1.12",
      era: "ksonnet",
      registry: "gcr.io/ml-pipeline",
      mysqlSeries: "5.6",
      objectStore: "minio",
      dataClaims: { mysql: "mysql-pv-claim", objectStore: "minio-pvc" },
      kubeflowCommit: "a1afdd6c4b297b56dd103a8bb939ddeae67c2c92",
    });
    const lines = result.text.split("\n");
    expect(lines[0]).toBe(
      "VERSION  ERA        REGISTRY            MYSQL  OBJECT STORE  MYSQL CLAIM     OBJECT CLAIM    KUBEFLOW COMMIT",
    );
    expect(lines).toContain(
      "2.17.0   kustomize  ghcr.io/kubeflow    8.4    seaweedfs     mysql-pv-claim  seaweedfs-pvc",
    );
    expect(lines).toContain(
      "0.1.12   ksonnet    gcr.io/ml-pipeline  5.6    minio         mysql-pv-claim  minio-pvc       a1afdd6c4",
    );
  });

  it("--path prints the hops and why", async () => {
    const result = await versions({ output: "text", path: ["v1.8.5", "2.14.4"] });
    expect(result.data).toMatchObject({
      from: "1.8.5",
      to: "2.14.4",
      hops: [{ to: "2.5.0" }, { to: "2.14.4" }],
    });
    expect(result.text).toBe(
      [
        'Note: read "v1.8.5" as KFP 1.8.5 (KFP tags have no `v`)',
        "Upgrade 1.8.5 → 2.14.4: 2 hops",
        "  1. 1.8.5 → 2.5.0  (MySQL 5.7 → 8.0)",
        "     MySQL moves one series at a time; 2.5.0 is the newest release on MySQL 8.0; MySQL 5.7 → 8.0 (in-place data directory upgrade)",
        "     ! moving MySQL 5.7 → 8.0 needs KFP 2.5.0's bundle (the images strategy never touches mysql): pass --manifests DIR holding it; without it `upgrade` refuses this hop",
        "  2. 2.5.0 → 2.14.4  (MySQL 8.0 → 8.4)",
        "     the target release; MySQL 8.0 → 8.4 (in-place data directory upgrade)",
        "     ! moving MySQL 8.0 → 8.4 needs KFP 2.14.4's bundle (the images strategy never touches mysql): pass --manifests DIR holding it; without it `upgrade` refuses this hop",
      ].join("\n"),
    );
  });

  it("--path with --manifests claims a MySQL move only where a bundle can make it", async () => {
    const result = await versions({ output: "json", path: ["1.8.5", "2.14.4"], manifests: shared });
    expect(result.data).toMatchObject({
      hops: [
        { to: "2.5.0", needsBundle: true, hasBundle: true },
        { to: "2.14.4", needsBundle: true, hasBundle: true },
      ],
    });
    const onlyEnds = await versions({
      output: "text",
      path: ["2.14.4", "2.15.0"],
      manifests: mixed,
    });
    expect(onlyEnds.text).not.toContain("needs KFP");
  });

  it("--path flags the object-store switch and the one-way migration", async () => {
    const { text } = await versions({ output: "text", path: ["2.14.4", "2.17.0"] });
    expect(text).toContain("  1. 2.14.4 → 2.17.0  (MySQL 8.4)");
    expect(text).toContain("! The object store moves from MinIO to SeaweedFS on the way.");
    expect(text).toContain("! The target's database migration cannot be rolled back: back up MySQL first.");
  });

  const refused = [
    { name: "a downgrade", path: ["2.14.4", "1.8.5"], code: "DOWNGRADE" },
    { name: "an SDK-only release", path: ["1.8.5", "1.8.15"], code: "TAG_SDK_ONLY" },
    { name: "one release only", path: ["1.8.5"], code: "PATH_ARGS" },
  ];
  it.each(refused)("--path refuses $name", async ({ path: args, code }) => {
    await expect(versions({ output: "text", path: args })).rejects.toMatchObject({ code });
  });

  it("--manifests lists every shared bundle with its images and claims", async () => {
    const result = await versions({ output: "json", manifests: shared });
    expect(result.exitCode).toBeUndefined();
    expect(result.data).toContainEqual(
      expect.objectContaining({
        version: "2.15.0",
        variant: "minio",
        ok: true,
        objectStore: "minio",
        dataClaims: { mysql: "mysql-pv-claim", objectStore: "minio-pvc" },
        images: expect.arrayContaining(["minio[minio] minio/minio:RELEASE.2019-08-14T20-37-41Z"]),
      }),
    );
    expect(result.text).toContain("✓ 2.15.0 (minio variant)");
    expect(result.text.split("\n").at(-1)).toBe("12 of 12 bundles load.");
  });

  it("--manifests exits 3 naming the file and document that does not load", async () => {
    const result = await versions({ output: "text", manifests: mixed });
    expect(result.exitCode).toBe(3);
    expect(result.text).toContain(
      `${mixed}/v2.0.5/app.yaml document 1 at line 1 (deployment/ml-pipeline -n kubeflow): spec.selector:`,
    );
    expect(result.text).toContain("✓ 3.0.0");
    expect(result.text.split("\n").at(-1)).toBe("1 of 2 bundles load.");
    expect(result.data).toContainEqual(
      expect.objectContaining({
        version: "2.0.5",
        ok: false,
        error: expect.objectContaining({ code: "BUNDLE_INVALID" }),
      }),
    );
  });

  it("--path with --manifests accepts a release known only from its bundle", async () => {
    await expect(versions({ output: "json", path: ["2.17.0", "3.0.0"] })).rejects.toMatchObject({
      code: "TAG_UNKNOWN",
    });
    // 3.0.0 is known from its bundle; the path to it goes through the newest 2.18.x (a synthetic catalogue entry).
    const result = await versions(
      { output: "text", path: ["2.17.0", "3.0.0"], manifests: mixed },
      { catalogue: with218 },
    );
    expect(result.data).toMatchObject({
      hops: [
        { from: "2.17.0", to: "2.18.1" },
        { from: "2.18.1", to: "3.0.0" },
      ],
    });
    expect(result.text.split("\n").slice(0, 4)).toEqual([
      "Note: KFP 3.0.0 is not in the catalogue; its bundle alone describes it",
      "Upgrade 2.17.0 → 3.0.0: 2 hops",
      "  1. 2.17.0 → 2.18.1  (MySQL 8.4)",
      "     KFP 3.0 removes ML Metadata and refuses to start unless KFP 2.18's recurring-run adoption ran (`recurring_run_adoption id=legacy-2.18 ready=true` in the API server's log): the path goes through the newest KFP 2.18.x, 2.18.1; MySQL stays on 8.4",
    ]);
  });

  it("--path to a 3.x bundle is refused when no 2.18.x release is known", async () => {
    await expect(
      versions({ output: "json", path: ["2.17.0", "3.0.0"], manifests: mixed }, { catalogue: without218 }),
    ).rejects.toMatchObject({ code: "NO_UPGRADE_PATH", exitCode: 4 });
  });
});

describe("versions --refresh", () => {
  it("lists upstream's backend releases: the catalogue's facts where it has them, the bundle's for a new one", async () => {
    const server = await startReleaseServer({
      tags: ["sdk-2.19.0", "2.19.0", "2.17.0", "2.16.1", "2.15.2", "sdk-2.15.2", "1.8.5"],
      archives: {
        "2.19.0": { kind: "serve", body: await buildReleaseArchive("2.19.0", { from: "2.17.0" }) },
      },
    });
    onTestFinished(() => server.close());
    const progress: string[] = [];
    const upstream = {
      source: server.url,
      api: server.url,
      cacheRoot: path.join(mkdtempSync(path.join(tmpdir(), "kfp-cache-")), "releases"),
      progress: (line: string) => progress.push(line),
    };
    const result = await versions({ output: "text", refresh: true }, { upstream });
    expect(
      (result.data as { version: string; facts: string }[]).map((row) => `${row.version} ${row.facts}`),
    ).toEqual(["1.8.5 catalogue", "2.16.1 catalogue", "2.17.0 catalogue", "2.19.0 bundle"]);
    const lines = result.text.split("\n");
    expect(lines[0]).toBe(
      "VERSION  FACTS      ERA        REGISTRY            MYSQL  OBJECT STORE  MYSQL CLAIM     OBJECT CLAIM",
    );
    expect(lines).toContain(
      "2.19.0   bundle     kustomize  ghcr.io/kubeflow    8.4    seaweedfs     mysql-pv-claim  seaweedfs-pvc",
    );
    expect(lines).toContain(`4 backend releases upstream (${server.url}); newest 2.19.0.`);
    const warning =
      "the catalogue has no facts for KFP 2.19.0: MySQL series, registry, object store and data claims are derived from the rendered bundle";
    expect(lines).toContain(`! ${warning}`);
    expect(progress).toContain(`warning: ${warning}`);
  });
});

import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { CATALOGUE, findRelease } from "../../../src/release/catalogue.js";
import { resolveRelease } from "../../../src/release/resolve-release.js";
import { formatSha256Sums } from "../../../src/release/sha256sums.js";
import { FIXTURE_BUNDLES, SHARED_MANIFESTS } from "./shared-bundles.js";

const mixed = path.join(FIXTURE_BUNDLES, "mixed");

describe("resolveRelease with a bundle", () => {
  it("loads the objects and agrees with the catalogue", async () => {
    const release = await resolveRelease({ tag: "2.14.4", manifestsDir: SHARED_MANIFESTS });
    const { objects, bundleDir, variant, warnings, ...info } = release;
    expect({ bundleDir, variant, warnings }).toEqual({
      bundleDir: path.join(SHARED_MANIFESTS, "2.14.4"),
      variant: "default",
      warnings: [],
    });
    expect(objects).toHaveLength(15 + 66);
    expect(info).toMatchObject({ ...findRelease(CATALOGUE, "2.14.4"), components: expect.any(Array) });
  });

  it("picks the MinIO variant of 2.15.0, and notes the dropped v", async () => {
    const release = await resolveRelease({
      tag: "v2.15.0",
      manifestsDir: SHARED_MANIFESTS,
      variant: "minio",
    });
    expect(release).toMatchObject({
      version: "2.15.0",
      variant: "minio",
      objectStore: "minio",
      dataClaims: { mysql: "mysql-pv-claim", objectStore: "minio-pvc" },
      warnings: ['read "v2.15.0" as KFP 2.15.0 (KFP tags have no `v`)'],
    });
  });

  it("accepts a release the catalogue does not know, described by its bundle alone", async () => {
    const release = await resolveRelease({ tag: "3.0.0", manifestsDir: mixed });
    expect(release).toMatchObject({
      version: "3.0.0",
      registry: "registry.example.com:5000/kubeflow",
      objectStore: "seaweedfs",
      bundleDir: path.join(mixed, "3.0.0"),
      warnings: [
        "KFP 3.0.0 is not in the catalogue; its bundle alone describes it",
        // Still cross-checked against the rules the catalogue is built from: this fixture runs from a private registry.
        "bundle differs from the catalogue's rules for 3.0.0: registry: rules say ghcr.io/kubeflow, bundle has registry.example.com:5000/kubeflow",
      ],
    });
    expect(release.objects).toHaveLength(6);
  });

  it("warns where the bundle and the catalogue disagree, and trusts the bundle", async () => {
    const catalogue = {
      ...CATALOGUE,
      releases: CATALOGUE.releases.map((release) =>
        release.version === "2.14.4"
          ? { ...release, dataClaims: { mysql: "kfp-mysql", objectStore: "minio-pvc" } }
          : release,
      ),
    };
    const release = await resolveRelease({ tag: "2.14.4", manifestsDir: SHARED_MANIFESTS, catalogue });
    expect(release.dataClaims.mysql).toBe("mysql-pv-claim");
    expect(release.warnings).toEqual([
      "bundle differs from the catalogue: dataClaims.mysql: catalogue says kfp-mysql, bundle has mysql-pv-claim",
    ]);
  });
});

describe("resolveRelease without a bundle", () => {
  it("gives the catalogue entry with no objects", async () => {
    const release = await resolveRelease({ tag: "a1afdd6", manifestsDir: null });
    expect(release).toEqual({
      ...findRelease(CATALOGUE, "0.1.12"),
      variant: "default",
      objects: [],
      bundleDir: null,
      warnings: [
        "kubeflow/kubeflow commit a1afdd6c4 (pipelines branch, as upgrade_kfp.sh took it) pins KFP 0.1.12",
      ],
    });
  });

  it("says the manifests directory had nothing for the version", async () => {
    const release = await resolveRelease({ tag: "2.14.3", manifestsDir: SHARED_MANIFESTS });
    expect(release).toMatchObject({ objects: [], bundleDir: null });
    expect(release.warnings).toEqual([
      `${SHARED_MANIFESTS} has no bundle for 2.14.3; only the catalogue's images are known`,
    ]);
  });
});

describe("resolveRelease refuses", () => {
  function misfiled(): string {
    const dir = mkdtempSync(path.join(tmpdir(), "kfp-manifests-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    symlinkSync(path.join(SHARED_MANIFESTS, "2.14.4"), path.join(dir, "2.14.3"));
    return dir;
  }

  const cases = [
    {
      name: "a bundle that does not load",
      options: () => ({ tag: "2.0.5", manifestsDir: mixed }),
      code: "BUNDLE_INVALID",
    },
    {
      name: "a bundle filed under another version",
      options: () => ({ tag: "2.14.3", manifestsDir: misfiled() }),
      code: "BUNDLE_VERSION_MISMATCH",
    },
    {
      name: "a manifests directory that does not exist",
      options: () => ({ tag: "2.14.4", manifestsDir: path.join(FIXTURE_BUNDLES, "nowhere") }),
      code: "MANIFESTS_DIR_MISSING",
    },
    {
      name: "the MinIO variant of a bundle that has none",
      options: () => ({ tag: "2.17.0", manifestsDir: SHARED_MANIFESTS, variant: "minio" as const }),
      code: "VARIANT_MISSING",
    },
    {
      name: "the MinIO variant of a release that never offered one",
      options: () => ({ tag: "2.16.1", manifestsDir: null, variant: "minio" as const }),
      code: "VARIANT_UNAVAILABLE",
    },
    { name: "an SDK-only tag", options: () => ({ tag: "1.8.13", manifestsDir: null }), code: "TAG_SDK_ONLY" },
  ];
  it.each(cases)("$name", async ({ options, code }) => {
    await expect(resolveRelease(options())).rejects.toMatchObject({ code });
  });
});

describe("resolveRelease with SHA256SUMS", () => {
  function pulledBundle(): string {
    const root = mkdtempSync(path.join(tmpdir(), "kfp-pulled-"));
    onTestFinished(() => rmSync(root, { recursive: true, force: true }));
    const dir = path.join(root, "2.5.0");
    mkdirSync(dir);
    const files = new Map<string, string>();
    for (const name of ["cluster-scoped.yaml", "platform-agnostic.yaml"]) {
      const text = readFileSync(path.join(SHARED_MANIFESTS, "2.5.0", name), "utf8");
      files.set(name, text);
      writeFileSync(path.join(dir, name), text);
    }
    writeFileSync(path.join(dir, "SHA256SUMS"), formatSha256Sums(files));
    return root;
  }

  it("uses a bundle whose files match its SHA256SUMS", async () => {
    const root = pulledBundle();
    await expect(resolveRelease({ tag: "2.5.0", manifestsDir: root })).resolves.toMatchObject({
      version: "2.5.0",
    });
  });

  it("refuses a bundle with a modified file, naming it", async () => {
    const root = pulledBundle();
    const file = path.join(root, "2.5.0", "platform-agnostic.yaml");
    appendFileSync(file, "# edited\n");
    const error = await resolveRelease({ tag: "2.5.0", manifestsDir: root }).catch((e) => e);
    expect(error).toMatchObject({
      code: "BUNDLE_CHECKSUM_MISMATCH",
      message: `Bundle ${path.join(root, "2.5.0")} does not match its SHA256SUMS; refusing to use it`,
    });
    expect(error.details).toEqual([
      expect.stringMatching(new RegExp(`^${file}: sha256 [0-9a-f]{64} differs`)),
    ]);
  });
});

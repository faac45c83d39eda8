import { ConfigError } from "../errors.js";
import { CATALOGUE, latestRelease } from "../release/catalogue.js";
import { compareVersions, isVersion } from "../release/compare-versions.js";
import { latestUpstream } from "../release/discover-releases.js";
import { ensureRelease, type UpstreamConfig } from "../release/ensure-release.js";
import { findBundleDir } from "../release/find-bundle-dir.js";
import { resolveTag } from "../release/normalize-tag.js";
import { withImageRegistry } from "../release/pod-images.js";
import type { Release } from "../release/release.js";
import { eraFor } from "../release/release-rules.js";
import { resolveRelease } from "../release/resolve-release.js";

/**
 * Where a run's releases come from: the bundles of `--manifests` (used as they are, nothing is fetched), or, without
 * one, the release cache, filled from the release source when a release is not cached yet.
 */
export interface ReleaseLookup {
  manifestsDir: string | null;
  upstream: UpstreamConfig | null;
  /** `--image-registry` / `release.imageRegistry`: every image of every release is pulled from this mirror. */
  imageRegistry?: string | null;
  /** parsed-yaml-cache.ts: bundle files parsed once, read back as JSON by later runs. */
  parsedYamlCache?: string | undefined;
}

/**
 * Resolves a tag against the app's bundle directory. `preferMinio` asks for the `<name>-minio.yaml` variant where a
 * release has one and falls back to the default bundle elsewhere (the plan then says why MinIO cannot be kept).
 */
export async function resolveReleaseForApp(
  tag: string,
  releases: ReleaseLookup,
  variant: "default" | "minio",
): Promise<Release> {
  const root = await bundleRootFor(tag, releases);
  const resolved = await resolveVariant(root.tag, root.manifestsDir, variant, releases.parsedYamlCache);
  const release = root.warnings.length
    ? { ...resolved, warnings: [...root.warnings, ...(resolved.warnings ?? [])] }
    : resolved;
  return releases.imageRegistry ? withImageRegistry(release, releases.imageRegistry) : release;
}

async function resolveVariant(
  tag: string,
  manifestsDir: string | null,
  variant: "default" | "minio",
  parsedYamlCache: string | undefined,
): Promise<Release> {
  if (variant === "default") return resolveRelease({ tag, manifestsDir, variant, parsedYamlCache });
  try {
    return await resolveRelease({ tag, manifestsDir, variant, parsedYamlCache });
  } catch (error) {
    if (error instanceof ConfigError && error.code === "VARIANT_MISSING") {
      return resolveRelease({ tag, manifestsDir, variant: "default", parsedYamlCache });
    }
    throw error;
  }
}

/** Which releases a path may rely on having a bundle: those in --manifests, or every kustomize-era one upstream. */
export function hasBundleIn(releases: ReleaseLookup): (version: string) => boolean {
  const { manifestsDir, upstream } = releases;
  if (manifestsDir !== null) return (version) => findBundleDir(manifestsDir, version) !== null;
  if (upstream !== null) return (version) => eraFor(version) === "kustomize";
  return () => false;
}

interface BundleRoot {
  /** The tag to resolve there: `latest` is replaced by the release upstream calls latest. */
  tag: string;
  manifestsDir: string | null;
  warnings: string[];
}

/**
 * The directory to resolve `tag` in: --manifests as given; otherwise the cache, after making sure it holds a verified
 * bundle of the release (fetched when missing or failing its sums). `latest` asks upstream's tag list; a version newer
 * than the catalogue is fetched and described by its bundle. ksonnet-era releases (before 0.1.26) have no kustomize
 * tree to fetch: they stay catalogue-only, as before.
 */
async function bundleRootFor(tag: string, releases: ReleaseLookup): Promise<BundleRoot> {
  const { manifestsDir, upstream } = releases;
  if (manifestsDir !== null || upstream === null) return { tag, manifestsDir, warnings: [] };
  const warnings: string[] = [];
  let wanted = tag;
  if (tag.trim().toLowerCase() === "latest") {
    const latest = await latestUpstream(upstream, CATALOGUE);
    wanted = latest.version;
    warnings.push(...latest.warnings);
  }
  const plain = wanted.trim().replace(/^v(?=\d)/, "");
  const newest = latestRelease(CATALOGUE)?.version;
  if (isVersion(plain) && newest !== undefined && compareVersions(plain, newest) > 0) {
    // Newer than the catalogue: only upstream can say whether it exists; its bundle describes it.
    await ensureRelease(plain, upstream);
    return { tag: plain, manifestsDir: upstream.cacheRoot, warnings };
  }
  const { version } = resolveTag(wanted, CATALOGUE, {
    hasBundle: (candidate) => findBundleDir(upstream.cacheRoot, candidate) !== null,
  });
  if (eraFor(version) !== "kustomize") return { tag: wanted, manifestsDir: null, warnings };
  await ensureRelease(version, upstream);
  return { tag: wanted, manifestsDir: upstream.cacheRoot, warnings };
}

import { statSync } from "node:fs";
import { ConfigError } from "../errors.js";
import { buildReleaseInfo, withVariant } from "./build-release-info.js";
import { CATALOGUE, type Catalogue, findRelease } from "./catalogue.js";
import { compareReleaseInfo } from "./compare-release-info.js";
import { deriveReleaseInfo } from "./derive-release-info.js";
import { findBundleDir } from "./find-bundle-dir.js";
import { loadBundle } from "./load-bundle.js";
import { resolveTag } from "./normalize-tag.js";
import type { Release } from "./release.js";
import type { ReleaseInfo } from "./release-info.js";
import { hasMinioVariant, objectStoreFor, type Variant } from "./release-rules.js";
import { checkSha256Sums } from "./sha256sums.js";

export interface ResolveReleaseOptions {
  tag: string;
  /** A directory of `<version>/` bundles; null or absent when only the catalogue is used. */
  manifestsDir?: string | null;
  variant?: Variant;
  catalogue?: Catalogue;
  /** Where parsed bundle files are kept between runs (parsed-yaml-cache.ts); absent: every file is parsed. */
  parsedYamlCache?: string | undefined;
}

/**
 * A tag to one Release: the catalogue's facts, and when `manifestsDir` has a bundle for the version, its objects
 * and the facts derived from them (which win, since they are what gets applied). Disagreements become warnings.
 */
export async function resolveRelease(options: ResolveReleaseOptions): Promise<Release> {
  const catalogue = options.catalogue ?? CATALOGUE;
  const variant = options.variant ?? "default";
  const manifestsDir = options.manifestsDir ?? null;
  if (manifestsDir !== null && !statSync(manifestsDir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new ConfigError("MANIFESTS_DIR_MISSING", `Manifests directory ${manifestsDir} does not exist`, {
      hint: "Pass --manifests DIR (or KFP_UPGRADE_MANIFESTS) naming a directory with one <version>/ bundle per release",
    });
  }
  const { version, note } = resolveTag(options.tag, catalogue, {
    hasBundle: (candidate) => manifestsDir !== null && findBundleDir(manifestsDir, candidate) !== null,
  });
  const warnings = note === undefined ? [] : [note];
  const entry = findRelease(catalogue, version);
  const bundleDir = manifestsDir === null ? null : findBundleDir(manifestsDir, version);

  if (bundleDir === null) {
    if (!entry)
      throw new ConfigError("RELEASE_UNKNOWN", `KFP ${version} has neither a catalogue entry nor a bundle`);
    if (manifestsDir !== null) {
      warnings.push(`${manifestsDir} has no bundle for ${version}; only the catalogue's images are known`);
    }
    return { ...withVariant(entry, variant), variant, objects: [], bundleDir: null, warnings };
  }

  const sums = await checkSha256Sums(bundleDir);
  if (sums && !sums.ok) {
    throw new ConfigError(
      "BUNDLE_CHECKSUM_MISMATCH",
      `Bundle ${bundleDir} does not match its SHA256SUMS; refusing to use it`,
      {
        details: sums.problems,
        hint: "Copy the bundle again from where it was pulled (kfp-upgrade release pull), or remove SHA256SUMS if the change is yours",
      },
    );
  }
  const bundle = await loadBundle(bundleDir, { variant, parsedYamlCache: options.parsedYamlCache });
  if (variant === "minio" && !bundle.hasMinioVariant && objectStoreFor(version) !== "minio") {
    throw new ConfigError("VARIANT_MISSING", `Bundle ${bundleDir} has no MinIO variant (<name>-minio.yaml)`, {
      hint: `Render env/platform-agnostic-minio of ${version} into ${bundleDir}/platform-agnostic-minio.yaml`,
    });
  }
  const derived = deriveReleaseInfo(bundle.objects, `Bundle ${bundleDir}`);
  if (derived.version !== version) {
    throw new ConfigError(
      "BUNDLE_VERSION_MISMATCH",
      `Bundle ${bundleDir} holds KFP ${derived.version} (its appVersion or API server image), not ${version}`,
      { hint: `Move it to a directory named ${derived.version}, or re-render it from tag ${version}` },
    );
  }
  const info: ReleaseInfo = entry
    ? {
        ...derived,
        era: entry.era,
        ...(entry.kubeflowCommit ? { kubeflowCommit: entry.kubeflowCommit } : {}),
      }
    : derived;
  if (entry && variant === "minio" && !hasMinioVariant(version) && objectStoreFor(version) !== "minio") {
    warnings.push(`the catalogue knows no MinIO variant of ${version}, so the bundle was not cross-checked`);
  } else if (entry) {
    const differences = compareReleaseInfo(withVariant(entry, variant), derived);
    warnings.push(...differences.map((difference) => `bundle differs from the catalogue: ${difference}`));
  } else {
    warnings.push(...differencesFromRules(derived, variant));
  }
  return { ...info, variant, objects: bundle.objects, bundleDir, warnings };
}

/**
 * A release the catalogue does not know is still checked against the rules the catalogue is built from (registry,
 * object store, MySQL series and data claims by version): a difference is worth reading before the plan runs.
 */
function differencesFromRules(derived: ReleaseInfo, variant: Variant): string[] {
  const rules = buildReleaseInfo(derived.version, variant);
  const facts: [string, string, string][] = [
    ["registry", rules.registry, derived.registry],
    ["objectStore", rules.objectStore, derived.objectStore],
    ["mysqlSeries", rules.mysqlSeries, derived.mysqlSeries],
    ["dataClaims.mysql", rules.dataClaims.mysql, derived.dataClaims.mysql],
    ["dataClaims.objectStore", rules.dataClaims.objectStore, derived.dataClaims.objectStore],
  ];
  return facts
    .filter(([, expected, actual]) => expected !== actual)
    .map(
      ([name, expected, actual]) =>
        `bundle differs from the catalogue's rules for ${derived.version}: ${name}: rules say ${expected}, bundle has ${actual}`,
    );
}

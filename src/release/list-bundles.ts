import { readdir } from "node:fs/promises";
import path from "node:path";
import { ConfigError, isKfpError, type KfpError } from "../errors.js";
import { CATALOGUE, type Catalogue } from "./catalogue.js";
import { compareVersions, parseVersion } from "./compare-versions.js";
import { deploymentImages } from "./deployment-shape.js";
import type { ReleaseInfo } from "./release-info.js";
import type { Variant } from "./release-rules.js";
import { resolveRelease } from "./resolve-release.js";

export interface BundleListing {
  version: string;
  variant: Variant;
  dir: string;
  /** Set when the bundle loaded: what it holds, derived from its objects. */
  info?: ReleaseInfo;
  objectCount: number;
  /** `deployment[container] image:tag`, one per Deployment container. */
  images: string[];
  warnings: string[];
  /** Set when the bundle did not load; its details name the file and document. */
  error?: KfpError;
}

/**
 * Every `<version>/` (or `v<version>/`) bundle under `manifestsDir`, each loaded, validated and cross-checked against
 * the catalogue; a bundle with a `-minio` file is listed once per variant. Other entries are ignored.
 */
export async function listBundles(
  manifestsDir: string,
  catalogue: Catalogue = CATALOGUE,
): Promise<BundleListing[]> {
  const entries = await readdir(manifestsDir, { withFileTypes: true }).catch(
    (error: NodeJS.ErrnoException) => {
      throw new ConfigError(
        "MANIFESTS_DIR_MISSING",
        `Cannot read manifests directory ${manifestsDir}: ${error.code}`,
        {
          cause: error,
          hint: "Pass --manifests DIR naming a directory with one <version>/ bundle per release",
        },
      );
    },
  );
  const versions = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => ({ name: entry.name, version: entry.name.replace(/^v(?=\d)/, "") }))
    .filter((entry) => parseVersion(entry.version) !== undefined)
    .sort((a, b) => compareVersions(a.version, b.version));

  const listings: BundleListing[] = [];
  for (const { name, version } of versions) {
    const dir = path.join(manifestsDir, name);
    const variants: Variant[] = (await hasMinioFile(dir)) ? ["default", "minio"] : ["default"];
    for (const variant of variants)
      listings.push(await listOne(manifestsDir, dir, version, variant, catalogue));
  }
  return listings;
}

async function hasMinioFile(dir: string): Promise<boolean> {
  const names = await readdir(dir);
  return names.some((name) => {
    const match = /^(.*)-minio\.ya?ml$/i.exec(name);
    return match !== null && (names.includes(`${match[1]}.yaml`) || names.includes(`${match[1]}.yml`));
  });
}

async function listOne(
  manifestsDir: string,
  dir: string,
  version: string,
  variant: Variant,
  catalogue: Catalogue,
): Promise<BundleListing> {
  try {
    const release = await resolveRelease({ tag: version, manifestsDir, variant, catalogue });
    const { objects, bundleDir: _bundleDir, variant: _variant, warnings = [], ...info } = release;
    return {
      version,
      variant,
      dir,
      info,
      objectCount: objects.length,
      images: deploymentImages(objects).map(
        (image) => `${image.deployment}[${image.container}] ${image.image}`,
      ),
      warnings,
    };
  } catch (error) {
    if (!isKfpError(error)) throw error;
    return { version, variant, dir, objectCount: 0, images: [], warnings: [], error };
  }
}

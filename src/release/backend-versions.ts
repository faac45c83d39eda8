import type { Catalogue } from "./catalogue.js";
import { compareVersions, isVersion } from "./compare-versions.js";

/**
 * The backend release versions among kubeflow/pipelines' tag names, oldest first: plain `X.Y.Z` tags (a leading `v`
 * dropped). `sdk-*` and other prefixed tags, prereleases (`-rc.1`) and the tags the catalogue knows to be SDK-only
 * (their manifests carry an older release's images) are left out.
 */
export function backendVersions(tagNames: readonly string[], catalogue: Catalogue): string[] {
  const versions = new Set<string>();
  for (const name of tagNames) {
    const version = name.replace(/^v(?=\d)/, "");
    if (!/^\d+\.\d+\.\d+$/.test(version) || !isVersion(version)) continue;
    if (catalogue.sdkOnly.includes(version)) continue;
    versions.add(version);
  }
  return [...versions].sort(compareVersions);
}

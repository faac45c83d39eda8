import { readdir } from "node:fs/promises";
import { isKfpError } from "../errors.js";
import { backendVersions } from "./backend-versions.js";
import { type Catalogue, findRelease, latestRelease } from "./catalogue.js";
import { compareVersions, isVersion } from "./compare-versions.js";
import type { UpstreamConfig } from "./ensure-release.js";
import { cachedBundle } from "./release-cache.js";

/** Backend releases upstream lists (`sdk-*`, prereleases and SDK-only tags left out), oldest first. */
export async function upstreamBackendVersions(
  upstream: UpstreamConfig,
  catalogue: Catalogue,
): Promise<string[]> {
  const { listUpstreamTags } = await import("./upstream/list-tags.js");
  upstream.progress?.(`Reading the release tags of kubeflow/pipelines from ${upstream.api}`);
  const tags = await listUpstreamTags({
    api: upstream.api,
    ...(upstream.token ? { token: upstream.token } : {}),
    ...(upstream.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: upstream.idleTimeoutMs }),
    ...(upstream.signal ? { signal: upstream.signal } : {}),
  });
  return backendVersions(tags, catalogue);
}

/** One line naming the releases the catalogue has no facts for, or nothing. */
export function unknownReleasesWarning(versions: readonly string[], catalogue: Catalogue): string[] {
  const unknown = versions.filter((version) => !findRelease(catalogue, version));
  if (unknown.length === 0) return [];
  return [
    `the catalogue has no facts for KFP ${unknown.join(", ")}: MySQL series, registry, object store and data claims are derived from the rendered bundle`,
  ];
}

export interface LatestRelease {
  version: string;
  warnings: string[];
}

/**
 * What `latest` means: the newest backend release upstream; offline (the tag list cannot be read), the newest
 * release that is cached or in the catalogue, and a warning saying so.
 */
export async function latestUpstream(upstream: UpstreamConfig, catalogue: Catalogue): Promise<LatestRelease> {
  try {
    const versions = await upstreamBackendVersions(upstream, catalogue);
    const newest = versions.at(-1);
    if (newest !== undefined) {
      return {
        version: newest,
        warnings: [
          `latest is KFP ${newest}, the newest backend release tag upstream`,
          ...unknownReleasesWarning([newest], catalogue),
        ],
      };
    }
  } catch (error) {
    if (!isKfpError(error) || upstream.signal?.aborted) throw error;
    const fallback = await newestLocal(upstream, catalogue);
    return {
      version: fallback,
      warnings: [
        `cannot read the upstream tag list (${error.message}); latest falls back to the newest cached or known release, KFP ${fallback}`,
      ],
    };
  }
  const fallback = await newestLocal(upstream, catalogue);
  return { version: fallback, warnings: [`upstream lists no backend release; latest is KFP ${fallback}`] };
}

async function newestLocal(upstream: UpstreamConfig, catalogue: Catalogue): Promise<string> {
  const names = await readdir(upstream.cacheRoot).catch(() => [] as string[]);
  const cached: string[] = [];
  for (const name of names.filter(isVersion)) {
    if ((await cachedBundle(upstream.cacheRoot, name)).state === "valid") cached.push(name);
  }
  const known = latestRelease(catalogue)?.version;
  return [...cached, ...(known ? [known] : [])].sort(compareVersions).at(-1) ?? "0.0.0";
}

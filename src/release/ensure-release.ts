import { cachedBundle } from "./release-cache.js";

export const DEFAULT_RELEASE_SOURCE = "https://github.com/kubeflow/pipelines";
export const DEFAULT_GITHUB_API = "https://api.github.com";

export interface UpstreamConfig {
  /** Base URL of kubeflow/pipelines or a mirror laid out like it (`<source>/archive/refs/tags/<tag>.tar.gz`). */
  source: string;
  /** GitHub's REST API (or a server answering its paths) for the tag list. */
  api: string;
  /** GITHUB_TOKEN, sent only to `api`; never printed. */
  token?: string;
  cacheRoot: string;
  progress?: (message: string) => void;
  idleTimeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * The cache directory holding `version`'s bundle: the cached one when its SHA256SUMS match, otherwise fetched (and
 * rendered) again. A cache that fails its sums is never used. The fetch code is imported only when a fetch is needed.
 */
export async function ensureRelease(version: string, upstream: UpstreamConfig): Promise<string> {
  const cached = await cachedBundle(upstream.cacheRoot, version);
  if (cached.state === "valid") return cached.dir;
  if (cached.state === "invalid") {
    upstream.progress?.(
      `The cached bundle of KFP ${version} fails its checksums; fetching it again:\n  ${cached.problems.join("\n  ")}`,
    );
  }
  const { fetchRelease } = await import("./upstream/fetch-release.js");
  const fetched = await fetchRelease(version, {
    source: upstream.source,
    outDir: upstream.cacheRoot,
    ...(upstream.progress ? { progress: upstream.progress } : {}),
    ...(upstream.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: upstream.idleTimeoutMs }),
    ...(upstream.signal ? { signal: upstream.signal } : {}),
  });
  return fetched.dir;
}

import { statSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { checkSha256Sums } from "./sha256sums.js";

/** `${XDG_CACHE_HOME:-~/.cache}/kfp-upgrade`: where every cache of kfp-upgrade's lives. */
export function kfpUpgradeCacheDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : undefined;
  return path.join(base ?? path.join(homedir(), ".cache"), "kfp-upgrade");
}

/** `${XDG_CACHE_HOME:-~/.cache}/kfp-upgrade/releases`: one `<version>/` bundle per fetched release. */
export function releaseCacheRoot(env: NodeJS.ProcessEnv): string {
  return path.join(kfpUpgradeCacheDir(env), "releases");
}

export type CachedBundle =
  | { state: "valid"; dir: string }
  | { state: "missing" }
  | { state: "invalid"; dir: string; problems: string[] };

/** A cached bundle counts only when its SHA256SUMS exists and every file matches it. */
export async function cachedBundle(cacheRoot: string, version: string): Promise<CachedBundle> {
  const dir = path.join(cacheRoot, version);
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return { state: "missing" };
  const check = await checkSha256Sums(dir).catch((error: Error) => ({
    ok: false,
    problems: [`${dir}: ${error.message}`],
  }));
  if (check === null) return { state: "invalid", dir, problems: [`${dir} has no SHA256SUMS`] };
  return check.ok ? { state: "valid", dir } : { state: "invalid", dir, problems: check.problems };
}

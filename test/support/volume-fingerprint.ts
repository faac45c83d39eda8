import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { lstat, readdir, readlink } from "node:fs/promises";
import { join } from "node:path";
import { KFP_SCHEMA_FILE, MYSQL_UPGRADE_INFO_FILE } from "../../local-cluster/data-store-rules.js";

/** Just the part of a PersistentVolume this helper reads; a full V1PersistentVolume fits. */
export interface HostPathPvLike {
  metadata?: { name?: string };
  spec?: { hostPath?: { path?: string } };
}

/** One line of a volume manifest: a directory, a file (size + content sha256) or a symlink (its target). */
export type VolumeEntry =
  | { type: "dir"; path: string }
  | { type: "file"; path: string; size: number; sha256: string }
  | { type: "symlink"; path: string; target: string };

function hostPathOf(source: HostPathPvLike | string): string {
  if (typeof source === "string") return source;
  const path = source.spec?.hostPath?.path;
  if (path === undefined) {
    throw new Error(`persistentvolume/${source.metadata?.name ?? "?"} has no spec.hostPath.path`);
  }
  return path;
}

async function fileSha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/**
 * Files at a volume's root that record which program version last ran on it: `mysql_upgrade_info` (MySQL rewrites
 * it on every upgrade, as the data-store simulation does) and the simulation's `.kfp-simulated-schema`. They are
 * bookkeeping, not data: fingerprints leave them out, so "the same bytes" means the same data after an upgrade that
 * was allowed to start. test/support/mysql-data.ts reads them.
 */
export const BOOKKEEPING_FILES: readonly string[] = [MYSQL_UPGRADE_INFO_FILE, KFP_SCHEMA_FILE];

/**
 * Every entry under the volume's directory, sorted by relative path (modes and times are ignored: only what a
 * database would lose), without the BOOKKEEPING_FILES at its root. Null when the directory does not exist.
 */
export async function volumeManifest(source: HostPathPvLike | string): Promise<VolumeEntry[] | null> {
  const root = hostPathOf(source);
  const rootStat = await lstat(root).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return null;
    throw error;
  });
  if (rootStat === null) return null;
  if (!rootStat.isDirectory()) throw new Error(`${root} is not a directory`);
  const entries: VolumeEntry[] = [];
  const walk = async (relative: string): Promise<void> => {
    const names = (await readdir(join(root, relative))).sort();
    for (const name of names) {
      if (relative === "" && BOOKKEEPING_FILES.includes(name)) continue;
      const path = relative === "" ? name : `${relative}/${name}`;
      const absolute = join(root, path);
      const stat = await lstat(absolute);
      if (stat.isDirectory()) {
        entries.push({ type: "dir", path });
        await walk(path);
      } else if (stat.isSymbolicLink()) {
        entries.push({ type: "symlink", path, target: await readlink(absolute) });
      } else {
        entries.push({ type: "file", path, size: stat.size, sha256: await fileSha256(absolute) });
      }
    }
  };
  await walk("");
  return entries;
}

/**
 * sha256 over the sorted file tree behind a hostPath PV (or a directory path): relative paths, sizes and contents.
 * Null when the directory does not exist, e.g. after the reclaim policy Delete removed it.
 */
export async function volumeFingerprint(source: HostPathPvLike | string): Promise<string | null> {
  const manifest = await volumeManifest(source);
  if (manifest === null) return null;
  const hash = createHash("sha256");
  for (const entry of manifest) {
    switch (entry.type) {
      case "dir":
        hash.update(`D ${entry.path}\n`);
        break;
      case "file":
        hash.update(`F ${entry.path} ${entry.size} ${entry.sha256}\n`);
        break;
      case "symlink":
        hash.update(`L ${entry.path} ${entry.target}\n`);
        break;
      default:
        entry satisfies never;
    }
  }
  return hash.digest("hex");
}

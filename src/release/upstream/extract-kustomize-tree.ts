import { mkdir, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { ConfigError } from "../../errors.js";
import type { TarEntry } from "./read-tar.js";

export const KUSTOMIZE_ROOT = "manifests/kustomize";

export interface ExtractedTree {
  /** The archive's single top folder, e.g. `pipelines-2.14.4`. */
  topFolder: string;
  /** `<destDir>/manifests/kustomize`. */
  root: string;
  files: number;
}

/**
 * Writes the `manifests/kustomize` part of a source archive under `destDir`, dropping the archive's single top folder
 * (`pipelines-<tag>/`). Refuses an archive with more than one top folder, without `manifests/kustomize`, or with a
 * path or symlink that would leave the tree. Nothing outside `manifests/kustomize` is written.
 */
export async function extractKustomizeTree(
  entries: readonly TarEntry[],
  destDir: string,
  source: string,
): Promise<ExtractedTree> {
  const tops = new Set(entries.map((entry) => entry.path.replace(/^\.\//, "").split("/")[0] ?? ""));
  tops.delete("");
  const [topFolder] = tops;
  if (tops.size !== 1 || topFolder === undefined) {
    throw new ConfigError(
      "ARCHIVE_LAYOUT",
      `${source} has ${tops.size} top-level entries (${[...tops].slice(0, 5).join(", ")}); a release source archive has exactly one folder`,
      { hint: "--release-source must serve <source>/archive/refs/tags/<tag>.tar.gz laid out as GitHub does" },
    );
  }
  const prefix = `${topFolder}/${KUSTOMIZE_ROOT}/`;
  let files = 0;
  for (const entry of entries) {
    const relative = entry.path.replace(/^\.\//, "");
    if (!relative.startsWith(prefix)) continue;
    const inner = relative.slice(prefix.length).replace(/\/$/, "");
    if (inner === "") continue;
    const target = path.join(destDir, KUSTOMIZE_ROOT, inner);
    if (!isInside(path.join(destDir, KUSTOMIZE_ROOT), target)) {
      throw new ConfigError("ARCHIVE_LAYOUT", `${source}: entry ${entry.path} points outside the archive`);
    }
    if (entry.type === "directory") {
      await mkdir(target, { recursive: true });
    } else if (entry.type === "file") {
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, entry.data, { mode: entry.mode & 0o755 });
      files++;
    } else if (entry.type === "symlink") {
      const resolved = path.resolve(path.dirname(target), entry.linkTarget);
      if (path.isAbsolute(entry.linkTarget) || !isInside(path.join(destDir, KUSTOMIZE_ROOT), resolved)) {
        throw new ConfigError(
          "ARCHIVE_LAYOUT",
          `${source}: symlink ${entry.path} -> ${entry.linkTarget} leaves manifests/kustomize`,
        );
      }
      await mkdir(path.dirname(target), { recursive: true });
      await symlink(entry.linkTarget, target);
    }
  }
  if (files === 0) {
    throw new ConfigError("ARCHIVE_LAYOUT", `${source} has no ${KUSTOMIZE_ROOT}/ under ${topFolder}/`, {
      hint: "KFP releases before 0.1.26 were installed with ksonnet and have no kustomize tree",
    });
  }
  return { topFolder, root: path.join(destDir, KUSTOMIZE_ROOT), files };
}

function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative);
}

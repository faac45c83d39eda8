import { createHash } from "node:crypto";
import { lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import path from "node:path";

/**
 * Every entry under `dir` (relative path -> "dir", "-> target" for a symlink, or the file's sha256), or `{}` when
 * `dir` does not exist: compare two of these to prove a refused command wrote nothing into a KFAPP.
 */
export function dirState(dir: string): Record<string, string> {
  const state: Record<string, string> = {};
  const walk = (relative: string): void => {
    const absolute = path.join(dir, relative);
    const stat = lstatSync(absolute, { throwIfNoEntry: false });
    if (!stat) return;
    if (stat.isSymbolicLink()) state[relative] = `-> ${readlinkSync(absolute)}`;
    else if (stat.isDirectory()) {
      if (relative !== "") state[relative] = "dir";
      for (const name of readdirSync(absolute).sort()) walk(path.join(relative, name));
    } else state[relative] = createHash("sha256").update(readFileSync(absolute)).digest("hex");
  };
  walk("");
  return state;
}

/** Every file under `dir` read as text, for searching what a run wrote (journal, history, saved volumes). */
export function filesUnder(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [relative, kind] of Object.entries(dirState(dir))) {
    if (kind !== "dir" && !kind.startsWith("-> "))
      files[relative] = readFileSync(path.join(dir, relative), "utf8");
  }
  return files;
}

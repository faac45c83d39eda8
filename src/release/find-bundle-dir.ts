import { statSync } from "node:fs";
import path from "node:path";

/** `<manifestsDir>/<version>/`, or `<manifestsDir>/v<version>/` as people also name them; null when neither exists. */
export function findBundleDir(manifestsDir: string, version: string): string | null {
  for (const name of [version, `v${version}`]) {
    const dir = path.join(manifestsDir, name);
    if (statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return dir;
  }
  return null;
}

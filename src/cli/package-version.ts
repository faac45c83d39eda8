import { readFileSync } from "node:fs";

/**
 * kfp-upgrade's version, from the package.json two levels up (src/cli from source, dist/cli or dist/bundle when
 * built). Checked by hand, not with zod: this runs for `--help`, which must not load zod (see README, Performance).
 */
export function packageVersion(): string {
  const text = readFileSync(new URL("../../package.json", import.meta.url), "utf8");
  const parsed: unknown = JSON.parse(text);
  if (
    typeof parsed === "object" &&
    parsed !== null &&
    "version" in parsed &&
    typeof parsed.version === "string"
  ) {
    return parsed.version;
  }
  throw new Error(`package.json has no version string: ${text.slice(0, 80)}`);
}

import { ConfigError } from "../errors.js";
import type { Release } from "../release/release.js";
import { resolveRelease } from "../release/resolve-release.js";

/**
 * Resolves a tag against the app's bundle directory. `preferMinio` asks for the `<name>-minio.yaml` variant where a
 * release has one and falls back to the default bundle elsewhere (the plan then says why MinIO cannot be kept).
 */
export async function resolveReleaseForApp(
  tag: string,
  manifestsDir: string | null,
  variant: "default" | "minio",
): Promise<Release> {
  if (variant === "default") return resolveRelease({ tag, manifestsDir, variant });
  try {
    return await resolveRelease({ tag, manifestsDir, variant });
  } catch (error) {
    if (error instanceof ConfigError && error.code === "VARIANT_MISSING") {
      return resolveRelease({ tag, manifestsDir, variant: "default" });
    }
    throw error;
  }
}

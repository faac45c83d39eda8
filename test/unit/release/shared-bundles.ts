import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

const repoRoot = path.resolve(import.meta.dirname, "../../..");

/** The rendered KFP release bundles beside the repository (a fresh clone in CI has ../shared next to it). */
export const SHARED_MANIFESTS = path.resolve(repoRoot, "../shared/kfp-manifests");
export const FIXTURE_BUNDLES = path.resolve(repoRoot, "test/fixtures/bundles");

export interface SharedBundle {
  name: string;
  version: string;
  variant: "default" | "minio";
}

/** Every version directory in SHARED_MANIFESTS, once per variant its files offer; read from disk, not a list. */
export function sharedBundles(): SharedBundle[] {
  return readdirSync(SHARED_MANIFESTS, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => {
      const files = readdirSync(path.join(SHARED_MANIFESTS, entry.name));
      const variants = files.some((file) => file.endsWith("-minio.yaml"))
        ? (["default", "minio"] as const)
        : (["default"] as const);
      return variants.map((variant) => ({ name: `${entry.name} ${variant}`, version: entry.name, variant }));
    });
}

/** The versions index.json says the shared directory holds, to prove the directory walk found them all. */
export function indexedVersions(): string[] {
  const index: { version: string }[] = JSON.parse(
    readFileSync(path.join(SHARED_MANIFESTS, "index.json"), "utf8"),
  );
  return [...new Set(index.map((entry) => entry.version))];
}

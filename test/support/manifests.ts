import path from "node:path";
import type { UpgradeHop, UpgradePlanInput } from "../../src/plan/build-upgrade-plan.js";
import { findBundleDir } from "../../src/release/find-bundle-dir.js";
import { pathFor } from "../../src/release/path-for.js";
import type { Release } from "../../src/release/release.js";
import { resolveRelease } from "../../src/release/resolve-release.js";

const repoRoot = path.resolve(import.meta.dirname, "../..");

/** The rendered KFP release bundles beside the repository (a fresh clone in CI has ../shared next to it). */
export const SHARED_MANIFESTS = path.resolve(repoRoot, "../shared/kfp-manifests");

type Variant = Release["variant"];

// Parsing a bundle (2.17.0 is 883 KB) is the slow part of a plan test; each is read once per test file, and every
// caller gets its own copy so no test can see another's changes.
const loaded = new Map<string, Promise<Release>>();

/** A release resolved the way the CLI does it: `resolveRelease({tag, manifestsDir})` over the shared bundles. */
export async function sharedRelease(tag: string, variant: Variant = "default"): Promise<Release> {
  const key = `${tag}/${variant}`;
  let release = loaded.get(key);
  if (!release) {
    release = resolveRelease({ tag, manifestsDir: SHARED_MANIFESTS, variant });
    loaded.set(key, release);
  }
  return structuredClone(await release);
}

/** A release known only from the catalogue (no bundle): what a ksonnet-era 0.1.x tag resolves to. */
export function catalogueRelease(tag: string): Promise<Release> {
  return resolveRelease({ tag });
}

/** The installed release as `upgrade` passes it to the plan builder: catalogue facts plus its bundle's objects. */
export function installedRelease(version: string, variant: Variant = "default"): Promise<Release> {
  return sharedRelease(version, variant);
}

/** The hops `pathFor` takes from `from` to `to`, each with its release loaded from the shared bundles. */
export async function sharedHops(
  from: string,
  to: string,
  variant: Variant = "default",
): Promise<UpgradeHop[]> {
  const path = pathFor(from, to, {
    hasBundle: (version) => findBundleDir(SHARED_MANIFESTS, version) !== null,
  });
  return Promise.all(
    path.hops.map(async (hop) => ({
      from: hop.from,
      to: hop.to,
      reason: hop.reason,
      release: await sharedRelease(hop.to, variant),
    })),
  );
}

export type InstalledRelease = UpgradePlanInput["installed"];

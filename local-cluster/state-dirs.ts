import { mkdir, mkdtemp, readdir } from "node:fs/promises";
import { join } from "node:path";

/**
 * All cluster state lives under /tmp (not $TMPDIR): the hostPath deleter only removes paths matching /tmp/.+,
 * and a reboot clears stale clusters. One root per user so machines shared by several users do not collide.
 */
export function stateRoot(): string {
  return `/tmp/kfp-upgrade-${process.getuid?.() ?? "user"}`;
}

/** The shared dev cluster of `npm run cluster:up` (override with KFP_UPGRADE_CLUSTER_DIR, which must contain /tmp/). */
export function devClusterStateDir(): string {
  return process.env.KFP_UPGRADE_CLUSTER_DIR ?? join(stateRoot(), "cluster");
}

/** A fresh, empty directory for one more cluster (the e2e run's, or a second "fresh control plane"). */
export async function newClusterStateDir(label = "e2e"): Promise<string> {
  const parent = join(stateRoot(), "e2e");
  await mkdir(parent, { recursive: true });
  return mkdtemp(join(parent, `${label}-`));
}

/** Every state dir made by newClusterStateDir (e2e runs and second clusters); not the dev cluster. */
export async function e2eClusterStateDirs(): Promise<string[]> {
  const parent = join(stateRoot(), "e2e");
  return (await readdir(parent).catch(() => [] as string[])).map((name) => join(parent, name));
}

import type { ClusterSnapshot } from "./cluster-snapshot.js";
import { installersOf } from "./field-owners.js";

export interface InstallerCount {
  installer: string;
  objects: number;
}

/**
 * Who installed the install's objects, for `status`: every object in its namespace, the Namespace, and the
 * cluster-scoped objects KFP's label or kfp-upgrade's marks tie to it (other ClusterRoles are not KFP's). An object
 * two tools touched counts for both; most objects first, then by name.
 */
export function installerCounts(snapshot: ClusterSnapshot): InstallerCount[] {
  const namespace = snapshot.namespace.name;
  const tied = new Set(
    snapshot.objects.filter((o) => o.namespace === null).map((o) => `${o.kind}/${o.name}`),
  );
  const counts = new Map<string, number>();
  for (const entry of snapshot.ownership) {
    const ours =
      entry.namespace === namespace ||
      (entry.kind === "Namespace" && entry.name === namespace) ||
      (entry.namespace === null && tied.has(`${entry.kind}/${entry.name}`));
    if (!ours) continue;
    for (const installer of installersOf(entry)) counts.set(installer, (counts.get(installer) ?? 0) + 1);
  }
  return [...counts.entries()]
    .map(([installer, objects]) => ({ installer, objects }))
    .sort(
      (a, b) => b.objects - a.objects || (a.installer < b.installer ? -1 : a.installer > b.installer ? 1 : 0),
    );
}

/** `kubectl (client-side apply): 81 objects, kfp-upgrade: 3 objects`. */
export function describeInstallers(counts: InstallerCount[]): string {
  if (counts.length === 0) return "unknown (no field managers or marks recorded)";
  return counts
    .map(({ installer, objects }) => `${installer}: ${objects} object${objects === 1 ? "" : "s"}`)
    .join(", ");
}

import { z } from "zod";

/**
 * Where a PV's data lives: the part of its spec that names the storage (hostPath path, CSI driver and handle, GCE
 * PD name; other kinds by their key and server:path). Two PVs with the same source hold the same data, whatever
 * their names; a PV is matched to a saved definition by it, not by name alone.
 */
export const volumeSourceSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("hostPath"), path: z.string() }),
  z.object({ type: z.literal("gcePersistentDisk"), pdName: z.string() }),
  z.object({ type: z.literal("csi"), driver: z.string(), volumeHandle: z.string() }),
  z.object({ type: z.literal("other"), description: z.string() }),
]);
export type VolumeSource = z.infer<typeof volumeSourceSchema>;

const NOT_A_SOURCE = new Set([
  "accessModes",
  "capacity",
  "claimRef",
  "mountOptions",
  "nodeAffinity",
  "persistentVolumeReclaimPolicy",
  "storageClassName",
  "volumeMode",
  "volumeAttributesClassName",
]);

type Json = Record<string, unknown>;

/** The volume source of a PV's spec; unknown shapes degrade to `other`, never throw. */
export function volumeSource(spec: unknown): VolumeSource {
  const s = record(spec);
  if (s.hostPath !== undefined) return { type: "hostPath", path: text(record(s.hostPath).path) ?? "" };
  if (s.gcePersistentDisk !== undefined) {
    return { type: "gcePersistentDisk", pdName: text(record(s.gcePersistentDisk).pdName) ?? "" };
  }
  if (s.csi !== undefined) {
    const csi = record(s.csi);
    return { type: "csi", driver: text(csi.driver) ?? "", volumeHandle: text(csi.volumeHandle) ?? "" };
  }
  const key = Object.keys(s).find((name) => !NOT_A_SOURCE.has(name));
  if (!key) return { type: "other", description: "no volume source" };
  const source = record(s[key]);
  const detail = [text(source.server), text(source.path)].filter(Boolean).join(":");
  return { type: "other", description: detail ? `${key} ${detail}` : key };
}

/** `hostPath /data/kfp-mysql`, `csi pd.csi.storage.gke.io projects/p/zones/z/disks/d`, `gcePersistentDisk d`. */
export function describeVolumeSource(source: VolumeSource): string {
  switch (source.type) {
    case "hostPath":
      return `hostPath ${source.path}`;
    case "gcePersistentDisk":
      return `gcePersistentDisk ${source.pdName}`;
    case "csi":
      return `csi ${source.driver} ${source.volumeHandle}`;
    case "other":
      return source.description;
    default:
      source satisfies never;
      return "";
  }
}

export function sameVolumeSource(a: VolumeSource, b: VolumeSource): boolean {
  return describeVolumeSource(a) === describeVolumeSource(b) && a.type === b.type;
}

function record(value: unknown): Json {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

import { z } from "zod";

/**
 * What last wrote a data volume: the KFP release whose API server ran on it, the MySQL series that last opened
 * the data directory, and the object store that served the artifacts. Recorded on each data PV (an annotation)
 * after every successful deploy, upgrade and reinstall, and kept with the saved PV definitions, so a later deploy
 * or reinstall onto the same data can refuse a release that would downgrade or skip what the data needs.
 */
export const DATA_WRITER_ANNOTATION = "kfp-upgrade.kubeflow.org/data-written-by";

export const dataWriterSchema = z.object({
  kfpVersion: z.string().min(1),
  mysqlSeries: z.string().min(1),
  objectStore: z.enum(["minio", "seaweedfs"]),
});
export type DataWriter = z.infer<typeof dataWriterSchema>;

/** The writer recorded in an object's annotations; null when absent or unreadable (an older kfp-upgrade wrote it). */
export function dataWriterOf(annotations: Record<string, string> | undefined): DataWriter | null {
  const value = annotations?.[DATA_WRITER_ANNOTATION];
  if (value === undefined) return null;
  try {
    const parsed = dataWriterSchema.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The annotation value: compact JSON with the keys in a fixed order. */
export function formatDataWriter(writer: DataWriter): string {
  return JSON.stringify({
    kfpVersion: writer.kfpVersion,
    mysqlSeries: writer.mysqlSeries,
    objectStore: writer.objectStore,
  });
}

/** `KFP 2.14.4 (MySQL 8.4, minio)`. */
export function describeDataWriter(writer: DataWriter): string {
  return `KFP ${writer.kfpVersion} (MySQL ${writer.mysqlSeries}, ${writer.objectStore === "minio" ? "MinIO" : "SeaweedFS"})`;
}

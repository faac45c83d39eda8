import { describe, expect, it } from "vitest";
import {
  DATA_WRITER_ANNOTATION,
  dataWriterOf,
  describeDataWriter,
  formatDataWriter,
} from "../../../src/model/data-writer.js";

describe("the data-written-by annotation", () => {
  const writer = { kfpVersion: "2.15.0", mysqlSeries: "8.4", objectStore: "minio" as const };
  const cases = [
    { name: "round trip", annotations: { [DATA_WRITER_ANNOTATION]: formatDataWriter(writer) }, read: writer },
    { name: "absent", annotations: undefined, read: null },
    { name: "not JSON", annotations: { [DATA_WRITER_ANNOTATION]: "2.15.0" }, read: null },
    {
      name: "an unknown object store",
      annotations: {
        [DATA_WRITER_ANNOTATION]: '{"kfpVersion":"2.15.0","mysqlSeries":"8.4","objectStore":"s3"}',
      },
      read: null,
    },
  ];
  it.each(cases)("$name", ({ annotations, read }) => {
    expect(dataWriterOf(annotations)).toEqual(read);
  });

  it("is compact JSON in a fixed key order, and reads well", () => {
    expect(formatDataWriter({ objectStore: "minio", mysqlSeries: "8.4", kfpVersion: "2.15.0" })).toBe(
      '{"kfpVersion":"2.15.0","mysqlSeries":"8.4","objectStore":"minio"}',
    );
    expect(describeDataWriter(writer)).toBe("KFP 2.15.0 (MySQL 8.4, MinIO)");
  });
});

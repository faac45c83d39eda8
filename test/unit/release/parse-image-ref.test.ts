import { describe, expect, it } from "vitest";
import { parseImageRef } from "../../../src/release/parse-image-ref.js";

describe("parseImageRef", () => {
  const cases = [
    {
      name: "tagged",
      image: "ghcr.io/kubeflow/kfp-api-server:2.17.0",
      repository: "ghcr.io/kubeflow/kfp-api-server",
      tag: "2.17.0",
    },
    { name: "docker hub short name", image: "mysql:8.4", repository: "mysql", tag: "8.4" },
    { name: "untagged", image: "minio/minio", repository: "minio/minio", tag: undefined },
    {
      name: "registry port is not a tag",
      image: "localhost:5000/mysql",
      repository: "localhost:5000/mysql",
      tag: undefined,
    },
    {
      name: "port and tag",
      image: "localhost:5000/mysql:5.7-debian",
      repository: "localhost:5000/mysql",
      tag: "5.7-debian",
    },
    { name: "digest", image: "mysql:8.4@sha256:abc", repository: "mysql", tag: "8.4" },
  ];
  it.each(cases)("$name", ({ image, repository, tag }) => {
    expect(parseImageRef(image)).toMatchObject({ repository, tag });
  });
});

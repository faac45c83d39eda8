import { describe, expect, it } from "vitest";
import { mysqlSeriesOfImage, runningServers } from "../../../src/model/running-servers.js";

describe("mysqlSeriesOfImage", () => {
  const cases = [
    { name: "5.6", image: "mysql:5.6", series: "5.6" },
    { name: "5.7-debian", image: "gcr.io/ml-pipeline/mysql:5.7-debian", series: "5.7" },
    { name: "8.0.26", image: "mysql:8.0.26", series: "8.0" },
    { name: "8.4", image: "mysql:8.4", series: "8.4" },
    { name: "a registry with a port", image: "localhost:5000/mysql:8.4.3@sha256:abc", series: "8.4" },
    { name: "a major only", image: "mysql:8", series: null },
    { name: "latest", image: "mysql:latest", series: null },
    { name: "no tag", image: "mysql", series: null },
    { name: "an innovation release", image: "mysql:8.3.0", series: null },
    { name: "8.40 is not 8.4", image: "mysql:8.40", series: null },
  ];
  it.each(cases)("$name", ({ image, series }) => {
    expect(mysqlSeriesOfImage(image)).toBe(series);
  });
});

describe("runningServers", () => {
  it("reads the mysql image's series and the API server's version from the Deployments", () => {
    expect(
      runningServers([
        { name: "mysql", containers: [{ name: "mysql", image: "gcr.io/ml-pipeline/mysql:8.0.26" }] },
        {
          name: "ml-pipeline",
          containers: [{ name: "ml-pipeline-api-server", image: "ghcr.io/kubeflow/kfp-api-server:2.5.0" }],
        },
      ]),
    ).toEqual({
      mysql: { image: "gcr.io/ml-pipeline/mysql:8.0.26", series: "8.0" },
      apiServer: { image: "ghcr.io/kubeflow/kfp-api-server:2.5.0", version: "2.5.0" },
    });
  });

  it("is empty without those Deployments", () => {
    expect(runningServers([])).toEqual({ mysql: null, apiServer: null });
  });
});

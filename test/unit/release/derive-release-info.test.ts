import path from "node:path";
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../src/model/kube-object.js";
import { deriveReleaseInfo } from "../../../src/release/derive-release-info.js";
import { loadBundle } from "../../../src/release/load-bundle.js";
import { FIXTURE_BUNDLES, SHARED_MANIFESTS } from "./shared-bundles.js";

// From the tables of ../shared/kfp-manifests/README.md §3, not from the catalogue.
const bundles = [
  {
    name: "0.5.1",
    version: "0.5.1",
    variant: "default",
    registry: "gcr.io/ml-pipeline",
    mysql: "5.6",
    store: "minio",
    claim: "minio-pvc",
    deployments: 15,
  },
  {
    name: "1.0.4",
    version: "1.0.4",
    variant: "default",
    registry: "gcr.io/ml-pipeline",
    mysql: "5.6",
    store: "minio",
    claim: "minio-pvc",
    deployments: 15,
  },
  {
    name: "1.4.1",
    version: "1.4.1",
    variant: "default",
    registry: "gcr.io/ml-pipeline",
    mysql: "5.6",
    store: "minio",
    claim: "minio-pvc",
    deployments: 15,
  },
  {
    name: "1.8.5",
    version: "1.8.5",
    variant: "default",
    registry: "gcr.io/ml-pipeline",
    mysql: "5.7",
    store: "minio",
    claim: "minio-pvc",
    deployments: 14,
  },
  {
    name: "2.0.5",
    version: "2.0.5",
    variant: "default",
    registry: "gcr.io/ml-pipeline",
    mysql: "8.0",
    store: "minio",
    claim: "minio-pvc",
    deployments: 14,
  },
  {
    name: "2.3.0",
    version: "2.3.0",
    variant: "default",
    registry: "gcr.io/ml-pipeline",
    mysql: "8.0",
    store: "minio",
    claim: "minio-pvc",
    deployments: 14,
  },
  {
    name: "2.5.0",
    version: "2.5.0",
    variant: "default",
    registry: "ghcr.io/kubeflow",
    mysql: "8.0",
    store: "minio",
    claim: "minio-pvc",
    deployments: 14,
  },
  {
    name: "2.14.4",
    version: "2.14.4",
    variant: "default",
    registry: "ghcr.io/kubeflow",
    mysql: "8.4",
    store: "minio",
    claim: "minio-pvc",
    deployments: 14,
  },
  {
    name: "2.15.0",
    version: "2.15.0",
    variant: "default",
    registry: "ghcr.io/kubeflow",
    mysql: "8.4",
    store: "seaweedfs",
    claim: "seaweedfs-pvc",
    deployments: 14,
  },
  {
    name: "2.15.0 minio",
    version: "2.15.0",
    variant: "minio",
    registry: "ghcr.io/kubeflow",
    mysql: "8.4",
    store: "minio",
    claim: "minio-pvc",
    deployments: 14,
  },
  {
    name: "2.16.1",
    version: "2.16.1",
    variant: "default",
    registry: "ghcr.io/kubeflow",
    mysql: "8.4",
    store: "seaweedfs",
    claim: "seaweedfs-pvc",
    deployments: 14,
  },
  {
    name: "2.17.0",
    version: "2.17.0",
    variant: "default",
    registry: "ghcr.io/kubeflow",
    mysql: "8.4",
    store: "seaweedfs",
    claim: "seaweedfs-pvc",
    deployments: 14,
  },
] as const;

describe("deriveReleaseInfo over every shared bundle", () => {
  it.each(bundles)("$name", async ({ version, variant, registry, mysql, store, claim, deployments }) => {
    const dir = path.join(SHARED_MANIFESTS, version);
    const info = deriveReleaseInfo((await loadBundle(dir, { variant })).objects, dir);
    expect(info).toMatchObject({
      version,
      registry,
      mysqlSeries: mysql,
      objectStore: store,
      dataClaims: { mysql: "mysql-pv-claim", objectStore: claim },
      era: "kustomize",
    });
    expect(new Set(info.components.map((component) => component.deployment)).size).toBe(deployments);
    expect(info.components).toContainEqual({
      deployment: "ml-pipeline",
      container: "ml-pipeline-api-server",
      image: `${registry}/${registry === "ghcr.io/kubeflow" ? "kfp-" : ""}api-server`,
      versioned: true,
    });
  });
});

function deployment(name: string, image: string, claim?: string): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        spec: {
          containers: [{ name, image }],
          volumes: claim ? [{ name: "data", persistentVolumeClaim: { claimName: claim } }] : [],
        },
      },
    },
  };
}

describe("deriveReleaseInfo", () => {
  it("reads a hand-written bundle of a release the catalogue does not know", async () => {
    const dir = path.join(FIXTURE_BUNDLES, "mixed/3.0.0");
    expect(deriveReleaseInfo((await loadBundle(dir)).objects, dir)).toEqual({
      version: "3.0.0",
      registry: "registry.example.com:5000/kubeflow",
      components: [
        {
          deployment: "ml-pipeline",
          container: "ml-pipeline-api-server",
          image: "registry.example.com:5000/kubeflow/kfp-api-server",
          versioned: true,
        },
        { deployment: "mysql", container: "mysql", image: "mysql", versioned: false },
        {
          deployment: "seaweedfs",
          container: "seaweedfs",
          image: "ghcr.io/chrislusf/seaweedfs",
          versioned: false,
        },
      ],
      objectStore: "seaweedfs",
      mysqlSeries: "8.4",
      dataClaims: { mysql: "mysql-pv-claim", objectStore: "seaweedfs-pvc" },
      era: "kustomize",
    });
  });

  const series = [
    { name: "5.6", tag: "5.6", expected: "5.6" },
    { name: "5.7-debian", tag: "5.7-debian", expected: "5.7" },
    { name: "8.0.26", tag: "8.0.26", expected: "8.0" },
    { name: "8.4", tag: "8.4", expected: "8.4" },
  ];
  it.each(series)("reads MySQL series $expected from tag $name", ({ tag, expected }) => {
    const objects = [
      deployment("ml-pipeline", "gcr.io/ml-pipeline/api-server:1.8.5"),
      deployment("mysql", `gcr.io/ml-pipeline/mysql:${tag}`, "mysql-pv-claim"),
      deployment("minio", "gcr.io/ml-pipeline/minio:RELEASE", "minio-pvc"),
    ];
    expect(deriveReleaseInfo(objects, "test").mysqlSeries).toBe(expected);
  });

  it("takes the version from the API server image when there is no pipeline-install-config", () => {
    const objects = [
      deployment("ml-pipeline", "gcr.io/ml-pipeline/api-server:0.2.0"),
      deployment("mysql", "mysql:5.6", "kfp-mysql"),
      deployment("minio", "minio/minio:RELEASE", "kfp-minio"),
    ];
    expect(deriveReleaseInfo(objects, "test")).toMatchObject({
      version: "0.2.0",
      dataClaims: { mysql: "kfp-mysql", objectStore: "kfp-minio" },
    });
  });

  it("reports everything it cannot find at once", () => {
    expect(() =>
      deriveReleaseInfo([deployment("mysql", "mysql:latest", "mysql-pv-claim")], "Bundle x"),
    ).toThrow(
      expect.objectContaining({
        code: "BUNDLE_UNRECOGNISED",
        message: "Bundle x does not look like a standalone KFP install",
        details: [
          "no Deployment runs the KFP API server (ml-pipeline/ml-pipeline-api-server)",
          "mysql image mysql:latest names no MySQL series KFP used (5.6, 5.7, 8.0, 8.4)",
          "no minio or seaweedfs Deployment mounts a PersistentVolumeClaim",
        ],
      }),
    );
  });

  it("refuses a cluster-scoped-only bundle", async () => {
    const dir = path.join(SHARED_MANIFESTS, "2.17.0");
    const objects = (await loadBundle(dir)).objects.filter(
      (object) => object.metadata.namespace === undefined,
    );
    expect(() => deriveReleaseInfo(objects, dir)).toThrow(
      expect.objectContaining({ code: "BUNDLE_UNRECOGNISED" }),
    );
  });
});

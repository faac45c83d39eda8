import path from "node:path";
import { describe, expect, it } from "vitest";
import { withVariant } from "../../../src/release/build-release-info.js";
import { CATALOGUE, findRelease } from "../../../src/release/catalogue.js";
import { compareReleaseInfo } from "../../../src/release/compare-release-info.js";
import { compareVersions } from "../../../src/release/compare-versions.js";
import { deriveReleaseInfo } from "../../../src/release/derive-release-info.js";
import { loadBundle } from "../../../src/release/load-bundle.js";
import { releaseInfoSchema } from "../../../src/release/release-info.js";
import { indexedVersions, SHARED_MANIFESTS, sharedBundles } from "./shared-bundles.js";

const versions = CATALOGUE.releases.map((release) => release.version);

describe("catalogue", () => {
  it("holds every release once, oldest first, each a valid ReleaseInfo", () => {
    expect([...versions].sort(compareVersions)).toEqual(versions);
    expect(new Set(versions).size).toBe(versions.length);
    for (const release of CATALOGUE.releases) expect(releaseInfoSchema.parse(release)).toEqual(release);
  });

  it("spans 0.1.0 to 2.18.1", () => {
    expect([versions[0], versions.at(-1)]).toEqual(["0.1.0", "2.18.1"]);
  });

  const absent = [
    { name: "0.1.15 and 0.1.28 have no tag", versions: ["0.1.15", "0.1.28"] },
    { name: "1.8.6–1.8.12 never existed", versions: ["1.8.6", "1.8.9", "1.8.12"] },
    { name: "SDK-only 1.8.13–1.8.22", versions: ["1.8.13", "1.8.22"] },
    { name: "the backend jumped from 2.5.0 to 2.14.0", versions: ["2.6.0", "2.9.0", "2.13.0"] },
    { name: "2.14.1 and 2.14.2 are SDK tags only", versions: ["2.14.1", "2.14.2"] },
  ];
  it.each(absent)("leaves out $name", ({ versions: missing }) => {
    for (const version of missing) expect(versions).not.toContain(version);
  });

  it("keeps SDK-only versions out of the releases", () => {
    expect(CATALOGUE.sdkOnly.filter((version) => versions.includes(version))).toEqual([]);
  });

  const rules = [
    {
      name: "0.1.16, ksonnet (KF 0.5)",
      version: "0.1.16",
      registry: "gcr.io/ml-pipeline",
      mysql: "5.6",
      store: "minio",
      claim: "minio-pvc",
      era: "ksonnet",
    },
    {
      name: "0.1.7, before the minio-pvc rename",
      version: "0.1.7",
      registry: "gcr.io/ml-pipeline",
      mysql: "5.6",
      store: "minio",
      claim: "minio-pv-claim",
      era: "ksonnet",
    },
    {
      name: "0.1.26, the first kustomize tag",
      version: "0.1.26",
      registry: "gcr.io/ml-pipeline",
      mysql: "5.6",
      store: "minio",
      claim: "minio-pvc",
      era: "kustomize",
    },
    {
      name: "1.4.1, last on MySQL 5.6",
      version: "1.4.1",
      registry: "gcr.io/ml-pipeline",
      mysql: "5.6",
      store: "minio",
      claim: "minio-pvc",
      era: "kustomize",
    },
    {
      name: "1.5.0, first on MySQL 5.7",
      version: "1.5.0",
      registry: "gcr.io/ml-pipeline",
      mysql: "5.7",
      store: "minio",
      claim: "minio-pvc",
      era: "kustomize",
    },
    {
      name: "2.3.0, last on gcr.io",
      version: "2.3.0",
      registry: "gcr.io/ml-pipeline",
      mysql: "8.0",
      store: "minio",
      claim: "minio-pvc",
      era: "kustomize",
    },
    {
      name: "2.4.0, first on ghcr.io (PR #11526)",
      version: "2.4.0",
      registry: "ghcr.io/kubeflow",
      mysql: "8.0",
      store: "minio",
      claim: "minio-pvc",
      era: "kustomize",
    },
    {
      name: "2.14.0, first on MySQL 8.4",
      version: "2.14.0",
      registry: "ghcr.io/kubeflow",
      mysql: "8.4",
      store: "minio",
      claim: "minio-pvc",
      era: "kustomize",
    },
    {
      name: "2.15.0, first on SeaweedFS",
      version: "2.15.0",
      registry: "ghcr.io/kubeflow",
      mysql: "8.4",
      store: "seaweedfs",
      claim: "seaweedfs-pvc",
      era: "kustomize",
    },
    ...["2.17.1", "2.17.2", "2.18.0", "2.18.1"].map((version) => ({
      name: `${version}, on the 2.17.0 rules (issue 16)`,
      version,
      registry: "ghcr.io/kubeflow",
      mysql: "8.4",
      store: "seaweedfs",
      claim: "seaweedfs-pvc",
      era: "kustomize",
    })),
  ];
  it.each(rules)("$name", ({ version, registry, mysql, store, claim, era }) => {
    expect(findRelease(CATALOGUE, version)).toMatchObject({
      registry,
      mysqlSeries: mysql,
      objectStore: store,
      dataClaims: { mysql: "mysql-pv-claim", objectStore: claim },
      era,
    });
  });

  it("gives 2.18.1 the Deployments and images of 2.17.0, tagged 2.18.1, with Argo and ghcr.io SeaweedFS", () => {
    const images = (version: string) => findRelease(CATALOGUE, version)?.components;
    expect(images("2.18.1")).toEqual(images("2.17.0"));
    expect(images("2.18.1")).toContainEqual({
      deployment: "workflow-controller",
      container: "workflow-controller",
      image: "quay.io/argoproj/workflow-controller",
      versioned: false,
    });
    expect(images("2.18.1")).toContainEqual({
      deployment: "seaweedfs",
      container: "seaweedfs",
      image: "ghcr.io/chrislusf/seaweedfs",
      versioned: false,
    });
  });

  it("names the ksonnet-era Deployments and images of 0.1.16 (KF 0.5), without Argo", () => {
    expect(findRelease(CATALOGUE, "0.1.16")?.components).toEqual([
      {
        deployment: "ml-pipeline",
        container: "ml-pipeline-api-server",
        image: "gcr.io/ml-pipeline/api-server",
        versioned: true,
      },
      {
        deployment: "ml-pipeline-persistenceagent",
        container: "ml-pipeline-persistenceagent",
        image: "gcr.io/ml-pipeline/persistenceagent",
        versioned: true,
      },
      {
        deployment: "ml-pipeline-scheduledworkflow",
        container: "ml-pipeline-scheduledworkflow",
        image: "gcr.io/ml-pipeline/scheduledworkflow",
        versioned: true,
      },
      {
        deployment: "ml-pipeline-ui",
        container: "ml-pipeline-ui",
        image: "gcr.io/ml-pipeline/frontend",
        versioned: true,
      },
      {
        deployment: "ml-pipeline-viewer-controller-deployment",
        container: "ml-pipeline-viewer-controller",
        image: "gcr.io/ml-pipeline/viewer-crd-controller",
        versioned: true,
      },
      { deployment: "mysql", container: "mysql", image: "mysql", versioned: false },
      { deployment: "minio", container: "minio", image: "minio/minio", versioned: false },
    ]);
  });

  it("maps the upgrade_kfp.sh commits of kfp-facts §1.2", () => {
    const commits = Object.fromEntries(
      CATALOGUE.releases.flatMap((release) =>
        release.kubeflowCommit ? [[release.version, release.kubeflowCommit]] : [],
      ),
    );
    expect(commits).toEqual({
      "0.1.10": "0cde19d670a0d299aad10ad812a26901e3ec0aa7",
      "0.1.12": "a1afdd6c4b297b56dd103a8bb939ddeae67c2c92",
      "0.1.13": "a5ca1377a641fe351912c1b83dcf31c99a650bef",
      "0.1.14": "1c3f358bc183b851a0628848ab0436c66739e9b2",
      "0.1.16": "6064e9a75e51f4f725d02e1bad853a7ae10861ea",
      "0.1.17": "e6a363a51a4963a624758c931b5a13e56d98d8e0",
      "0.1.19": "2db6459b75265c297f496312d42b01dea3c2baf5",
      "0.1.20": "edb140d9b3996379babc46bfb6720d57e1fc9d09",
      "0.1.21": "5c90486438c7c89d8c9c5bc949620566dd509f94",
    });
  });
});

describe("catalogue against every rendered bundle in ../shared/kfp-manifests", () => {
  it("finds every version index.json lists", () => {
    expect(sharedBundles().map((bundle) => bundle.version)).toEqual(
      expect.arrayContaining(indexedVersions()),
    );
  });

  it.each(sharedBundles())(
    "$name agrees on images, data claims, MySQL series and object store",
    async (bundle) => {
      const entry = findRelease(CATALOGUE, bundle.version);
      expect(entry).toBeDefined();
      const dir = path.join(SHARED_MANIFESTS, bundle.version);
      const loaded = await loadBundle(dir, { variant: bundle.variant });
      const derived = deriveReleaseInfo(loaded.objects, dir);
      expect(compareReleaseInfo(withVariant(entry ?? derived, bundle.variant), derived)).toEqual([]);
    },
  );

  it("would notice a wrong image or PVC name in the catalogue", async () => {
    const dir = path.join(SHARED_MANIFESTS, "2.14.4");
    const derived = deriveReleaseInfo((await loadBundle(dir)).objects, dir);
    const entry = findRelease(CATALOGUE, "2.14.4");
    expect(entry).toBeDefined();
    const wrong = {
      ...derived,
      ...entry,
      dataClaims: { mysql: "mysql-pv-claim", objectStore: "minio-pv-claim" },
      components: (entry?.components ?? []).map((component) =>
        component.deployment === "minio" ? { ...component, image: "gcr.io/ml-pipeline/minio" } : component,
      ),
    };
    expect(compareReleaseInfo(wrong, derived)).toEqual([
      "dataClaims.objectStore: catalogue says minio-pv-claim, bundle has minio-pvc",
      "deployment/minio[minio] image: catalogue says gcr.io/ml-pipeline/minio, bundle has minio/minio",
    ]);
  });
});

import { inRange } from "./compare-versions.js";
import type { Component, ObjectStore } from "./release-info.js";
import { type Era, eraFor, GHCR_SINCE, objectStoreFor, registryFor, type Variant } from "./release-rules.js";

/**
 * One Deployment/container of a standalone install and the versions that ship it (`since` inclusive, `before`
 * exclusive). KFP-built images name their repository under each registry (`gcr.io/ml-pipeline/<gcr>` up to 2.3.x,
 * `ghcr.io/kubeflow/<ghcr>` from 2.4.0) and are tagged with the KFP version; third-party images keep one repository.
 */
interface ComponentRule {
  deployment: string;
  container: string;
  image: { gcr: string; ghcr: string } | string;
  versioned: boolean;
  since?: string;
  before?: string;
  era?: Era;
  objectStore?: ObjectStore;
}

function kfp(deployment: string, container: string, gcr: string, ghcr: string): ComponentRule {
  return { deployment, container, image: { gcr, ghcr }, versioned: true };
}

function thirdParty(deployment: string, container: string, image: string): ComponentRule {
  return { deployment, container, image, versioned: false };
}

const MLMD_SERVER = "gcr.io/tfx-oss-public/ml_metadata_store_server";

// Read from the release tags of kubeflow/pipelines (manifests/kustomize, .release.cloudbuild.yaml) and the ksonnet
// `kubeflow/pipeline` package of kubeflow/kubeflow; the rendered bundles in ../shared/kfp-manifests check them.
const COMPONENT_RULES: readonly ComponentRule[] = [
  kfp("ml-pipeline", "ml-pipeline-api-server", "api-server", "kfp-api-server"),
  kfp(
    "ml-pipeline-persistenceagent",
    "ml-pipeline-persistenceagent",
    "persistenceagent",
    "kfp-persistence-agent",
  ),
  kfp(
    "ml-pipeline-scheduledworkflow",
    "ml-pipeline-scheduledworkflow",
    "scheduledworkflow",
    "kfp-scheduled-workflow-controller",
  ),
  kfp("ml-pipeline-ui", "ml-pipeline-ui", "frontend", "kfp-frontend"),
  {
    ...kfp(
      "ml-pipeline-viewer-controller-deployment",
      "ml-pipeline-viewer-controller",
      "viewer-crd-controller",
      "kfp-viewer-crd-controller",
    ),
    since: "0.1.10",
    era: "ksonnet",
  },
  {
    ...kfp(
      "ml-pipeline-viewer-crd",
      "ml-pipeline-viewer-crd",
      "viewer-crd-controller",
      "kfp-viewer-crd-controller",
    ),
    era: "kustomize",
  },
  {
    ...kfp(
      "ml-pipeline-visualizationserver",
      "ml-pipeline-visualizationserver",
      "visualization-server",
      "kfp-visualization-server",
    ),
    since: "0.1.27",
  },
  { ...kfp("cache-server", "server", "cache-server", "kfp-cache-server"), since: "0.4.0" },
  { ...kfp("cache-deployer-deployment", "main", "cache-deployer", "kfp-cache-deployer"), since: "0.4.0" },
  { ...kfp("metadata-writer", "main", "metadata-writer", "kfp-metadata-writer"), since: "0.2.0" },
  {
    ...thirdParty("metadata-envoy", "container", "gcr.io/ml-pipeline/envoy"),
    since: "0.1.29",
    before: "0.4.0",
  },
  {
    ...thirdParty("metadata-envoy-deployment", "container", "gcr.io/ml-pipeline/envoy"),
    since: "0.4.0",
    before: "1.0.0",
  },
  {
    ...kfp("metadata-envoy-deployment", "container", "metadata-envoy", "kfp-metadata-envoy"),
    since: "1.0.0",
  },
  {
    ...thirdParty("metadata-deployment", "container", "gcr.io/kubeflow-images-public/metadata"),
    since: "0.1.27",
    before: "0.1.29",
  },
  { ...thirdParty("metadata-deployment", "container", MLMD_SERVER), since: "0.1.29", before: "0.4.0" },
  { ...thirdParty("metadata-grpc-deployment", "container", MLMD_SERVER), since: "0.4.0" },
  {
    ...thirdParty("controller-manager", "manager", "gcr.io/ml-pipeline/application-crd-controller"),
    since: "0.2.0",
    before: "1.5.0",
  },
  { ...thirdParty("mysql", "mysql", "mysql"), era: "ksonnet" },
  { ...thirdParty("mysql", "mysql", "gcr.io/ml-pipeline/mysql"), era: "kustomize", before: "2.14.0" },
  { ...thirdParty("mysql", "mysql", "mysql"), since: "2.14.0" },
  { ...thirdParty("minio", "minio", "minio/minio"), era: "ksonnet", objectStore: "minio" },
  {
    ...thirdParty("minio", "minio", "gcr.io/ml-pipeline/minio"),
    era: "kustomize",
    before: "2.14.4",
    objectStore: "minio",
  },
  // kubeflow/pipelines PR #12424 dropped the license-compliance MinIO image in 2.14.4.
  { ...thirdParty("minio", "minio", "minio/minio"), since: "2.14.4", objectStore: "minio" },
  {
    ...thirdParty("seaweedfs", "seaweedfs", "chrislusf/seaweedfs"),
    before: "2.17.0",
    objectStore: "seaweedfs",
  },
  {
    ...thirdParty("seaweedfs", "seaweedfs", "ghcr.io/chrislusf/seaweedfs"),
    since: "2.17.0",
    objectStore: "seaweedfs",
  },
  // The ksonnet era deployed Argo as its own `argo` component, outside the pipeline package.
  {
    ...thirdParty("workflow-controller", "workflow-controller", "gcr.io/ml-pipeline/workflow-controller"),
    era: "kustomize",
    before: "2.5.0",
  },
  {
    ...thirdParty("workflow-controller", "workflow-controller", "quay.io/argoproj/workflow-controller"),
    since: "2.5.0",
  },
];

export function componentsFor(version: string, variant: Variant = "default"): Component[] {
  const era = eraFor(version);
  const objectStore = objectStoreFor(version, variant);
  return COMPONENT_RULES.filter(
    (rule) =>
      inRange(version, rule) &&
      (rule.era === undefined || rule.era === era) &&
      (rule.objectStore === undefined || rule.objectStore === objectStore),
  ).map((rule) => ({
    deployment: rule.deployment,
    container: rule.container,
    image: imageFor(rule, version),
    versioned: rule.versioned,
  }));
}

function imageFor(rule: ComponentRule, version: string): string {
  if (typeof rule.image === "string") return rule.image;
  const registry = registryFor(version);
  return `${registry}/${inRange(version, { since: GHCR_SINCE }) ? rule.image.ghcr : rule.image.gcr}`;
}

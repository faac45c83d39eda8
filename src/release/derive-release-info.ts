import { ConfigError } from "../errors.js";
import type { KubeObject } from "../model/kube-object.js";
import { parseVersion } from "./compare-versions.js";
import { type ContainerImage, claimNames, deploymentImages, readDeployment } from "./deployment-shape.js";
import { parseImageRef } from "./parse-image-ref.js";
import { MYSQL_SERIES, type MysqlSeries, type ObjectStore, type ReleaseInfo } from "./release-info.js";

const OBJECT_STORES: readonly ObjectStore[] = ["minio", "seaweedfs"];

/**
 * What a rendered bundle says about itself, without the catalogue: so any real KFP release bundle can be used.
 * `source` names the bundle in errors. Every missing fact is reported at once.
 */
export function deriveReleaseInfo(objects: readonly KubeObject[], source: string): ReleaseInfo {
  const images = deploymentImages(objects);
  const problems: string[] = [];

  const apiServer = images.find(isApiServer);
  const appVersion = installConfigVersion(objects);
  const version = appVersion ?? (apiServer ? parseImageRef(apiServer.image).tag : undefined);
  if (!apiServer) problems.push("no Deployment runs the KFP API server (ml-pipeline/ml-pipeline-api-server)");
  if (version === undefined && apiServer) problems.push(`the API server image ${apiServer.image} has no tag`);
  if (version !== undefined && !parseVersion(version))
    problems.push(`version "${version}" is not a KFP version`);

  const mysql = dataDeployment(objects, images, (name) => name === "mysql");
  if (!mysql) problems.push("no mysql Deployment mounts a PersistentVolumeClaim");
  const mysqlSeries = mysql ? seriesOf(mysql.image) : undefined;
  if (mysql && !mysqlSeries) {
    problems.push(`mysql image ${mysql.image} names no MySQL series KFP used (${MYSQL_SERIES.join(", ")})`);
  }

  const stores = OBJECT_STORES.flatMap((store) => {
    const found = dataDeployment(objects, images, (name) => name === store);
    return found ? [{ store, ...found }] : [];
  });
  const [objectStore] = stores;
  if (stores.length === 0) problems.push("no minio or seaweedfs Deployment mounts a PersistentVolumeClaim");
  if (stores.length > 1) problems.push("both minio and seaweedfs Deployments mount a PersistentVolumeClaim");

  if (problems.length > 0 || !apiServer || !version || !mysql || !mysqlSeries || !objectStore) {
    throw new ConfigError("BUNDLE_UNRECOGNISED", `${source} does not look like a standalone KFP install`, {
      details: problems,
      hint: "A bundle must hold the namespaced install (env/platform-agnostic or env/dev), not only cluster-scoped resources",
    });
  }
  return {
    version,
    registry: parseImageRef(apiServer.image).repository.split("/").slice(0, -1).join("/"),
    components: images.map((image) => ({
      deployment: image.deployment,
      container: image.container,
      image: parseImageRef(image.image).repository,
      versioned: parseImageRef(image.image).tag === version,
    })),
    objectStore: objectStore.store,
    mysqlSeries,
    dataClaims: { mysql: mysql.claim, objectStore: objectStore.claim },
    era: "kustomize",
  };
}

function isApiServer(image: ContainerImage): boolean {
  if (image.deployment === "ml-pipeline" && image.container === "ml-pipeline-api-server") return true;
  return /(^|\/)(kfp-)?api-server$/.test(parseImageRef(image.image).repository);
}

/** `appVersion` of ConfigMap `pipeline-install-config` (hash-suffixed up to 1.4.x). */
function installConfigVersion(objects: readonly KubeObject[]): string | undefined {
  for (const object of objects) {
    if (object.kind !== "ConfigMap" || !object.metadata.name.startsWith("pipeline-install-config")) continue;
    const data = object.data;
    if (
      typeof data === "object" &&
      data !== null &&
      "appVersion" in data &&
      typeof data.appVersion === "string"
    ) {
      return data.appVersion;
    }
  }
  return undefined;
}

/** The Deployment named for a data store (else one running its image) that mounts a PVC: its first claim and image. */
function dataDeployment(
  objects: readonly KubeObject[],
  images: readonly ContainerImage[],
  matches: (name: string) => boolean,
): { claim: string; image: string } | undefined {
  const deployments = objects.flatMap((object) => readDeployment(object) ?? []);
  const runsIt = (image: ContainerImage) => matches(lastSegment(parseImageRef(image.image).repository));
  const imagesOf = (name: string) => images.filter((image) => image.deployment === name);
  const candidates = [
    ...deployments.filter((deployment) => matches(deployment.metadata.name)),
    ...deployments.filter(
      (deployment) => !matches(deployment.metadata.name) && imagesOf(deployment.metadata.name).some(runsIt),
    ),
  ];
  for (const deployment of candidates) {
    const own = imagesOf(deployment.metadata.name);
    const image = own.find(runsIt) ?? own[0];
    const [claim] = claimNames(deployment);
    if (image && claim) return { claim, image: image.image };
  }
  return undefined;
}

function lastSegment(repository: string): string {
  return repository.split("/").at(-1) ?? repository;
}

/** `5.6` → 5.6, `5.7-debian` → 5.7, `8.0.26` → 8.0, `8.4` → 8.4. */
function seriesOf(image: string): MysqlSeries | undefined {
  const match = /^(\d+\.\d+)/.exec(parseImageRef(image).tag ?? "");
  return MYSQL_SERIES.find((series) => series === match?.[1]);
}

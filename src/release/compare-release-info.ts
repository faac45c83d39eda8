import type { Component, ReleaseInfo } from "./release-info.js";

/**
 * Where a bundle disagrees with the catalogue, one line each: the facts a plan relies on (images, data claims, MySQL
 * series, object store). An empty list means they agree.
 */
export function compareReleaseInfo(catalogue: ReleaseInfo, bundle: ReleaseInfo): string[] {
  const differences: string[] = [];
  const fact = (name: string, expected: string, actual: string) => {
    if (expected !== actual) differences.push(`${name}: catalogue says ${expected}, bundle has ${actual}`);
  };
  fact("version", catalogue.version, bundle.version);
  fact("registry", catalogue.registry, bundle.registry);
  fact("objectStore", catalogue.objectStore, bundle.objectStore);
  fact("mysqlSeries", catalogue.mysqlSeries, bundle.mysqlSeries);
  fact("dataClaims.mysql", catalogue.dataClaims.mysql, bundle.dataClaims.mysql);
  fact("dataClaims.objectStore", catalogue.dataClaims.objectStore, bundle.dataClaims.objectStore);

  const inBundle = new Map(bundle.components.map((component) => [keyOf(component), component]));
  const inCatalogue = new Map(catalogue.components.map((component) => [keyOf(component), component]));
  for (const [key, expected] of inCatalogue) {
    const actual = inBundle.get(key);
    if (!actual) {
      differences.push(`${key}: in the catalogue, not in the bundle`);
      continue;
    }
    fact(`${key} image`, expected.image, actual.image);
    fact(`${key} tag`, tagDescription(expected, catalogue), tagDescription(actual, bundle));
  }
  for (const key of inBundle.keys()) {
    if (!inCatalogue.has(key)) differences.push(`${key}: in the bundle, not in the catalogue`);
  }
  return differences;
}

/** `deployment/ml-pipeline[ml-pipeline-api-server]` */
function keyOf(component: Component): string {
  return `deployment/${component.deployment}[${component.container}]`;
}

function tagDescription(component: Component, info: ReleaseInfo): string {
  return component.versioned ? `the version tag (${info.version})` : "a tag of its own";
}

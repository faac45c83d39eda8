import { componentsFor } from "./component-rules.js";
import type { ReleaseInfo } from "./release-info.js";
import {
  dataClaimsFor,
  eraFor,
  mysqlSeriesFor,
  objectStoreFor,
  registryFor,
  type Variant,
} from "./release-rules.js";

/** What the version rules say a standalone install of `version` consists of. */
export function buildReleaseInfo(
  version: string,
  variant: Variant = "default",
  kubeflowCommit?: string,
): ReleaseInfo {
  return {
    version,
    registry: registryFor(version),
    components: componentsFor(version, variant),
    objectStore: objectStoreFor(version, variant),
    mysqlSeries: mysqlSeriesFor(version),
    dataClaims: dataClaimsFor(version, variant),
    ...(kubeflowCommit === undefined ? {} : { kubeflowCommit }),
    era: eraFor(version),
  };
}

/** The catalogue holds the default variant; the MinIO variant of a 2.15.x release is rebuilt from the rules. */
export function withVariant(info: ReleaseInfo, variant: Variant): ReleaseInfo {
  return variant === "default" ? info : buildReleaseInfo(info.version, variant, info.kubeflowCommit);
}

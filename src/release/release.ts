import type { KubeObject } from "../model/kube-object.js";
import type { ReleaseInfo } from "./release-info.js";

/**
 * A release resolved for one run: the catalogue facts plus, when a bundle was found, its objects in file order.
 * `objects` is empty for releases that exist only as images (0.1.x ksonnet era).
 */
export interface Release extends ReleaseInfo {
  /** `default` or `minio` (the `<name>-minio.yaml` variant of 2.15.0). */
  variant: "default" | "minio";
  objects: KubeObject[];
  /** Where the objects came from: a bundle directory, or null when only the catalogue is known. */
  bundleDir: string | null;
  /**
   * What the user should read before trusting this release: how the tag was read, where the bundle disagrees with
   * the catalogue. Optional so objects built before it existed stay valid; `resolveRelease` always sets it.
   */
  warnings?: string[];
}

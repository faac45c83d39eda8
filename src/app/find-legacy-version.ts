import type { LegacyReader } from "./legacy-reader.js";
import { jsonnetField, parseJsonnetObjects } from "./parse-jsonnet-objects.js";

export interface LegacyVersion {
  version: string | undefined;
  note: string;
}

const VERSION = /^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$/;

/**
 * The KFP version a ksonnet app deploys: the tag of an apiImage the params pin (ksonnet 0.4 wrote every image into
 * params.libsonnet), else of the api-server image in the vendored kubeflow/pipeline package.
 */
export async function findLegacyVersion(
  reader: LegacyReader,
  apiImageParam: string | undefined,
): Promise<LegacyVersion> {
  const pinned = imageTag(apiImageParam);
  if (pinned) {
    return {
      version: pinned,
      note: `version ${pinned} from apiImage, which params.libsonnet pins (upgrade_kfp.sh would not have moved it); kfp-upgrade moves every image to the target release`,
    };
  }
  for (const file of await vendoredPipelineLibs(reader)) {
    const source = await reader.read(file);
    const tag = source === undefined ? undefined : vendoredApiImageTag(source, file);
    if (tag) return { version: tag, note: `version ${tag} from the api-server image in ${file}` };
  }
  return {
    version: undefined,
    note: "the installed KFP version was not found in ks_app; set it with `kfp-upgrade params set version X.Y.Z`",
  };
}

async function vendoredPipelineLibs(reader: LegacyReader): Promise<string[]> {
  const vendor = "ks_app/vendor";
  const candidates: string[] = [];
  for (const registry of await reader.directories(vendor)) {
    // ksonnet 0.12+ can vendor a pinned package as `<name>@<version>`.
    for (const pkg of await reader.directories(`${vendor}/${registry}`)) {
      if (pkg === "pipeline" || pkg.startsWith("pipeline@")) {
        candidates.push(`${vendor}/${registry}/${pkg}/pipeline.libsonnet`);
      }
    }
  }
  return candidates;
}

function vendoredApiImageTag(source: string, fileName: string): string | undefined {
  for (const object of parseJsonnetObjects(source, fileName)) {
    const params = jsonnetField(object, "params")?.value;
    const apiImage = params?.type === "object" ? jsonnetField(params, "apiImage")?.value : undefined;
    if (apiImage?.type === "string") return imageTag(apiImage.value);
  }
  return undefined;
}

function imageTag(image: string | undefined): string | undefined {
  const tag = image ? /:([^:/@]+)$/.exec(image)?.[1]?.replace(/^v(?=\d)/, "") : undefined;
  return tag && VERSION.test(tag) ? tag : undefined;
}

import yaml from "js-yaml";
import { ConfigError } from "../errors.js";
import { appPaths } from "./app-paths.js";
import { formatYamlIssues } from "./format-yaml-issues.js";
import { type KfpApp, kfpAppSchema, type VolumeStorage } from "./kfp-app.js";
import { writeFileAtomic } from "./write-file-atomic.js";

const HEADER = `# kfp-upgrade KFAPP: the desired state of this Kubeflow Pipelines install.
# Edit it by hand or with \`kfp-upgrade params set NAME VALUE\`; \`kfp-upgrade params list\` shows every param.
# kfp-upgrade rewrites this file when it saves it: comments other than this header are not kept.
`;

/** Writes `<dir>/kfp-app.yaml` atomically, in a stable key order, and returns its path. */
export async function saveApp(dir: string, app: KfpApp): Promise<string> {
  const checked = kfpAppSchema.safeParse(app, { reportInput: true });
  const file = appPaths(dir).appFile;
  if (!checked.success) {
    throw new ConfigError("APP_INVALID", `refusing to write an invalid ${file}`, {
      details: formatYamlIssues(checked.error, {
        source: "",
        fileName: "kfp-app.yaml",
        schema: kfpAppSchema,
      }),
    });
  }
  await writeFileAtomic(file, renderApp(checked.data));
  return file;
}

/** The file text saveApp writes: the header, then the fields in schema order with unset ones left out. */
export function renderApp(app: KfpApp): string {
  const document = {
    apiVersion: app.apiVersion,
    kind: app.kind,
    namespace: app.namespace,
    context: app.context,
    version: app.version,
    platform:
      app.platform.type === "gcp"
        ? { type: app.platform.type, project: app.platform.project, zone: app.platform.zone }
        : { type: app.platform.type },
    storage: { mysql: orderVolume(app.storage.mysql), objectStore: orderVolume(app.storage.objectStore) },
    release: {
      manifests: app.release.manifests,
      variant: app.release.variant,
      objectStore: app.release.objectStore,
      source: app.release.source,
      imageRegistry: app.release.imageRegistry,
    },
  };
  return HEADER + yaml.dump(document, { lineWidth: -1, noRefs: true, skipInvalid: false });
}

function orderVolume(volume: VolumeStorage): VolumeStorage {
  return { pvName: volume.pvName, gcpDisk: volume.gcpDisk, storageClass: volume.storageClass };
}

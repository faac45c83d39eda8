import yaml from "js-yaml";
import { type Document, isMap, isScalar, parseDocument, type YAMLMap } from "yaml";
import { ConfigError } from "../errors.js";
import { appPaths } from "./app-paths.js";
import { formatYamlIssues } from "./format-yaml-issues.js";
import { type KfpApp, kfpAppSchema, type VolumeStorage } from "./kfp-app.js";
import { readOptionalFile } from "./read-optional-file.js";
import { writeFileAtomic } from "./write-file-atomic.js";

const KEPT_LINE =
  "# When kfp-upgrade saves it, it changes only the values that changed: comments and key order are kept.";
/** The header's last line before comments were kept; replaced when such a file is saved again. */
const OLD_KEPT_LINE =
  " kfp-upgrade rewrites this file when it saves it: comments other than this header are not kept.";
const HEADER = `# kfp-upgrade KFAPP: the desired state of this Kubeflow Pipelines install.
# Edit it by hand or with \`kfp-upgrade params set NAME VALUE\`; \`kfp-upgrade params list\` shows every param.
${KEPT_LINE}
`;

/**
 * Writes `<dir>/kfp-app.yaml` atomically and returns its path. A new file gets the header and the fields in schema
 * order; an existing one is edited in place (`updateAppText`), so the user's comments and key order survive.
 */
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
  const existing = await readOptionalFile(file);
  await writeFileAtomic(
    file,
    existing === undefined ? renderApp(checked.data) : updateAppText(existing, checked.data),
  );
  return file;
}

/**
 * `source` (a kfp-app.yaml) changed to say `app`, through the yaml package's Document API: a value that is the same
 * is not touched, a changed scalar keeps its comments, a new key is added at the end of its map, a key the app no
 * longer has is removed. Text that is not a YAML mapping is replaced by `renderApp`.
 */
export function updateAppText(source: string, app: KfpApp): string {
  const document = parseDocument(source);
  if (document.errors.length > 0 || !isMap(document.contents)) return renderApp(app);
  // The header is the document's comment, or the first key's when no blank line follows it.
  const first = document.contents.items[0]?.key;
  for (const holder of [document, isScalar(first) ? first : undefined]) {
    if (holder?.commentBefore?.includes(OLD_KEPT_LINE)) {
      holder.commentBefore = holder.commentBefore.replace(OLD_KEPT_LINE, KEPT_LINE.slice(1));
    }
  }
  mergeInto(document, document.contents, appDocument(app));
  return document.toString({ lineWidth: 0 });
}

type Plain = { [key: string]: unknown };

function mergeInto(document: Document, map: YAMLMap, wanted: Plain): void {
  for (const pair of [...map.items]) {
    const key = isScalar(pair.key) ? pair.key.value : pair.key;
    if (typeof key !== "string" || wanted[key] === undefined) map.delete(pair.key);
  }
  for (const [key, value] of Object.entries(wanted)) {
    if (value === undefined) continue;
    const node = map.get(key, true);
    if (isPlain(value)) {
      if (isMap(node)) mergeInto(document, node, value);
      else map.set(key, document.createNode(value));
    } else if (isScalar(node)) {
      if (node.value !== value) node.value = value;
    } else {
      map.set(key, document.createNode(value));
    }
  }
}

function isPlain(value: unknown): value is Plain {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The file text saveApp writes: the header, then the fields in schema order with unset ones left out. */
export function renderApp(app: KfpApp): string {
  return HEADER + yaml.dump(appDocument(app), { lineWidth: -1, noRefs: true, skipInvalid: false });
}

/** The fields of kfp-app.yaml in schema order, unset ones undefined. */
function appDocument(app: KfpApp): Plain {
  return {
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
}

function orderVolume(volume: VolumeStorage): VolumeStorage {
  return { pvName: volume.pvName, gcpDisk: volume.gcpDisk, storageClass: volume.storageClass };
}

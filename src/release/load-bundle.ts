import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { load, YAMLException } from "js-yaml";
import { ConfigError } from "../errors.js";
import { formatZodIssues } from "../format-zod-issues.js";
import { describeRef, type KubeObject, kubeObjectSchema, refOf } from "../model/kube-object.js";
import { hasSelector, isDeployment, readDeployment } from "./deployment-shape.js";
import { type ParsedDocument, readParsedYaml, writeParsedYaml } from "./parsed-yaml-cache.js";
import type { Variant } from "./release-rules.js";
import { splitYamlDocuments } from "./split-yaml-documents.js";

export interface LoadedBundle {
  dir: string;
  /** The files whose objects were loaded, in load order (file names sorted). */
  files: string[];
  objects: KubeObject[];
  /** True when the bundle has a `<name>-minio.yaml` beside a `<name>.yaml`. */
  hasMinioVariant: boolean;
}

export interface LoadBundleOptions {
  /** `minio` reads `<name>-minio.yaml` in place of `<name>.yaml`; `default` skips the `-minio` files. */
  variant?: Variant;
  /** A directory of parsed-YAML entries (parsed-yaml-cache.ts) to read before parsing and fill after; none: parse. */
  parsedYamlCache?: string | undefined;
}

/**
 * Reads every YAML file of one release bundle directory and checks each document is a Kubernetes object a plan can
 * apply. Every problem in every file is collected before one ConfigError is thrown.
 */
export async function loadBundle(dir: string, options: LoadBundleOptions = {}): Promise<LoadedBundle> {
  const names = await listYamlFiles(dir);
  const { files, hasMinioVariant } = selectFiles(names, options.variant ?? "default");
  const objects: KubeObject[] = [];
  const problems: string[] = [];
  for (const name of files) {
    const file = path.join(dir, name);
    const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
      problems.push(`${file}: cannot read it (${error.code ?? error.message})`);
      return undefined;
    });
    if (text === undefined) continue;
    for (const document of await parseOrRead(file, text, problems, options.parsedYamlCache)) {
      addValue(file, document, objects, problems);
    }
  }
  if (problems.length > 0) {
    throw new ConfigError(
      "BUNDLE_INVALID",
      `Release bundle ${dir} does not load: ${problems.length} problem${problems.length === 1 ? "" : "s"}`,
      {
        details: problems,
        hint: "Re-render the bundle with `kubectl kustomize <manifests/kustomize/...>` at the release tag and try again",
      },
    );
  }
  return { dir, files, objects, hasMinioVariant };
}

async function listYamlFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    throw new ConfigError("BUNDLE_UNREADABLE", `Cannot read release bundle directory ${dir}: ${error.code}`, {
      cause: error,
      hint: "Check the --manifests path: it holds one <version>/ directory per release",
    });
  });
  const names = entries.filter((name) => /\.ya?ml$/i.test(name)).sort();
  if (names.length === 0) {
    throw new ConfigError("BUNDLE_EMPTY", `Release bundle ${dir} has no .yaml files`, {
      hint: "Put the rendered manifests of the release (e.g. `kubectl kustomize ... > platform-agnostic.yaml`) there",
    });
  }
  return names;
}

/** `<name>-minio.yaml` stands in for `<name>.yaml` in the minio variant and is skipped otherwise; never both. */
function selectFiles(names: string[], variant: Variant): { files: string[]; hasMinioVariant: boolean } {
  const minioFor = new Map<string, string>();
  for (const name of names) {
    const match = /^(.*)-minio(\.ya?ml)$/i.exec(name);
    const base =
      match && names.find((candidate) => candidate === `${match[1]}.yaml` || candidate === `${match[1]}.yml`);
    if (base) minioFor.set(base, name);
  }
  const variantFiles = new Set(minioFor.values());
  const files = names
    .filter((name) => !variantFiles.has(name))
    .map((name) => (variant === "minio" ? (minioFor.get(name) ?? name) : name));
  return { files, hasMinioVariant: minioFor.size > 0 };
}

async function parseOrRead(
  file: string,
  text: string,
  problems: string[],
  cacheDir: string | undefined,
): Promise<ParsedDocument[]> {
  if (cacheDir === undefined) return parseFile(file, text, problems).parsed;
  const cached = await readParsedYaml(cacheDir, text);
  if (cached) return cached;
  const { parsed, complete } = parseFile(file, text, problems);
  if (complete) await writeParsedYaml(cacheDir, text, parsed);
  return parsed;
}

/** Every document of the file that parsed to a value; `complete` when no document had a YAML error. */
function parseFile(
  file: string,
  text: string,
  problems: string[],
): { parsed: ParsedDocument[]; complete: boolean } {
  const parsed: ParsedDocument[] = [];
  let complete = true;
  for (const document of splitYamlDocuments(text)) {
    let value: unknown;
    try {
      value = load(document.text, { filename: file });
    } catch (error) {
      if (!(error instanceof YAMLException)) throw error;
      const line = document.line + (error.mark?.line ?? 0);
      problems.push(`${file} document ${document.index} at line ${line}: YAML error: ${error.reason}`);
      complete = false;
      continue;
    }
    if (value === null || value === undefined) continue;
    parsed.push({ index: document.index, line: document.line, value });
  }
  return { parsed, complete };
}

function addValue(file: string, document: ParsedDocument, objects: KubeObject[], problems: string[]): void {
  const where = `${file} document ${document.index} at line ${document.line}`;
  const value = document.value;
  if (isList(value)) {
    value.items.forEach((item, i) => {
      checkObject(item, `${where} item ${i + 1}`, objects, problems);
    });
  } else {
    checkObject(value, where, objects, problems);
  }
}

function isList(value: unknown): value is { items: unknown[] } {
  if (typeof value !== "object" || value === null || !("kind" in value) || !("items" in value)) return false;
  return typeof value.kind === "string" && value.kind.endsWith("List") && Array.isArray(value.items);
}

function checkObject(value: unknown, where: string, objects: KubeObject[], problems: string[]): void {
  if (value === null || value === undefined) return;
  const result = kubeObjectSchema.safeParse(value);
  if (!result.success) {
    const name = describePartial(value);
    for (const issue of formatZodIssues(result.error)) problems.push(`${where}${name}: ${issue}`);
    return;
  }
  const object = result.data;
  if (isDeployment(object)) {
    const deployment = readDeployment(object);
    if (!deployment || !hasSelector(deployment)) {
      problems.push(
        `${where} (${describeRef(refOf(object))}): spec.selector: a Deployment needs selector.matchLabels or matchExpressions`,
      );
      return;
    }
  }
  objects.push(object);
}

/** Names what it can of an object that failed validation: ` (deployment/x)`, or nothing. */
function describePartial(value: unknown): string {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "";
  const record = value as Record<string, unknown>;
  const metadata = record.metadata;
  const name =
    typeof metadata === "object" &&
    metadata !== null &&
    "name" in metadata &&
    typeof metadata.name === "string"
      ? metadata.name
      : undefined;
  const kind = typeof record.kind === "string" ? record.kind.toLowerCase() : undefined;
  if (kind && name) return ` (${kind}/${name})`;
  if (name) return ` (name ${name})`;
  if (kind) return ` (a ${record.kind} without a name)`;
  return "";
}

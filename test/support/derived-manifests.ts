import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import yaml from "js-yaml";
import { onTestFinished } from "vitest";
import { SHARED_MANIFESTS } from "./run-cli.js";

/** Where a helper registers its cleanup: `onTestFinished` in a test, or a list that a `beforeAll` hook runs back. */
export type Defer = (cleanup: () => Promise<void> | void) => void;

/** One object of a rendered bundle, as js-yaml reads it. */
export interface BundleObject {
  kind?: string;
  metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  [key: string]: unknown;
}

/** How to derive one `<version>/` bundle of the temporary manifests directory from a real one. */
export interface BundleRecipe {
  /** The shared bundle to start from; default the directory's own name (`"2.3.0": {from: "2.5.0"}` misnames it). */
  from?: string;
  /** Changes objects in place, e.g. `podTemplate("ml-pipeline", {labels: …})`; untouched files stay byte-identical. */
  objects?: (object: BundleObject) => void;
  /** Rewrites a file's text last, e.g. `(text) => text.slice(0, 20_000)` to truncate it. */
  files?: Record<string, (text: string) => string>;
  /** Files that become dangling symlinks: listed in the directory, unreadable. */
  unreadable?: string[];
  /** Start from an empty directory instead of the shared bundle's files. */
  empty?: boolean;
  /** Extra files, written as given (e.g. a document that is not a Kubernetes object). */
  add?: Record<string, string>;
}

/**
 * A temporary manifests directory (`<version>/*.yaml`) made from the real bundles in ../shared/kfp-manifests:
 * `"shared"` links a bundle as it is, a recipe derives a tiny real fixture from it. Removed through `defer`.
 *
 *   derivedManifests({ "2.5.0": "shared", "2.14.4": { objects: podTemplate("ml-pipeline", { labels }) } })
 */
export function derivedManifests(
  bundles: Record<string, BundleRecipe | "shared">,
  defer: Defer = onTestFinished,
): string {
  const root = mkdtempSync(path.join(tmpdir(), "kfp-manifests-"));
  defer(() => rmSync(root, { recursive: true, force: true }));
  for (const [name, recipe] of Object.entries(bundles)) {
    const target = path.join(root, name);
    if (recipe === "shared") {
      symlinkSync(path.join(SHARED_MANIFESTS, name), target);
      continue;
    }
    const source = path.join(SHARED_MANIFESTS, recipe.from ?? name);
    mkdirSync(target);
    for (const file of recipe.empty ? [] : readdirSync(source)) {
      if (recipe.unreadable?.includes(file)) {
        symlinkSync(path.join(root, "does-not-exist", file), path.join(target, file));
        continue;
      }
      let text = readFileSync(path.join(source, file), "utf8");
      if (recipe.objects) text = editObjects(text, recipe.objects);
      const rewrite = recipe.files?.[file];
      writeFileSync(path.join(target, file), rewrite ? rewrite(text) : text);
    }
    for (const [file, text] of Object.entries(recipe.add ?? {})) writeFileSync(path.join(target, file), text);
  }
  return root;
}

function editObjects(text: string, edit: (object: BundleObject) => void): string {
  const documents = yaml.loadAll(text) as (BundleObject | null)[];
  let changed = false;
  for (const document of documents) {
    if (document === null || typeof document !== "object") continue;
    const before = JSON.stringify(document);
    edit(document);
    changed ||= JSON.stringify(document) !== before;
  }
  if (!changed) return text;
  return documents
    .filter((document) => document !== null)
    .map((document) => yaml.dump(document, { lineWidth: -1, noRefs: true }))
    .join("---\n");
}

/** Adds labels and annotations to the pod template of Deployment `name`, e.g. to make its new pods never ready. */
export function podTemplate(
  name: string,
  add: { labels?: Record<string, string>; annotations?: Record<string, string> },
): (object: BundleObject) => void {
  return (object) => {
    if (object.kind !== "Deployment" || object.metadata?.name !== name) return;
    const template = object.spec?.template as { metadata?: BundleObject["metadata"] } | undefined;
    if (!template) throw new Error(`deployment/${name} has no pod template`);
    template.metadata ??= {};
    template.metadata.labels = { ...template.metadata.labels, ...add.labels };
    template.metadata.annotations = { ...template.metadata.annotations, ...add.annotations };
  };
}

/** Removes the selector of Deployment `name` (a bundle no plan can apply). */
export function withoutSelector(name: string): (object: BundleObject) => void {
  return (object) => {
    if (object.kind === "Deployment" && object.metadata?.name === name) delete object.spec?.selector;
  };
}

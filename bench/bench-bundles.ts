// The bundles every contender of `npm run bench` is fed: the shared rendered KFP releases with the same kwok
// readiness delay on every Deployment's pod template (local-cluster/kwok-stages.ts READY_DELAY_ANNOTATION; the
// data-store simulation honours it for MySQL and the KFP API server too), optionally multiplied for the growth
// series. kfp-upgrade reads them with --manifests; the peers get the same objects moved into their namespace.
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import yaml from "js-yaml";
import { READY_DELAY_ANNOTATION } from "../local-cluster/kwok-stages.js";
import type { KubeObject } from "../src/model/kube-object.js";
import { bundleNamespace, retargetNamespace } from "../src/plan/retarget-namespace.js";
import { type BundleDocument, multiplyRelease } from "./synthetic-release.js";

export const SHARED_MANIFESTS = path.resolve(import.meta.dirname, "../../shared/kfp-manifests");

export interface ReadyDelays {
  /** Go duration for every Deployment, e.g. "2s". */
  deployment: string;
  /** Go duration for the MySQL Deployment (a database takes longer to accept connections). */
  mysql: string;
}

function withReadyDelay(document: BundleDocument, delays: ReadyDelays): BundleDocument {
  if (document.kind !== "Deployment" || !document.spec) return document;
  const template = document.spec.template as { metadata?: { annotations?: Record<string, string> } };
  const delay = document.metadata?.name === "mysql" ? delays.mysql : delays.deployment;
  template.metadata = {
    ...template.metadata,
    annotations: { ...template.metadata?.annotations, [READY_DELAY_ANNOTATION]: delay },
  };
  return document;
}

/** Writes `<root>/<version>/<file>.yaml` for each version: the shared bundle, delayed and multiplied by `factor`. */
export async function writeBenchManifests(
  root: string,
  versions: readonly string[],
  delays: ReadyDelays,
  factor = 1,
): Promise<string> {
  for (const version of versions) {
    const from = path.join(SHARED_MANIFESTS, version);
    const to = path.join(root, version);
    await mkdir(to, { recursive: true });
    for (const file of (await readdir(from)).filter(
      (name) => name.endsWith(".yaml") && !name.includes("-minio"),
    )) {
      const documents = (
        yaml.loadAll(await readFile(path.join(from, file), "utf8")) as BundleDocument[]
      ).filter((document) => document !== null && typeof document === "object");
      const multiplied = file === "cluster-scoped.yaml" ? documents : multiplyRelease(documents, factor);
      const text = multiplied
        .map((document) => yaml.dump(withReadyDelay(document, delays), { lineWidth: -1, noRefs: true }))
        .join("---\n");
      await writeFile(path.join(to, file), text);
    }
  }
  return root;
}

export interface PeerBundle {
  /** cluster-scoped.yaml's objects (Namespace, CRDs, cluster roles and the like), moved into `namespace`. */
  clusterScoped: KubeObject[];
  /** The env (platform-agnostic.yaml), moved into `namespace`. */
  env: KubeObject[];
}

/** One version of a bench manifests directory as the install docs apply it, moved into `namespace`. */
export async function peerBundle(manifests: string, version: string, namespace: string): Promise<PeerBundle> {
  const read = async (file: string) =>
    (yaml.loadAll(await readFile(path.join(manifests, version, file), "utf8")) as KubeObject[]).filter(
      Boolean,
    );
  const clusterScoped = await read("cluster-scoped.yaml");
  const env = await read("platform-agnostic.yaml");
  const from = bundleNamespace([...clusterScoped, ...env]);
  return {
    clusterScoped: retargetNamespace(clusterScoped, from, namespace),
    env: retargetNamespace(env, from, namespace),
  };
}

export function toYaml(objects: readonly KubeObject[]): string {
  return objects.map((object) => yaml.dump(object, { lineWidth: -1, noRefs: true })).join("---\n");
}

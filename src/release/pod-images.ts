import type { KubeObject } from "../model/kube-object.js";
import { parseImageRef } from "./parse-image-ref.js";
import type { Release } from "./release.js";

interface Container {
  name?: unknown;
  image?: unknown;
}

/** The pod specs of an object: a Pod's own, a workload's template, a CronJob's job template. */
function podSpecs(object: KubeObject): Record<string, unknown>[] {
  const spec = object.spec as Record<string, unknown> | undefined;
  if (!spec) return [];
  if (object.kind === "Pod") return [spec];
  const template = (spec.template as { spec?: Record<string, unknown> } | undefined)?.spec;
  const jobTemplate = (
    spec.jobTemplate as { spec?: { template?: { spec?: Record<string, unknown> } } } | undefined
  )?.spec?.template?.spec;
  return [template, jobTemplate].filter((s): s is Record<string, unknown> => s !== undefined);
}

function containersOf(podSpec: Record<string, unknown>): Container[] {
  return ["initContainers", "containers", "ephemeralContainers"].flatMap((field) => {
    const list = podSpec[field];
    return Array.isArray(list) ? (list as Container[]) : [];
  });
}

/**
 * Every container image a bundle's pods run (init containers too), each once, in bundle order: what a mirror must
 * hold. Mirroring keeps that order, so the lists with and without --image-registry pair up line by line.
 */
export function podImages(objects: readonly KubeObject[]): string[] {
  const images = new Set<string>();
  for (const object of objects) {
    for (const spec of podSpecs(object)) {
      for (const container of containersOf(spec))
        if (typeof container.image === "string") images.add(container.image);
    }
  }
  return [...images];
}

/**
 * `registry` + the image's path without its own registry host, tag and digest kept:
 * `ghcr.io/kubeflow/kfp-api-server:2.14.4` -> `mirror.local:5000/kubeflow/kfp-api-server:2.14.4`,
 * `mysql:8.4` (Docker Hub) -> `mirror.local:5000/library/mysql:8.4`. This is the layout `crane copy` and
 * `skopeo copy` produce when the destination is `<registry>/<path>`.
 */
export function mirrorImage(image: string, registry: string): string {
  const { repository, tag, digest } = parseImageRef(image);
  const mirrored = `${registry.replace(/\/+$/, "")}/${pathWithoutRegistry(repository)}`;
  return `${mirrored}${tag === undefined ? "" : `:${tag}`}${digest === undefined ? "" : `@${digest}`}`;
}

function pathWithoutRegistry(repository: string): string {
  const [first, ...rest] = repository.split("/");
  const isHost = first !== undefined && (first.includes(".") || first.includes(":") || first === "localhost");
  const path = isHost && rest.length > 0 ? rest : [first ?? "", ...rest];
  // Docker Hub's official images live under library/: `mysql` and `docker.io/alpine` are library/mysql, library/alpine.
  const dockerHub = !isHost || first === "docker.io" || first === "index.docker.io";
  return dockerHub && path.length === 1 ? `library/${path[0]}` : path.join("/");
}

/** The release with every pod image (and the images strategy's repositories) pointed at `registry`. */
export function withImageRegistry(release: Release, registry: string): Release {
  const objects = structuredClone(release.objects);
  for (const object of objects) {
    for (const spec of podSpecs(object)) {
      for (const container of containersOf(spec))
        if (typeof container.image === "string") container.image = mirrorImage(container.image, registry);
    }
  }
  return {
    ...release,
    registry: mirrorImage(`${release.registry}/x`, registry).replace(/\/x$/, ""),
    components: release.components.map((component) => ({
      ...component,
      image: mirrorImage(component.image, registry),
    })),
    objects,
  };
}

import type { KubeObject } from "../model/kube-object.js";
import {
  API_SERVER_DEPLOYMENT,
  MYSQL_DEPLOYMENT,
  MYSQL_SERIES,
  type MysqlSeries,
  mysqlSeriesOfImage,
} from "../model/running-servers.js";

/** Deployments that hold data: never scaled as MySQL clients, never restored after the point of no return. */
export const OBJECT_STORE_DEPLOYMENTS = ["minio", "seaweedfs"] as const;
export const DATA_SERVER_DEPLOYMENTS = new Set<string>([MYSQL_DEPLOYMENT, ...OBJECT_STORE_DEPLOYMENTS]);

/** What a running Deployment of the install looks like to the plan: enough to scale it and wait for its pods. */
export interface LiveDeployment {
  selector: Record<string, string>;
  replicas: number;
}

interface PodSpecShape {
  serviceAccountName?: string;
  containers?: {
    image?: string;
    env?: { valueFrom?: { secretKeyRef?: { name?: string }; configMapKeyRef?: { name?: string } } }[];
    envFrom?: { secretRef?: { name?: string }; configMapRef?: { name?: string } }[];
  }[];
  volumes?: { secret?: { secretName?: string }; configMap?: { name?: string } }[];
}

function podSpecOf(deployment: KubeObject): PodSpecShape {
  return (deployment.spec as { template?: { spec?: PodSpecShape } } | undefined)?.template?.spec ?? {};
}

function podLabelsOf(deployment: KubeObject): Record<string, string> {
  return (
    (deployment.spec as { template?: { metadata?: { labels?: Record<string, string> } } } | undefined)
      ?.template?.metadata?.labels ?? {}
  );
}

export function replicasOf(deployment: KubeObject): number | undefined {
  const replicas = (deployment.spec as { replicas?: unknown } | undefined)?.replicas;
  return typeof replicas === "number" ? replicas : undefined;
}

/** The `mysql` Deployment's image in a release's objects; undefined when it has none. */
export function mysqlImageOf(objects: readonly KubeObject[]): string | undefined {
  const mysql = objects.find((o) => o.kind === "Deployment" && o.metadata.name === MYSQL_DEPLOYMENT);
  if (!mysql) return undefined;
  const containers = podSpecOf(mysql).containers ?? [];
  return (
    containers.find((c) => c.image !== undefined && mysqlSeriesOfImage(c.image) !== null)?.image ??
    containers[0]?.image
  );
}

/**
 * Splits a release's objects into the `mysql` Deployment with what it needs to start (its ServiceAccount, the
 * Secrets and ConfigMaps it references, the Services that select its pods) and everything else. The first part is
 * applied alone in a MySQL series phase, while every client is stopped.
 */
export function splitMysqlObjects(objects: readonly KubeObject[]): {
  mysql: KubeObject[];
  rest: KubeObject[];
} {
  const deployment = objects.find((o) => o.kind === "Deployment" && o.metadata.name === MYSQL_DEPLOYMENT);
  if (!deployment) return { mysql: [], rest: [...objects] };
  const spec = podSpecOf(deployment);
  const secrets = new Set<string>();
  const configMaps = new Set<string>();
  for (const container of spec.containers ?? []) {
    for (const env of container.env ?? []) {
      if (env.valueFrom?.secretKeyRef?.name) secrets.add(env.valueFrom.secretKeyRef.name);
      if (env.valueFrom?.configMapKeyRef?.name) configMaps.add(env.valueFrom.configMapKeyRef.name);
    }
    for (const from of container.envFrom ?? []) {
      if (from.secretRef?.name) secrets.add(from.secretRef.name);
      if (from.configMapRef?.name) configMaps.add(from.configMapRef.name);
    }
  }
  for (const volume of spec.volumes ?? []) {
    if (volume.secret?.secretName) secrets.add(volume.secret.secretName);
    if (volume.configMap?.name) configMaps.add(volume.configMap.name);
  }
  const podLabels = podLabelsOf(deployment);
  const selects = (service: KubeObject) => {
    const selector = (service.spec as { selector?: Record<string, string> } | undefined)?.selector ?? {};
    const entries = Object.entries(selector);
    return entries.length > 0 && entries.every(([key, value]) => podLabels[key] === value);
  };
  const needed = (object: KubeObject): boolean => {
    if (object === deployment) return true;
    if (object.metadata.namespace !== deployment.metadata.namespace) return false;
    switch (object.kind) {
      case "ServiceAccount":
        return object.metadata.name === spec.serviceAccountName;
      case "Secret":
        return secrets.has(object.metadata.name);
      case "ConfigMap":
        return configMaps.has(object.metadata.name);
      case "Service":
        return selects(object);
      default:
        return false;
    }
  };
  return { mysql: objects.filter(needed), rest: objects.filter((o) => !needed(o)) };
}

/**
 * Deployments scaled to zero for the phase come back with the replicas the manifest asks for, or those they had
 * (at least 1): a manifest that omits `replicas` would otherwise leave the zero a merge patch set.
 */
export function withReplicas(
  objects: readonly KubeObject[],
  scaled: ReadonlyMap<string, number>,
): KubeObject[] {
  return objects.map((object) => {
    if (object.kind !== "Deployment" || replicasOf(object) !== undefined) return object;
    const before = scaled.get(object.metadata.name);
    if (before === undefined) return object;
    return { ...object, spec: { ...(object.spec as object), replicas: Math.max(before, 1) } };
  });
}

export function seriesIndex(series: MysqlSeries): number {
  return MYSQL_SERIES.indexOf(series);
}

/** The Deployments a point of no return keeps at the new release, of those the install runs. */
export function keptAfterPointOfNoReturn(names: Iterable<string>): string[] {
  const present = new Set(names);
  return [MYSQL_DEPLOYMENT, ...OBJECT_STORE_DEPLOYMENTS, API_SERVER_DEPLOYMENT].filter((name) =>
    present.has(name),
  );
}

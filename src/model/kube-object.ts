import { z } from "zod";

/** A Kubernetes object as read from a manifest: only what every object has is checked. */
export const kubeObjectSchema = z
  .object({
    apiVersion: z.string().min(1),
    kind: z.string().min(1),
    metadata: z
      .object({
        name: z.string().min(1),
        namespace: z.string().optional(),
        labels: z.record(z.string(), z.string()).optional(),
        annotations: z.record(z.string(), z.string()).optional(),
      })
      .passthrough(),
  })
  .passthrough();
export type KubeObject = z.infer<typeof kubeObjectSchema>;

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string | undefined;
}

export function refOf(object: KubeObject): ObjectRef {
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    name: object.metadata.name,
    namespace: object.metadata.namespace,
  };
}

/** `deployment/ml-pipeline -n kubeflow`, the way kubectl names objects. */
export function describeRef(ref: ObjectRef): string {
  const base = `${ref.kind.toLowerCase()}/${ref.name}`;
  return ref.namespace ? `${base} -n ${ref.namespace}` : base;
}

const SERVER_OWNED_METADATA = [
  "uid",
  "resourceVersion",
  "creationTimestamp",
  "managedFields",
  "selfLink",
  "generation",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
] as const;

/** An object read from the server, made fit to create or apply again: no server-owned metadata, no status. */
export function withoutServerFields(object: KubeObject): KubeObject {
  const metadata: Record<string, unknown> = { ...object.metadata };
  for (const field of SERVER_OWNED_METADATA) delete metadata[field];
  const { status, ...rest } = object;
  void status;
  return { ...rest, metadata } as KubeObject;
}

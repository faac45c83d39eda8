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

import { z } from "zod";
import type { KubeObject } from "../model/kube-object.js";

/** The parts of an apps/v1 Deployment that the release layer reads; anything else passes through unchecked. */
const deploymentShapeSchema = z.object({
  metadata: z.object({ name: z.string() }),
  spec: z
    .object({
      selector: z
        .object({
          matchLabels: z.record(z.string(), z.unknown()).optional(),
          matchExpressions: z.array(z.unknown()).optional(),
        })
        .optional(),
      template: z
        .object({
          spec: z
            .object({
              containers: z.array(z.object({ name: z.string(), image: z.string().optional() })).optional(),
              volumes: z
                .array(
                  z.object({
                    name: z.string(),
                    persistentVolumeClaim: z.object({ claimName: z.string() }).optional(),
                  }),
                )
                .optional(),
            })
            .optional(),
        })
        .optional(),
    })
    .optional(),
});
export type DeploymentShape = z.infer<typeof deploymentShapeSchema>;

export function isDeployment(object: KubeObject): boolean {
  return object.kind === "Deployment" && /^(apps|extensions)\//.test(object.apiVersion);
}

/** The Deployment's fields, or undefined when the object is not a Deployment or its fields have the wrong types. */
export function readDeployment(object: KubeObject): DeploymentShape | undefined {
  if (!isDeployment(object)) return undefined;
  const result = deploymentShapeSchema.safeParse(object);
  return result.success ? result.data : undefined;
}

export function hasSelector(deployment: DeploymentShape): boolean {
  const selector = deployment.spec?.selector;
  return Object.keys(selector?.matchLabels ?? {}).length > 0 || (selector?.matchExpressions ?? []).length > 0;
}

export interface ContainerImage {
  deployment: string;
  container: string;
  image: string;
}

/** Every (non-init) container image of every Deployment, in object order. */
export function deploymentImages(objects: readonly KubeObject[]): ContainerImage[] {
  return objects.flatMap((object) => {
    const deployment = readDeployment(object);
    if (!deployment) return [];
    return (deployment.spec?.template?.spec?.containers ?? []).flatMap((container) =>
      container.image === undefined
        ? []
        : [{ deployment: deployment.metadata.name, container: container.name, image: container.image }],
    );
  });
}

export function claimNames(deployment: DeploymentShape): string[] {
  return (deployment.spec?.template?.spec?.volumes ?? []).flatMap((volume) =>
    volume.persistentVolumeClaim ? [volume.persistentVolumeClaim.claimName] : [],
  );
}

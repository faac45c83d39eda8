/** Identity of an object across API versions: `Deployment/kubeflow/ml-pipeline`. */
export function objectKey(kind: string, namespace: string | null | undefined, name: string): string {
  return `${kind}/${namespace ?? ""}/${name}`;
}

import type { KubeClient } from "../kube/kube-client.js";
import { type KubeObject, type ObjectRef, withoutServerFields } from "../model/kube-object.js";
import { PROTECTED_KINDS } from "../plan/order.js";
import type { Step } from "../plan/step.js";
import { readLiveObjects, refKey } from "./read-live-objects.js";

export { refKey };

export function refFromKey(key: string): ObjectRef {
  const [apiVersion, kind, namespace, name] = JSON.parse(key) as [string, string, string, string];
  return { apiVersion, kind, name, ...(namespace ? { namespace } : {}) };
}

/** The stateless objects a hop's steps change. Data objects and Secrets are never captured nor restored. */
export function touchedStatelessRefs(steps: Step[]): ObjectRef[] {
  const refs = new Map<string, ObjectRef>();
  const add = (ref: ObjectRef) => {
    if (PROTECTED_KINDS.has(ref.kind) || ref.kind === "CustomResourceDefinition") return;
    refs.set(refKey(ref), ref);
  };
  const refOfObject = (object: KubeObject): ObjectRef => ({
    apiVersion: object.apiVersion,
    kind: object.kind,
    name: object.metadata.name,
    namespace: object.metadata.namespace,
  });
  for (const step of steps) {
    if (step.kind === "applyObjects") for (const { object } of step.objects) add(refOfObject(object));
    else if (step.kind === "recreateDeployment") add(refOfObject(step.object));
    else if (step.kind === "setImages") {
      add({ apiVersion: "apps/v1", kind: "Deployment", name: step.deployment, namespace: step.namespace });
    } else if (step.kind === "scaleDeployments") {
      for (const { name } of step.deployments) {
        add({ apiVersion: "apps/v1", kind: "Deployment", name, namespace: step.namespace });
      }
    } else if (step.kind === "prune") for (const ref of step.objects) add(ref);
  }
  return [...refs.values()];
}

export async function captureBefore(
  client: KubeClient,
  refs: ObjectRef[],
): Promise<[string, KubeObject | null][]> {
  const live = await readLiveObjects(client, refs);
  return refs.map((ref): [string, KubeObject | null] => {
    const object = live.get(ref) ?? null;
    return [refKey(ref), object ? withoutServerFields(object) : null];
  });
}

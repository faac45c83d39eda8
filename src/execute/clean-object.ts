import type { KubeObject } from "../release/kube-object.js";

/** An object read from the server, made fit to apply again: no server-owned metadata, no status. */
export function cleanObject(object: KubeObject): KubeObject {
  const {
    uid,
    resourceVersion,
    creationTimestamp,
    managedFields,
    selfLink,
    generation,
    deletionTimestamp,
    ...metadata
  } = object.metadata as KubeObject["metadata"] & Record<string, unknown>;
  void [uid, resourceVersion, creationTimestamp, managedFields, selfLink, generation, deletionTimestamp];
  const { status, ...rest } = object;
  void status;
  return { ...rest, metadata } as KubeObject;
}

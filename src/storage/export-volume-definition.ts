import { type KubeObject, withoutServerFields } from "../model/kube-object.js";

/**
 * A PV definition that can recreate the same volume in a new cluster: no uid, resourceVersion, claimRef or status,
 * and reclaim policy Retain.
 */
export function exportVolumeDefinition(volume: KubeObject): KubeObject {
  const { finalizers, ...metadata } = withoutServerFields(volume).metadata as Record<string, unknown> &
    KubeObject["metadata"];
  void finalizers;
  const annotations = { ...(metadata.annotations ?? {}) };
  delete annotations["pv.kubernetes.io/bound-by-controller"];
  const { claimRef, ...spec } = (volume.spec ?? {}) as Record<string, unknown>;
  void claimRef;
  const cleanMetadata: KubeObject["metadata"] = { ...metadata };
  if (Object.keys(annotations).length > 0) cleanMetadata.annotations = annotations;
  else delete cleanMetadata.annotations;
  return {
    apiVersion: volume.apiVersion,
    kind: volume.kind,
    metadata: cleanMetadata,
    spec: { ...spec, persistentVolumeReclaimPolicy: "Retain" },
  };
}

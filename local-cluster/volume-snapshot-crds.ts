// The three snapshot.storage.k8s.io/v1 CRDs a cluster needs for CSI snapshots (VolumeSnapshotClass,
// VolumeSnapshotContent, VolumeSnapshot), written after the external-snapshotter's published CRDs
// (https://github.com/kubernetes-csi/external-snapshotter/tree/master/client/config/crd,
// snapshot.storage.k8s.io_volumesnapshot{classes,contents,s}.yaml): same group, names, scope, served/storage version
// v1, status subresource, required fields and the one-of source rules. Descriptions, printer columns and the
// deprecated v1beta1 version are left out; the field types are theirs.
import type { KubeRest } from "./kube-rest.js";
import { waitFor } from "./kube-rest.js";

const GROUP = "snapshot.storage.k8s.io";

type Schema = Record<string, unknown>;

const str = { type: "string" };
const obj = (properties: Record<string, Schema>, required: string[] = []): Schema => ({
  type: "object",
  properties,
  ...(required.length > 0 ? { required } : {}),
});

function crd(kind: string, plural: string, scope: "Namespaced" | "Cluster", schema: Schema, status: boolean) {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: {
      name: `${plural}.${GROUP}`,
      annotations: {
        "api-approved.kubernetes.io": "https://github.com/kubernetes-csi/external-snapshotter/pull/419",
      },
    },
    spec: {
      group: GROUP,
      names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase() },
      scope,
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          schema: { openAPIV3Schema: schema },
          ...(status ? { subresources: { status: {} } } : {}),
        },
      ],
    },
  };
}

const deletionPolicy = { type: "string", enum: ["Delete", "Retain"] };

export const VOLUME_SNAPSHOT_CLASS_CRD = crd(
  "VolumeSnapshotClass",
  "volumesnapshotclasses",
  "Cluster",
  {
    type: "object",
    properties: {
      apiVersion: str,
      kind: str,
      metadata: { type: "object" },
      driver: str,
      deletionPolicy,
      parameters: { type: "object", additionalProperties: str },
    },
    required: ["deletionPolicy", "driver"],
  },
  false,
);

export const VOLUME_SNAPSHOT_CONTENT_CRD = crd(
  "VolumeSnapshotContent",
  "volumesnapshotcontents",
  "Cluster",
  obj(
    {
      apiVersion: str,
      kind: str,
      metadata: { type: "object" },
      spec: obj(
        {
          deletionPolicy,
          driver: str,
          source: {
            ...obj({ snapshotHandle: str, volumeHandle: str }),
            oneOf: [{ required: ["snapshotHandle"] }, { required: ["volumeHandle"] }],
          },
          sourceVolumeMode: str,
          volumeSnapshotClassName: str,
          volumeSnapshotRef: obj({
            apiVersion: str,
            fieldPath: str,
            kind: str,
            name: str,
            namespace: str,
            resourceVersion: str,
            uid: str,
          }),
        },
        ["deletionPolicy", "driver", "source", "volumeSnapshotRef"],
      ),
      status: obj({
        creationTime: { type: "integer", format: "int64" },
        error: obj({ message: str, time: { type: "string", format: "date-time" } }),
        readyToUse: { type: "boolean" },
        restoreSize: { type: "integer", format: "int64", minimum: 0 },
        snapshotHandle: str,
      }),
    },
    ["spec"],
  ),
  true,
);

export const VOLUME_SNAPSHOT_CRD = crd(
  "VolumeSnapshot",
  "volumesnapshots",
  "Namespaced",
  obj(
    {
      apiVersion: str,
      kind: str,
      metadata: { type: "object" },
      spec: obj(
        {
          source: {
            ...obj({ persistentVolumeClaimName: str, volumeSnapshotContentName: str }),
            oneOf: [{ required: ["persistentVolumeClaimName"] }, { required: ["volumeSnapshotContentName"] }],
          },
          volumeSnapshotClassName: str,
        },
        ["source"],
      ),
      status: obj({
        boundVolumeSnapshotContentName: str,
        creationTime: { type: "string", format: "date-time" },
        error: obj({ message: str, time: { type: "string", format: "date-time" } }),
        readyToUse: { type: "boolean" },
        restoreSize: { "x-kubernetes-int-or-string": true },
      }),
    },
    ["spec"],
  ),
  true,
);

export const VOLUME_SNAPSHOT_CRDS = [
  VOLUME_SNAPSHOT_CLASS_CRD,
  VOLUME_SNAPSHOT_CONTENT_CRD,
  VOLUME_SNAPSHOT_CRD,
];

/** Creates the CRDs unless they exist, then waits until the API server serves snapshot.storage.k8s.io/v1. */
export async function installVolumeSnapshotCrds(rest: KubeRest): Promise<void> {
  for (const definition of VOLUME_SNAPSHOT_CRDS) {
    await rest.expect("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", definition, [409]);
  }
  for (const definition of VOLUME_SNAPSHOT_CRDS) {
    await waitFor(
      `CRD ${definition.metadata.name} Established`,
      async () => {
        const crdNow = (await rest.expect(
          "GET",
          `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${definition.metadata.name}`,
        )) as { status?: { conditions?: { type: string; status: string }[] } };
        return crdNow.status?.conditions?.some((c) => c.type === "Established" && c.status === "True")
          ? true
          : undefined;
      },
      { timeoutMs: 60_000 },
    );
  }
  await waitFor(
    `${GROUP}/v1 served`,
    async () => ((await rest.request("GET", `/apis/${GROUP}/v1`)).statusCode === 200 ? true : undefined),
    { timeoutMs: 60_000 },
  );
}

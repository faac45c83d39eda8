import { describe, expect, it } from "vitest";
import { takeSnapshot } from "../../../src/kube/take-snapshot.js";
import type { ClusterSnapshot } from "../../../src/model/cluster-snapshot.js";
import type { KubeObject } from "../../../src/model/kube-object.js";
import { convertApiVersions } from "../../../src/plan/convert-api-versions.js";
import { DEFAULT_SERVED_API_VERSIONS, FakeKubeClient } from "../../support/fake-kube-client.js";
import { sharedRelease } from "../../support/manifests.js";
import { aSnapshot } from "../../support/snapshot-builder.js";

/** What `kubectl apply` of the bundle leaves once the controllers are done. */
function settled(object: KubeObject): KubeObject {
  if (object.kind === "Deployment") {
    const replicas = (object.spec as { replicas?: number }).replicas ?? 1;
    return {
      ...object,
      status: { replicas, readyReplicas: replicas, availableReplicas: replicas, updatedReplicas: replicas },
    };
  }
  if (object.kind === "CustomResourceDefinition") {
    return { ...object, status: { conditions: [{ type: "Established", status: "True" }] } };
  }
  if (object.kind === "Namespace") return { ...object, status: { phase: "Active" } };
  return object;
}

const volume = (name: string): KubeObject => ({
  apiVersion: "v1",
  kind: "PersistentVolume",
  metadata: { name },
  spec: {
    capacity: { storage: "20Gi" },
    accessModes: ["ReadWriteOnce"],
    persistentVolumeReclaimPolicy: "Retain",
    hostPath: { path: `/data/${name}` },
  },
  status: { phase: "Available" },
});

/** UIDs differ by construction (the fake makes its own); everything else must not. */
function withoutUids(snapshot: ClusterSnapshot): unknown {
  return JSON.parse(JSON.stringify(snapshot, (key, value) => (key === "uid" ? "<uid>" : value)));
}

describe("the snapshot builder the plan tests stand on", () => {
  const versions = [{ name: "0.5.1" }, { name: "1.4.1" }, { name: "2.5.0" }, { name: "2.17.0" }];
  it.each(versions)("describes a $name install as takeSnapshot reads it from a cluster", async ({ name }) => {
    const release = await sharedRelease(name);
    // What is in a current cluster: ≤1.4.1's v1beta1 CRDs were converted on the way in.
    const installed = convertApiVersions(release.objects, DEFAULT_SERVED_API_VERSIONS).objects;
    const fake = new FakeKubeClient({ defaultNamespace: "kubeflow", context: "test-context" });
    fake.seed(installed.map(settled));
    fake.seed([volume("kfp-mysql"), volume("kfp-minio")]);
    fake.bind({ namespace: "kubeflow", name: release.dataClaims.mysql }, "kfp-mysql");
    fake.bind({ namespace: "kubeflow", name: release.dataClaims.objectStore }, "kfp-minio");
    const read = await takeSnapshot(fake, { namespace: "kubeflow" });

    const built = aSnapshot()
      .withInstalled(name, installed)
      .withBoundClaim(release.dataClaims.mysql, "kfp-mysql", { storageClassName: null })
      .withBoundClaim(release.dataClaims.objectStore, "kfp-minio", { storageClassName: null })
      .build();
    expect(withoutUids(built)).toEqual(withoutUids(read));
  });
});

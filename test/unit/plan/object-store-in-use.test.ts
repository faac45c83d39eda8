import { describe, expect, it } from "vitest";
import { objectStoreInUse } from "../../../src/plan/object-store-in-use.js";
import { aSnapshot } from "../../support/snapshot-builder.js";

describe("objectStoreInUse", () => {
  const minio = { containers: [{ name: "minio", image: "minio/minio" }], claims: ["minio-pvc"] };
  const seaweedfs = {
    containers: [{ name: "seaweedfs", image: "chrislusf/seaweedfs:4.00" }],
    claims: ["seaweedfs-pvc"],
  };
  const cases = [
    {
      name: "MinIO",
      snapshot: () => aSnapshot().withDeployment("minio", minio).build(),
      inUse: { store: "minio", claim: "minio-pvc" },
    },
    {
      name: "SeaweedFS",
      snapshot: () => aSnapshot().withDeployment("seaweedfs", seaweedfs).build(),
      inUse: { store: "seaweedfs", claim: "seaweedfs-pvc" },
    },
    {
      name: "both (a switch whose MinIO is not pruned yet): SeaweedFS",
      snapshot: () =>
        aSnapshot().withDeployment("minio", minio).withDeployment("seaweedfs", seaweedfs).build(),
      inUse: { store: "seaweedfs", claim: "seaweedfs-pvc" },
    },
    {
      name: "a ksonnet-era MinIO on minio-pv-claim",
      snapshot: () =>
        aSnapshot()
          .withDeployment("minio", { ...minio, claims: ["minio-pv-claim"] })
          .build(),
      inUse: { store: "minio", claim: "minio-pv-claim" },
    },
    { name: "neither", snapshot: () => aSnapshot().build(), inUse: null },
  ];
  it.each(cases)("$name", ({ snapshot, inUse }) => {
    expect(objectStoreInUse(snapshot())).toEqual(inUse);
  });
});

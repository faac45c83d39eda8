import { describe, expect, it } from "vitest";
import type { ClusterNode, GcpDiskFinding, GcpDiskState } from "../../../src/model/gcp-disk.js";
import { checkGcpDisk } from "../../../src/storage/check-gcp-disk.js";

const GIB = 1024 ** 3;
const SHOW = "gcloud compute disks describe kf-storage-metadata-store --zone us-central1-a --project p";
const NODES: ClusterNode[] = [
  { name: "gke-node-1", zone: "us-central1-a" },
  { name: "gke-node-2", zone: "us-central1-a" },
];

function finding(state: Partial<GcpDiskState> | null): GcpDiskFinding {
  return {
    role: "mysql",
    disk: "kf-storage-metadata-store",
    project: "p",
    zone: "us-central1-a",
    showCommand: SHOW,
    state:
      state === null
        ? null
        : {
            name: "kf-storage-metadata-store",
            project: "p",
            zone: "us-central1-a",
            region: null,
            replicaZones: [],
            sizeBytes: 20 * GIB,
            users: [],
            status: "READY",
            ...state,
          },
  };
}

describe("checkGcpDisk", () => {
  it.each([
    { name: "a detached disk in the nodes' zone", state: {} },
    { name: "a disk attached to one of this cluster's nodes", state: { users: ["gke-node-2"] } },
    { name: "a larger disk", state: { sizeBytes: 200 * GIB } },
    {
      name: "a regional disk replicated into the nodes' zone",
      state: { zone: null, region: "us-central1", replicaZones: ["us-central1-b", "us-central1-a"] },
    },
  ])("accepts $name", ({ state }) => {
    expect(checkGcpDisk(finding(state), NODES, 20 * GIB)).toEqual([]);
  });

  it.each([
    {
      name: "a missing disk",
      state: null,
      problem: `GCP disk "kf-storage-metadata-store" does not exist in project p (in no zone or region) (\`${SHOW}\`)`,
    },
    {
      name: "a disk in another zone",
      state: { zone: "europe-west1-b" },
      problem: `GCP disk "kf-storage-metadata-store" is in zone europe-west1-b, but this cluster's nodes are in us-central1-a: a pod there cannot attach it (\`${SHOW}\`)`,
    },
    {
      name: "a regional disk not replicated into the nodes' zone",
      state: { zone: null, region: "us-central1", replicaZones: ["us-central1-b", "us-central1-c"] },
      problem: `GCP disk "kf-storage-metadata-store" is in region us-central1 (zones us-central1-b, us-central1-c), but this cluster's nodes are in us-central1-a: a pod there cannot attach it (\`${SHOW}\`)`,
    },
    {
      name: "a disk smaller than the claim",
      state: { sizeBytes: 10 * GIB },
      problem: `GCP disk "kf-storage-metadata-store" is too small: 10Gi < 20Gi requested by the claim (\`${SHOW}\`)`,
    },
    {
      name: "a disk attached to an instance outside the cluster",
      state: { users: ["gke-node-1", "old-cluster-node-7"] },
      problem: `GCP disk "kf-storage-metadata-store" is attached to instance "old-cluster-node-7", which is not a node of this cluster: writing to it from here could corrupt its data; detach it first (\`gcloud compute instances detach-disk INSTANCE --disk kf-storage-metadata-store\`) (\`${SHOW}\`)`,
    },
  ])("refuses $name, naming the disk and the gcloud command", ({ state, problem }) => {
    expect(checkGcpDisk(finding(state), NODES, 20 * GIB)).toEqual([problem]);
  });

  it("refuses when no node carries a zone label, since the zone cannot be checked", () => {
    const problems = checkGcpDisk(finding({}), [{ name: "n", zone: null }], 20 * GIB);
    expect(problems).toEqual([
      expect.stringContaining("no node of this cluster has a topology.kubernetes.io/zone label"),
    ]);
  });

  it("reports every problem of one disk at once", () => {
    const problems = checkGcpDisk(
      finding({ zone: "us-east1-b", sizeBytes: GIB, users: ["elsewhere"] }),
      NODES,
      20 * GIB,
    );
    expect(problems).toHaveLength(3);
  });
});

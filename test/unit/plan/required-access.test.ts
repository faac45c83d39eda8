import { describe, expect, it } from "vitest";
import { PLAN_API_VERSION, type Plan } from "../../../src/plan/plan.js";
import { requiredAccess } from "../../../src/plan/required-access.js";
import type { Step } from "../../../src/plan/step.js";

const EMPTY = { experiments: [], pipelines: [], pipelineVersions: [], runs: [], recurringRuns: [] };

function planOf(steps: Step[]): Plan {
  return {
    apiVersion: PLAN_API_VERSION,
    kind: "Plan",
    command: "upgrade",
    namespace: "kubeflow",
    context: null,
    from: "2.5.0",
    to: "2.14.4",
    strategy: "manifests",
    hops: [],
    storage: [],
    steps,
    warnings: [],
    notes: [],
    createdAt: "2026-01-01T00:00:00.000Z",
  };
}

describe("requiredAccess of verifyInventory", () => {
  const proxy = { verb: "get", group: "", resource: "services", subresource: "proxy", namespace: "kubeflow" };
  it.each([
    {
      name: "through the service proxy: get services/proxy in the namespace",
      endpoint: undefined,
      needs: true,
    },
    { name: "at --kfp-endpoint: nothing of the cluster", endpoint: "http://127.0.0.1:8888", needs: false },
  ])("$name", ({ endpoint, needs }) => {
    const step: Step = {
      id: "h1-09-verifyInventory",
      kind: "verifyInventory",
      namespace: "kubeflow",
      ...(endpoint ? { endpoint } : {}),
      source: "as KFP's API listed them before the run",
      baseline: EMPTY,
    };
    const access = requiredAccess(planOf([step]));
    if (needs) expect(access).toContainEqual(proxy);
    else expect(access.filter((entry) => entry.subresource === "proxy")).toEqual([]);
  });
});

describe("requiredAccess of backupVolumes", () => {
  it("creates, reads and watches VolumeSnapshots and reads the claims, in the namespace", () => {
    const step: Step = {
      id: "01-backupVolumes",
      kind: "backupVolumes",
      namespace: "kubeflow",
      reason: "--backup",
      labels: {},
      backups: [
        {
          method: "csi",
          role: "mysql",
          claim: "mysql-pv-claim",
          volume: "pv",
          driver: "d",
          snapshotClass: "c",
          name: "kubeflow-mysql-2.5.0-to-2.14.4-20260101t000000",
        },
      ],
    };
    const access = requiredAccess(planOf([step]));
    for (const verb of ["get", "create", "list", "watch"]) {
      expect(access).toContainEqual({
        verb,
        group: "snapshot.storage.k8s.io",
        resource: "volumesnapshots",
        namespace: "kubeflow",
      });
    }
    expect(access).toContainEqual({
      verb: "get",
      group: "",
      resource: "persistentvolumeclaims",
      namespace: "kubeflow",
    });
  });
});

describe("requiredAccess of backupVolumes with GCP disk snapshots", () => {
  const gcpTarget = {
    method: "gcp-snapshot" as const,
    role: "mysql" as const,
    claim: "mysql-pv-claim",
    volume: "pv-mysql",
    project: "kf-proj",
    disk: "kf-metadata",
    zone: "us-central1-a",
    region: null,
    name: "kubeflow-mysql-2-5-0-to-2-14-4-20260101t000000",
  };
  const csiTarget = {
    method: "csi" as const,
    role: "objectStore" as const,
    claim: "minio-pvc",
    volume: "pv-minio",
    driver: "pd.csi.storage.gke.io",
    snapshotClass: "pd-snapshots",
    name: "kubeflow-objects-2.5.0-to-2.14.4-20260101t000000",
  };
  const step = (backups: Extract<Step, { kind: "backupVolumes" }>["backups"]): Step => ({
    id: "01-backupVolumes",
    kind: "backupVolumes",
    namespace: "kubeflow",
    reason: "--backup",
    labels: {},
    backups,
  });
  const resources = (steps: Step[]) => requiredAccess(planOf(steps)).map((check) => check.resource);

  it("GCP disk snapshots only: nothing of the cluster (gcloud takes them)", () => {
    // Only what every run needs (its lock Lease).
    expect(new Set(resources([step([gcpTarget])]))).toEqual(new Set(resources([])));
  });

  it("with a VolumeSnapshot too: volumesnapshots and the claims", () => {
    expect(resources([step([gcpTarget, csiTarget])]).sort()).toEqual(
      expect.arrayContaining(["persistentvolumeclaims", "volumesnapshots"]),
    );
  });
});

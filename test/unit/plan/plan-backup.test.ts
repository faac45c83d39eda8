import { describe, expect, it } from "vitest";
import type { ClusterSnapshot } from "../../../src/model/cluster-snapshot.js";
import { buildUpgradePlan } from "../../../src/plan/build-upgrade-plan.js";
import type { Plan } from "../../../src/plan/plan.js";
import { assessBackup, backupName, gcpSnapshotName, withBackupStep } from "../../../src/plan/plan-backup.js";
import { renderPlanText } from "../../../src/plan/render-plan-text.js";
import { sharedHops, sharedRelease } from "../../support/manifests.js";
import { aSnapshot } from "../../support/snapshot-builder.js";
import { installedSnapshot, NOW, PV_APP } from "./plan-inputs.js";

const CSI = (handle: string) => ({
  type: "csi" as const,
  driver: "pd.csi.storage.gke.io",
  volumeHandle: handle,
});
const PD_CLASS = { name: "pd-snapshots", driver: "pd.csi.storage.gke.io", isDefault: false };

/** The real 2.5.0 -> 2.14.4 upgrade plan over an install whose PVs have the given sources. */
async function upgradePlan(
  sources: "csi" | "hostPath" | "gcp",
): Promise<{ plan: Plan; snapshot: ClusterSnapshot }> {
  const installed = await sharedRelease("2.5.0");
  const snapshot =
    sources === "csi"
      ? aSnapshot("kubeflow")
          .withInstalled("2.5.0", installed.objects)
          .withBoundClaim("mysql-pv-claim", "kfp-mysql", { uid: "pv-uid-mysql", source: CSI("disks/mysql") })
          .withBoundClaim("minio-pvc", "kfp-minio", { uid: "pv-uid-minio", source: CSI("disks/minio") })
          .build()
      : sources === "gcp"
        ? aSnapshot("kubeflow")
            .withInstalled("2.5.0", installed.objects)
            // A CSI PV of a regional disk in another project, and an in-tree PD (in the app's project and zone).
            .withBoundClaim("mysql-pv-claim", "kfp-mysql", {
              uid: "pv-uid-mysql",
              source: CSI("projects/disk-proj/regions/us-central1/disks/kf-metadata"),
            })
            .withBoundClaim("minio-pvc", "kfp-minio", {
              uid: "pv-uid-minio",
              source: { type: "gcePersistentDisk", pdName: "kf-artifacts" },
            })
            .build()
        : installedSnapshot(installed).build();
  const plan = buildUpgradePlan({
    app: PV_APP,
    snapshot,
    installed,
    hops: await sharedHops("2.5.0", "2.14.4"),
    strategy: "auto",
    now: NOW,
  });
  return { plan, snapshot };
}

describe("one-way changes", () => {
  it("an upgrade that moves MySQL a series marks it one-way", async () => {
    const { plan } = await upgradePlan("hostPath");
    expect(plan.oneWay).toEqual(["hop 1 (2.5.0 → 2.14.4): MySQL 8.0 → 8.4 upgrades the data directory"]);
  });

  it("crossing 2.15 onto SeaweedFS marks the schema migration and the object-store switch", async () => {
    const installed = await sharedRelease("2.14.4");
    const plan = buildUpgradePlan({
      app: PV_APP,
      snapshot: installedSnapshot(installed).withDefaultStorageClass("standard").build(),
      installed,
      hops: await sharedHops("2.14.4", "2.15.0"),
      strategy: "auto",
      objectStore: "seaweedfs",
      now: NOW,
    });
    expect(plan.oneWay).toEqual([
      "the object store moves from MinIO to SeaweedFS at 2.15.0 (new artifacts go to a new volume)",
      "hop 1 (2.14.4 → 2.15.0): KFP 2.15.0's API server runs the one-way 2.15 database schema migration",
    ]);
    // The backup covers the data that exists: MySQL and the MinIO claim left behind, not the new, empty SeaweedFS one.
    const snapshot = installedSnapshot(installed).withDefaultStorageClass("standard").build();
    const assessment = assessBackup({ plan, snapshot, classes: [], snapshotApi: false });
    expect(assessment.manual.map((m) => [m.role, m.claim])).toEqual([
      ["mysql", "mysql-pv-claim"],
      ["legacyObjectStore", "minio-pvc"],
    ]);
    expect(assessment.instructions).toEqual([
      "MySQL (claim mysql-pv-claim): kubectl -n kubeflow exec deploy/mysql -- mysqldump -u root --all-databases --single-transaction --routines --events > kubeflow-mysql-2.14.4.sql",
      "  or, on the node that holds PV kfp-mysql, with KFP scaled to zero: tar -C /data/kfp-mysql -czf kubeflow-mysql-2.14.4.tgz .",
      "object store (claim minio-pvc): kubectl -n kubeflow exec deploy/minio -- tar -C /data -cf - . > kubeflow-minio-2.14.4.tar",
      "  or, on the node that holds PV kfp-minio, with KFP scaled to zero: tar -C /data/kfp-minio -czf kubeflow-legacy-objects-2.14.4.tgz .",
    ]);
  });
});

describe("assessBackup", () => {
  it("snapshots every data claim whose CSI driver has a class, named after the app and the versions", async () => {
    const { plan, snapshot } = await upgradePlan("csi");
    const assessment = assessBackup({ plan, snapshot, classes: [PD_CLASS], snapshotApi: true });
    expect(assessment.manual).toEqual([]);
    expect(assessment.targets).toEqual([
      {
        method: "csi",
        role: "mysql",
        claim: "mysql-pv-claim",
        volume: "kfp-mysql",
        driver: "pd.csi.storage.gke.io",
        snapshotClass: "pd-snapshots",
        name: "kubeflow-mysql-2.5.0-to-2.14.4-20260102t030405",
      },
      {
        method: "csi",
        role: "objectStore",
        claim: "minio-pvc",
        volume: "kfp-minio",
        driver: "pd.csi.storage.gke.io",
        snapshotClass: "pd-snapshots",
        name: "kubeflow-objects-2.5.0-to-2.14.4-20260102t030405",
      },
    ]);
  });

  it("prefers the driver's default class", async () => {
    const { plan, snapshot } = await upgradePlan("csi");
    const classes = [PD_CLASS, { name: "z-default", driver: "pd.csi.storage.gke.io", isDefault: true }];
    expect(
      assessBackup({ plan, snapshot, classes, snapshotApi: true }).targets.map((t) =>
        t.method === "csi" ? t.snapshotClass : t.method,
      ),
    ).toEqual(["z-default", "z-default"]);
  });

  it("on a gcp app, snapshots the GCP disks behind the claims with gcloud, whatever the snapshot classes", async () => {
    const { plan, snapshot } = await upgradePlan("gcp");
    const gcp = { project: "kf-proj", zone: "us-central1-a" };
    const assessment = assessBackup({ plan, snapshot, classes: [PD_CLASS], snapshotApi: true, gcp });
    expect(assessment.manual).toEqual([]);
    expect(assessment.targets).toEqual([
      {
        method: "gcp-snapshot",
        role: "mysql",
        claim: "mysql-pv-claim",
        volume: "kfp-mysql",
        project: "disk-proj",
        disk: "kf-metadata",
        zone: null,
        region: "us-central1",
        name: "kubeflow-mysql-2-5-0-to-2-14-4-20260102t030405",
      },
      {
        method: "gcp-snapshot",
        role: "objectStore",
        claim: "minio-pvc",
        volume: "kfp-minio",
        project: "kf-proj",
        disk: "kf-artifacts",
        zone: "us-central1-a",
        region: null,
        name: "kubeflow-objects-2-5-0-to-2-14-4-20260102t030405",
      },
    ]);
    // Not a gcp app: the in-tree PD is backed up by hand, the CSI one by a VolumeSnapshot.
    const elsewhere = assessBackup({ plan, snapshot, classes: [PD_CLASS], snapshotApi: true });
    expect(elsewhere.targets.map((t) => t.method)).toEqual(["csi"]);
    expect(elsewhere.manual.map((m) => m.claim)).toEqual(["minio-pvc"]);
  });

  it("names GCP snapshots by Compute Engine rules: lowercase, a letter first, at most 63 characters", async () => {
    const { plan } = await upgradePlan("gcp");
    const stamp = "20260102t030405";
    const long = { ...plan, namespace: `9${"x".repeat(70)}`, from: "2.5.0-RC.1", to: "2.14.4" };
    const name = gcpSnapshotName(long, "legacyObjectStore", stamp);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^[a-z]([-a-z0-9]*[a-z0-9])?$/);
    expect(name).toMatch(/^kfp-9x+-legacy-objects-2-5-0-rc-1-to-2-14-4-20260102t030405$/);
    expect(gcpSnapshotName({ ...plan, from: null }, "mysql", stamp)).toBe(
      "kubeflow-mysql-none-to-2-14-4-20260102t030405",
    );
  });

  const manualCases = [
    {
      name: "hostPath volumes",
      sources: "hostPath" as const,
      classes: [PD_CLASS],
      snapshotApi: true,
      why: "PV kfp-mysql is a hostPath volume, not a CSI one: a VolumeSnapshot needs a CSI driver",
    },
    {
      name: "no class for the driver",
      sources: "csi" as const,
      classes: [{ name: "other", driver: "ebs.csi.aws.com", isDefault: true }],
      snapshotApi: true,
      why: "no VolumeSnapshotClass has driver pd.csi.storage.gke.io (PV kfp-mysql's CSI driver; `kubectl get volumesnapshotclass`)",
    },
    {
      name: "no snapshot API",
      sources: "csi" as const,
      classes: [],
      snapshotApi: false,
      why: "the cluster serves no snapshot.storage.k8s.io/v1 (the VolumeSnapshot CRDs and the snapshot controller are not installed)",
    },
  ];
  it.each(manualCases)(
    "$name: backed up by hand, with the exact commands",
    async ({ sources, classes, snapshotApi, why }) => {
      const { plan, snapshot } = await upgradePlan(sources);
      const assessment = assessBackup({ plan, snapshot, classes, snapshotApi });
      expect(assessment.targets).toEqual([]);
      expect(assessment.manual[0]).toEqual({
        role: "mysql",
        claim: "mysql-pv-claim",
        volume: "kfp-mysql",
        why,
      });
      expect(assessment.instructions[0]).toBe(
        "MySQL (claim mysql-pv-claim): kubectl -n kubeflow exec deploy/mysql -- mysqldump -u root --all-databases --single-transaction --routines --events > kubeflow-mysql-2.5.0.sql",
      );
      expect(assessment.instructions).toContain(
        "object store (claim minio-pvc): kubectl -n kubeflow exec deploy/minio -- tar -C /data -cf - . > kubeflow-minio-2.5.0.tar",
      );
      if (sources === "hostPath") {
        expect(assessment.instructions).toContain(
          "  or, on the node that holds PV kfp-mysql, with KFP scaled to zero: tar -C /data/kfp-mysql -czf kubeflow-mysql-2.5.0.tgz .",
        );
      }
    },
  );
});

describe("withBackupStep", () => {
  it("puts the backup first in an upgrade, before anything changes, and renumbers the ids and dry-run references", async () => {
    const { plan, snapshot } = await upgradePlan("csi");
    const { targets } = assessBackup({ plan, snapshot, classes: [PD_CLASS], snapshotApi: true });
    const backed = withBackupStep(plan, snapshot, targets, "--backup");
    expect(backed.steps).toHaveLength(plan.steps.length + 1);
    expect(backed.steps[0]).toMatchObject({
      id: "01-backupVolumes",
      kind: "backupVolumes",
      namespace: "kubeflow",
      reason: "--backup",
      labels: {
        "kfp-upgrade.kubeflow.org/backup-of": "kubeflow",
        "kfp-upgrade.kubeflow.org/from-version": "2.5.0",
        "kfp-upgrade.kubeflow.org/to-version": "2.14.4",
      },
      backups: targets,
    });
    expect(backed.steps.slice(1).map((s) => s.kind)).toEqual(plan.steps.map((s) => s.kind));
    expect(new Set(backed.steps.map((s) => s.id)).size).toBe(backed.steps.length);
    const ids = new Set(backed.steps.map((s) => s.id));
    for (const step of backed.steps) {
      if (step.kind === "serverDryRun") {
        expect(step.steps.length).toBeGreaterThan(0);
        for (const id of step.steps) expect(ids.has(id)).toBe(true);
      }
    }
  });

  it("in a plan that creates the claims (reinstall), follows the claims and precedes every workload", () => {
    const plan: Plan = {
      apiVersion: "kfp-upgrade/v1",
      kind: "Plan",
      command: "reinstall",
      namespace: "kubeflow",
      context: null,
      from: null,
      to: "2.5.0",
      strategy: "manifests",
      hops: [],
      storage: [],
      steps: [
        { id: "01-ensureNamespace", kind: "ensureNamespace", name: "kubeflow", exists: false },
        {
          id: "02-ensureClaim",
          kind: "ensureClaim",
          role: "mysql",
          exists: false,
          claim: { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "mysql-pv-claim" } },
        },
        { id: "03-applyObjects", kind: "applyObjects", group: "workloads", objects: [], force: true },
      ],
      warnings: [],
      notes: [],
      createdAt: NOW.toISOString(),
    };
    const target = {
      method: "csi" as const,
      role: "mysql" as const,
      claim: "mysql-pv-claim",
      volume: "kfp-mysql",
      driver: "d",
      snapshotClass: "c",
      name: backupName(plan, "mysql", "20260102t030405"),
    };
    const backed = withBackupStep(plan, aSnapshot("kubeflow").build(), [target], "one-way");
    expect(backed.steps.map((s) => s.id)).toEqual([
      "01-ensureNamespace",
      "02-ensureClaim",
      "03-backupVolumes",
      "04-applyObjects",
    ]);
    expect(target.name).toBe("kubeflow-mysql-none-to-2.5.0-20260102t030405");
  });

  it("renders each snapshot and the wait in the plan text, and counts them", async () => {
    const { plan, snapshot } = await upgradePlan("csi");
    const { targets } = assessBackup({ plan, snapshot, classes: [PD_CLASS], snapshotApi: true });
    const text = renderPlanText(withBackupStep(plan, snapshot, targets, "--backup"), { color: false });
    expect(text).toContain(
      "+ volumesnapshot/kubeflow-mysql-2.5.0-to-2.14.4-20260102t030405 -n kubeflow: mysql-pv-claim (PV kfp-mysql, CSI driver pd.csi.storage.gke.io, class pd-snapshots)",
    );
    expect(text).toContain(
      "… back up before any program runs on the data (--backup): wait until all 2 snapshots are readyToUse",
    );
    const before = renderPlanText(plan, { color: false }).split("\n").at(-1);
    const after = text.split("\n").at(-1);
    expect(before).not.toBe(after);
  });

  it("renders GCP disk snapshots with their project, disk and zone or region, waited for until READY", async () => {
    const { plan, snapshot } = await upgradePlan("gcp");
    const { targets } = assessBackup({
      plan,
      snapshot,
      classes: [],
      snapshotApi: false,
      gcp: { project: "kf-proj", zone: "us-central1-a" },
    });
    const text = renderPlanText(withBackupStep(plan, snapshot, targets, "--backup"), { color: false });
    expect(text).toContain(
      "+ GCP snapshot kubeflow-mysql-2-5-0-to-2-14-4-20260102t030405 (project disk-proj): mysql-pv-claim (PV kfp-mysql, disk kf-metadata in region us-central1)",
    );
    expect(text).toContain(
      "+ GCP snapshot kubeflow-objects-2-5-0-to-2-14-4-20260102t030405 (project kf-proj): minio-pvc (PV kfp-minio, disk kf-artifacts in zone us-central1-a)",
    );
    expect(text).toContain(
      "… back up before any program runs on the data (--backup): wait until all 2 snapshots are READY",
    );
  });

  it("changes nothing without targets", async () => {
    const { plan, snapshot } = await upgradePlan("csi");
    expect(withBackupStep(plan, snapshot, [], "--backup")).toBe(plan);
  });
});

import { describe, expect, it } from "vitest";
import type { CommandDeps } from "../../../src/cli/command-deps.js";
import { type BackupFlag, decideBackup } from "../../../src/cli/decide-backup.js";
import { type GlobalOptions, globalOptionsSchema } from "../../../src/cli/global-options.js";
import { Output } from "../../../src/cli/output.js";
import { SNAPSHOT_API } from "../../../src/cli/read-snapshot-classes.js";
import type { ClusterSnapshot } from "../../../src/model/cluster-snapshot.js";
import { buildUpgradePlan } from "../../../src/plan/build-upgrade-plan.js";
import type { Plan } from "../../../src/plan/plan.js";
import { DEFAULT_SERVED_API_VERSIONS, FakeKubeClient } from "../../support/fake-kube-client.js";
import { sharedHops, sharedRelease } from "../../support/manifests.js";
import { aSnapshot } from "../../support/snapshot-builder.js";
import { NOW, PV_APP } from "../plan/plan-inputs.js";
import { fakeStreams } from "./fake-streams.js";

const CSI = (handle: string) => ({
  type: "csi" as const,
  driver: "pd.csi.storage.gke.io",
  volumeHandle: handle,
});

/** The real 2.5.0 -> 2.14.4 plan (one-way: MySQL 8.0 -> 8.4) over CSI PVs, and a client with or without a class. */
async function setup(withClass: boolean, to = "2.14.4") {
  const installed = await sharedRelease("2.5.0");
  const snapshot: ClusterSnapshot = aSnapshot("kubeflow")
    .withInstalled("2.5.0", installed.objects)
    .withBoundClaim("mysql-pv-claim", "kfp-mysql", { uid: "pv-uid-mysql", source: CSI("disks/mysql") })
    .withBoundClaim("minio-pvc", "kfp-minio", { uid: "pv-uid-minio", source: CSI("disks/minio") })
    .withServedApiVersions([...DEFAULT_SERVED_API_VERSIONS, SNAPSHOT_API])
    .build();
  const plan = buildUpgradePlan({
    app: PV_APP,
    snapshot,
    installed,
    hops: await sharedHops("2.5.0", to),
    strategy: "auto",
    now: NOW,
  });
  const client = new FakeKubeClient({ servedApiVersions: [...DEFAULT_SERVED_API_VERSIONS, SNAPSHOT_API] });
  if (withClass) {
    client.seed([
      {
        apiVersion: SNAPSHOT_API,
        kind: "VolumeSnapshotClass",
        metadata: { name: "pd-snapshots" },
        driver: "pd.csi.storage.gke.io",
        deletionPolicy: "Retain",
      },
    ]);
  }
  return { plan, snapshot, client };
}

function run(
  input: Awaited<ReturnType<typeof setup>>,
  flag: BackupFlag,
  global: Partial<GlobalOptions>,
  answers: boolean[] = [],
  gcp?: { project: string; zone: string },
) {
  const streams = fakeStreams();
  const questions: string[] = [];
  const deps: CommandDeps = {
    output: new Output(streams, "text", false, false),
    env: {},
    signal: new AbortController().signal,
    confirm: async (question) => {
      questions.push(question);
      return answers.shift() ?? false;
    },
    now: () => NOW,
  };
  const decided = decideBackup({
    client: input.client,
    plan: input.plan,
    snapshot: input.snapshot,
    flag,
    global: globalOptionsSchema.parse(global),
    deps,
    memo: {},
    gcp,
  });
  return { decided, questions, stderr: () => streams.stderr.text() };
}

const kinds = (plan: Plan) => plan.steps.map((s) => s.kind);

describe("decideBackup", () => {
  it("--backup with a class: the backup step first, nothing asked", async () => {
    const input = await setup(true);
    const { decided, questions } = run(input, true, { yes: true });
    const plan = await decided;
    expect(kinds(plan)[0]).toBe("backupVolumes");
    expect(plan.refusal).toBeUndefined();
    expect(questions).toEqual([]);
  });

  it("a gcp app: its PD CSI volumes get GCP disk snapshots, and the prompt says so", async () => {
    const input = await setup(false);
    const gcp = { project: "kf-proj", zone: "us-central1-a" };
    // The handles name no project/zone (`disks/mysql`): not a GCP disk the plan can snapshot, so by hand.
    const manual = await run(input, true, { yes: true }, [], gcp).decided;
    expect(manual.refusal?.code).toBe("BACKUP_UNAVAILABLE");

    const onDisks = await setup(false);
    const snapshot: ClusterSnapshot = {
      ...onDisks.snapshot,
      volumes: onDisks.snapshot.volumes.map((v) => ({
        ...v,
        source: CSI(`projects/kf-proj/zones/us-central1-a/disks/${v.name}`),
      })),
    };
    const asked = run({ ...onDisks, snapshot }, undefined, {}, [true], gcp);
    const plan = await asked.decided;
    expect(asked.questions).toEqual([
      "This plan makes one-way changes (hop 1 (2.5.0 → 2.14.4): MySQL 8.0 → 8.4 upgrades the data directory). Take GCP disk snapshots of mysql-pv-claim and minio-pvc before the first change?",
    ]);
    const step = plan.steps[0];
    expect(step?.kind).toBe("backupVolumes");
    expect(step?.kind === "backupVolumes" ? step.backups.map((b) => [b.method, b.claim]) : []).toEqual([
      ["gcp-snapshot", "mysql-pv-claim"],
      ["gcp-snapshot", "minio-pvc"],
    ]);
  });

  it("--backup without a class: refused with the manual commands", async () => {
    const plan = await run(await setup(false), true, { yes: true }).decided;
    expect(plan.refusal).toMatchObject({
      code: "BACKUP_UNAVAILABLE",
      message: "--backup cannot snapshot every data volume",
      hint: "Back the data up with the commands above (or your storage's own snapshots), then run the command again with --no-backup.",
    });
    expect(plan.refusal?.problems).toContain(
      "no snapshot of mysql-pv-claim: no VolumeSnapshotClass has driver pd.csi.storage.gke.io (PV kfp-mysql's CSI driver; `kubectl get volumesnapshotclass`)",
    );
    expect(plan.refusal?.problems.some((p) => p.includes("mysqldump -u root --all-databases"))).toBe(true);
    expect(kinds(plan)).not.toContain("backupVolumes");
  });

  it("--no-backup: no step, a note says so", async () => {
    const plan = await run(await setup(true), false, { yes: true }).decided;
    expect(kinds(plan)).not.toContain("backupVolumes");
    expect(plan.notes).toContain("no backup is taken before the one-way changes (--no-backup)");
  });

  it("--yes and no choice on a one-way plan: refused, naming both flags", async () => {
    const plan = await run(await setup(true), undefined, { yes: true }).decided;
    expect(plan.refusal).toMatchObject({
      code: "BACKUP_CHOICE_REQUIRED",
      problems: ["one-way: hop 1 (2.5.0 → 2.14.4): MySQL 8.0 → 8.4 upgrades the data directory"],
      hint: "Pass --backup to take VolumeSnapshots of mysql-pv-claim and minio-pvc before the first change, or --no-backup if you backed the data up yourself.",
    });
  });

  it("no choice and no one-way change: the plan as it was", async () => {
    const input = await setup(true, "2.5.0");
    const plan = input.plan;
    expect(
      await run({ ...input, plan: { ...plan, oneWay: undefined } }, undefined, { yes: true }).decided,
    ).toEqual({
      ...plan,
      oneWay: undefined,
    });
  });

  it("--dry-run: a note, no question, no step", async () => {
    const { decided, questions } = run(await setup(true), undefined, { dryRun: true });
    const plan = await decided;
    expect(questions).toEqual([]);
    expect(kinds(plan)).not.toContain("backupVolumes");
    expect(plan.notes.at(-1)).toMatch(
      /^this plan makes one-way changes: the run asks whether to back up first/,
    );
  });

  it("on a terminal: asks, and a yes adds the backup", async () => {
    const { decided, questions } = run(await setup(true), undefined, {}, [true]);
    const plan = await decided;
    expect(questions).toEqual([
      "This plan makes one-way changes (hop 1 (2.5.0 → 2.14.4): MySQL 8.0 → 8.4 upgrades the data directory). Take VolumeSnapshots of mysql-pv-claim and minio-pvc before the first change?",
    ]);
    expect(kinds(plan)[0]).toBe("backupVolumes");
  });

  it("on a terminal without a class: shows the manual commands; no confirmation stops the run", async () => {
    const { decided, questions, stderr } = run(await setup(false), undefined, {}, [false]);
    await expect(decided).rejects.toMatchObject({ code: "NOT_CONFIRMED" });
    expect(questions).toEqual(["Continue without a backup taken by kfp-upgrade?"]);
    expect(stderr()).toContain("kubectl -n kubeflow exec deploy/mysql -- mysqldump");
  });
});

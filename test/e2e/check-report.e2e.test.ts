import { describe, expect, it } from "vitest";
import { appDir } from "../support/app-dir.js";
import { changedObjects, clusterState } from "../support/cluster-state.js";
import { derivedManifests } from "../support/derived-manifests.js";
import { kubectl } from "../support/e2e-cluster.js";
import { testNamespace, timed } from "../support/kfp-install.js";
import { schemaProblems } from "../support/published-schemas.js";
import { runCli } from "../support/run-cli.js";

// Issue 16: `kfp-upgrade check --to T` on a KFP 2.14.4 install (the shared bundle) reports the whole path to 2.18.1
// read-only: hops, refusals, warnings, one-way steps, backup advice and the drain need, and exits 0/2/3 with
// --exit-code. The 2.18.1 bundle is DERIVED here, images only: the 2.17.0 bundle with every `:2.17.0` image tag, its
// `appVersion` and `kubeflow_pipelines_version` set to 2.18.1 (what `check` reads of it are its version, images,
// MySQL series, object store and data claims; the 2.18 objects the upgrade guide adds are not in it).

interface Report {
  kind: string;
  verdict: "clear" | "warnings" | "refused";
  from: string | null;
  to: string;
  hops: { from: string | null; to: string; strategy: string; reason: string }[];
  refusal: { code: string; problems: string[]; hint: string } | null;
  warnings: string[];
  oneWay: string[];
  backup: { needed: boolean; byKfpUpgrade: boolean; advice: string[] };
  drain: { hop: number; to: string; running: string[] | null }[];
}

const retagged = (text: string) =>
  text
    .replaceAll(":2.17.0", ":2.18.1")
    .replaceAll("appVersion: 2.17.0", "appVersion: 2.18.1")
    .replaceAll("kubeflow_pipelines_version: v2.17.0", "kubeflow_pipelines_version: v2.18.1");

describe("check --to: the pre-upgrade report", () => {
  it("reports 2.14.4 -> 2.18.1 (hops, one-way steps, backup advice, drain), exits 2, 3 or 0, and changes nothing", async () => {
    await timed("check-report (deploy 2.14.4, five checks)", async () => {
      const namespace = testNamespace("chk");
      const dir = appDir();
      const manifests = derivedManifests({
        "2.14.4": "shared",
        "2.18.1": {
          from: "2.17.0",
          files: Object.fromEntries(
            ["platform-agnostic.yaml", "cluster-scoped.yaml"].map((file) => [file, retagged]),
          ),
        },
      });
      const deploy = await runCli(["deploy", "--tag", "2.14.4", "--manifests", manifests, "-n", namespace], {
        appDir: dir,
      });
      expect(deploy.exitCode, deploy.stderr).toBe(0);
      // A Workflow of the install that has not finished (no Argo controller runs here, so it never starts).
      await kubectl(["apply", "-f", "-"], {
        input: JSON.stringify({
          apiVersion: "argoproj.io/v1alpha1",
          kind: "Workflow",
          metadata: { name: "train-1", namespace },
          spec: { entrypoint: "main", templates: [{ name: "main", container: { image: "busybox" } }] },
        }),
      });
      const before = await clusterState([namespace]);
      const check = (args: string[], machine = true) =>
        runCli(["check", "--manifests", manifests, "--skip-inventory", ...args], { appDir: dir, machine });

      // 1. No --object-store, a Workflow running: `upgrade` would refuse on both counts, and check names both: exit 2.
      const refused = await check(["--to", "2.18.1", "--exit-code"]);
      expect(refused.exitCode, refused.stderr).toBe(2);
      const r1 = refused.json as Report;
      expect(schemaProblems("check", refused.json)).toEqual([]);
      expect(r1).toMatchObject({ kind: "CheckReport", verdict: "refused", from: "2.14.4", to: "2.18.1" });
      expect(r1.hops.map((hop) => [hop.from, hop.to, hop.strategy])).toEqual([
        ["2.14.4", "2.18.1", "manifests"],
      ]);
      expect(r1.refusal?.problems).toEqual([
        expect.stringContaining("KFP 2.18.1 replaces MinIO with SeaweedFS"),
        expect.stringContaining(`1 Argo Workflow of namespace ${namespace} is not finished: train-1`),
      ]);
      expect(r1.oneWay).toEqual([
        "hop 1 (2.14.4 → 2.18.1): KFP 2.18.1's API server runs the one-way 2.15 database schema migration",
        expect.stringMatching(
          /^hop 1 \(2\.14\.4 → 2\.18\.1\): KFP 2\.18\.1's API server runs the recurring-run adoption/,
        ),
      ]);
      expect(r1.backup.needed).toBe(true);
      expect(r1.drain).toEqual([
        expect.objectContaining({ hop: 1, to: "2.18.1", running: [`${namespace}/train-1`] }),
      ]);

      // 2. The same without --exit-code: a successful read exits 0.
      const plain = await check(["--to", "2.18.1"]);
      expect(plain.exitCode, plain.stderr).toBe(0);
      expect((plain.json as Report).verdict).toBe("refused");

      // 3. --object-store seaweedfs --ignore-running-workflows: `upgrade` would run, with warnings and one-way steps:
      // exit 3.
      const chosen = ["--object-store", "seaweedfs", "--ignore-running-workflows"];
      const warned = await check(["--tag", "2.18.1", ...chosen, "--exit-code"]);
      expect(warned.exitCode, warned.stderr).toBe(3);
      const r3 = warned.json as Report;
      expect(schemaProblems("check", warned.json)).toEqual([]);
      expect(r3.verdict).toBe("warnings");
      expect(r3.refusal).toBeNull();
      expect(r3.oneWay).toContain(
        "the object store moves from MinIO to SeaweedFS at 2.18.1 (new artifacts go to a new volume)",
      );
      expect(r3.warnings).toContain(
        "KFP 2.18.1 migrates the database schema on start and cannot be rolled back (kubeflow/pipelines#3636): back up MySQL first",
      );
      expect(r3.warnings).toContainEqual(
        expect.stringContaining(
          `1 Argo Workflow of namespace ${namespace} still runs (train-1 (no phase yet))`,
        ),
      );
      expect(r3.drain).toEqual([expect.objectContaining({ running: [`${namespace}/train-1`] })]);
      // The local cluster's volumes are hostPath ones: no VolumeSnapshot, so the advice is the commands by hand.
      expect(r3.backup).toMatchObject({ needed: true, byKfpUpgrade: false });
      expect(r3.backup.advice).toContainEqual(expect.stringContaining("mysqldump"));
      expect(r3.backup.advice).toContain(
        "  the MySQL database (before the one-way migrations of KFP 2.15.0 and 2.18.0)",
      );
      expect(r3.backup.advice).toContain(
        "  the UI signing-key Secret ml-pipeline-ui-tensorboard-proxy (before the one-way migration of KFP 2.18.0)",
      );

      // 4. The text report, as the README shows it.
      const text = await check(["--to", "2.18.1", ...chosen], false);
      expect(text.exitCode, text.stderr).toBe(0);
      expect(text.stdout).toContain(`Check: upgrade KFP 2.14.4 -> 2.18.1 in namespace ${namespace}`);
      expect(text.stdout).toContain("Path (1 hop):");
      expect(text.stdout).toContain("One-way steps (3):");
      expect(text.stdout).toContain("Backup:");
      expect(text.stdout).toContain(`Drain:\n  hop 1 (-> 2.18.1): `);
      expect(text.stdout).toContain(`running now: ${namespace}/train-1`);
      expect(text.stdout.trimEnd().split("\n").slice(-2)).toEqual([
        expect.stringMatching(
          /^Warnings: `kfp-upgrade upgrade --tag 2\.18\.1` would run \(0 refusals, \d+ warnings?, 3 one-way steps\)\.$/,
        ),
        "Nothing was changed.",
      ]);

      // 5. Already at the target: nothing to report: exit 0.
      const clear = await check(["--to", "2.14.4", "--exit-code"]);
      expect(clear.exitCode, clear.stderr).toBe(0);
      expect(clear.json).toMatchObject({ verdict: "clear", hops: [], refusal: null, oneWay: [] });

      // Nothing of the cluster changed (no lock Lease, no apply), and no run was recorded in the KFAPP.
      expect(changedObjects(before, await clusterState([namespace]))).toEqual([]);
    });
  });

  it("a downgrade is a refusal of the report, not an error: exit 2 with --exit-code", async () => {
    const namespace = testNamespace("chk-down");
    const dir = appDir();
    const manifests = derivedManifests({ "2.14.4": "shared", "2.5.0": "shared" });
    const deploy = await runCli(["deploy", "--tag", "2.14.4", "--manifests", manifests, "-n", namespace], {
      appDir: dir,
    });
    expect(deploy.exitCode, deploy.stderr).toBe(0);
    const before = await clusterState([namespace]);
    const run = await runCli(["check", "--manifests", manifests, "--to", "2.5.0", "--exit-code"], {
      appDir: dir,
    });
    expect(run.exitCode, run.stderr).toBe(2);
    expect(run.json).toMatchObject({
      verdict: "refused",
      hops: [],
      refusal: { code: "DOWNGRADE", problems: ["Refusing to downgrade KFP 2.14.4 to 2.5.0"] },
    });
    expect(changedObjects(before, await clusterState([namespace]))).toEqual([]);
  });
});

import { readFile } from "node:fs/promises";
import path from "node:path";
import yaml from "js-yaml";
import { describe, expect, it, onTestFinished } from "vitest";
import { DEFAULT_STORAGE_CLASS } from "../../local-cluster/local-cluster.js";
import { appDir } from "../support/app-dir.js";
import { installObjects, lastAppliedLeft } from "../support/compare-installs.js";
import { eventually, kubectl, kubectlJson } from "../support/e2e-cluster.js";
import { kfpClusterObjectRefs, setAsideClusterObjects } from "../support/kfp-cluster-objects.js";
import {
  boundVolume,
  bundleImages,
  type Deployment,
  expectDryRunChangesNothing,
  fingerprintsOf,
  finishedSteps,
  hostPathOf,
  imagesIn,
  listDeployments,
  provisionedRoot,
  resultBindings,
  secretsIn,
  seedDataDirs,
  stepKinds,
  testNamespace,
  timed,
  unavailableDeployments,
} from "../support/kfp-install.js";
import { kubectlInstall, waitForInstall } from "../support/other-installers.js";
import { type CliEvent, runCli, SHARED_MANIFESTS } from "../support/run-cli.js";

// Scenario 2 of issue 5: KFP 1.8.5 on the default StorageClass (reclaim Delete) is protected (PVs switched to
// Retain, their definitions saved), then `upgrade --tag 2.14.4` goes 1.8.5 -> 2.5.0 -> 2.14.4 in one command
// (MySQL moves one series at a time) with the same PVs and bytes throughout.

interface PlanStep {
  id: string;
  kind: string;
  hop?: number;
  claims?: { claim: string; volumeName: string | null; volumeUid: string | null }[];
}
interface PlanJson {
  from: string;
  to: string;
  hops: { from: string; to: string; strategy: string }[];
  steps: PlanStep[];
}

/** Swaps a Deployment for a copy whose selector is `{app: <name>}` only, as installs with other labels had. */
async function narrowSelector(namespace: string, name: string): Promise<string> {
  const current = await kubectlJson<Deployment & { spec: Record<string, unknown> }>([
    "get",
    "deployment",
    name,
    "-n",
    namespace,
  ]);
  await kubectl(["delete", "deployment", name, "-n", namespace, "--wait=true"]);
  const replacement = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace, labels: current.metadata.labels ?? {} },
    spec: { ...current.spec, selector: { matchLabels: { app: name } } },
  };
  const created = JSON.parse(
    await kubectl(["create", "-f", "-", "-o", "json"], { input: JSON.stringify(replacement) }),
  ) as Deployment;
  await eventually(`deployment/${name} Available again`, async () =>
    (await unavailableDeployments(namespace)).includes(name) ? undefined : true,
  );
  return created.metadata.uid;
}

describe("multi-hop upgrade from the default StorageClass", () => {
  it("protects 1.8.5's provisioned PVs and upgrades to 2.14.4 via 2.5.0 in one command with the same PVs", async () => {
    await timed("scenario 2 (deploy 1.8.5 on default SC -> upgrade 2.14.4 via 2.5.0)", async () => {
      const namespace = testNamespace("s2");
      const dir = appDir();

      const deployArgs = ["deploy", "--tag", "1.8.5", "--manifests", SHARED_MANIFESTS, "-n", namespace];
      // Scenario 7 at the first starting point: nothing installed, a default StorageClass.
      expect(await expectDryRunChangesNothing(deployArgs, { appDir: dir, namespace })).toMatchObject({
        command: "deploy",
        storage: [
          { claim: "mysql-pv-claim", mode: "default" },
          { claim: "minio-pvc", mode: "default" },
        ],
      });
      const deploy = await timed("scenario 2: deploy 1.8.5", () => runCli(deployArgs, { appDir: dir }));
      expect(deploy.exitCode, deploy.stderr).toBe(0);
      expect(deploy.result).toMatchObject({ ok: true, outcome: "succeeded" });
      expect(Object.values(stepKinds(deploy))).toContain("retainClaimVolumes");
      const mysql = await boundVolume(namespace, "mysql-pv-claim");
      const minio = await boundVolume(namespace, "minio-pvc");
      for (const { claim, pv } of [mysql, minio]) {
        expect(claim.spec.storageClassName).toBe(DEFAULT_STORAGE_CLASS);
        expect(pv.metadata.annotations?.["pv.kubernetes.io/provisioned-by"]).toBe("kubernetes.io/host-path");
        expect(pv.spec.persistentVolumeReclaimPolicy).toBe("Retain");
        expect(hostPathOf(pv).startsWith(`${provisionedRoot()}/`)).toBe(true);
      }
      expect(resultBindings(deploy)).toEqual({
        "mysql-pv-claim": mysql.pv.metadata.uid,
        "minio-pvc": minio.pv.metadata.uid,
      });

      // The saved definitions describe these PVs, without the fields a new cluster would refuse.
      for (const [role, { pv }] of [
        ["mysql", mysql],
        ["objectStore", minio],
      ] as const) {
        const saved = yaml.load(
          await readFile(path.join(dir, ".kfp-upgrade", "volumes", `${role}.yaml`), "utf8"),
        ) as Record<string, { [key: string]: unknown }>;
        expect(saved.metadata?.name).toBe(pv.metadata.name);
        expect(saved.metadata?.uid).toBeUndefined();
        expect(saved.spec?.claimRef).toBeUndefined();
        expect(saved.spec?.hostPath).toEqual(pv.spec.hostPath);
        expect(saved.spec?.persistentVolumeReclaimPolicy).toBe("Retain");
        expect(saved.status).toBeUndefined();
      }

      const seeded = await seedDataDirs(hostPathOf(mysql.pv), hostPathOf(minio.pv));
      const imagesBefore = await imagesIn(namespace);
      expect(imagesBefore).toEqual(bundleImages("1.8.5"));
      expect(imagesBefore["ml-pipeline"]?.["ml-pipeline-api-server"]).toBe(
        "gcr.io/ml-pipeline/api-server:1.8.5",
      );
      const secretsBefore = await secretsIn(namespace);

      // An install whose ml-pipeline-ui selector differs from every release's (selectors are immutable):
      // the upgrade must recreate that Deployment rather than fail applying over it.
      const narrowedUid = await narrowSelector(namespace, "ml-pipeline-ui");
      const uidsBefore = Object.fromEntries(
        (await listDeployments(namespace)).items.map((d) => [d.metadata.name, d.metadata.uid]),
      );

      // Scenario 7 at this starting point.
      const plan = (await expectDryRunChangesNothing(["upgrade", "--tag", "2.14.4"], {
        appDir: dir,
        namespace,
      })) as PlanJson;
      expect(plan).toMatchObject({ from: "1.8.5", to: "2.14.4" });
      expect(plan.hops.map((hop) => [hop.from, hop.to, hop.strategy])).toEqual([
        ["1.8.5", "2.5.0", "manifests"],
        ["2.5.0", "2.14.4", "manifests"],
      ]);

      const upgrade = await timed("scenario 2: upgrade 1.8.5 -> 2.5.0 -> 2.14.4", () =>
        runCli(["upgrade", "--tag", "2.14.4"], { appDir: dir, timeoutMs: 400_000 }),
      );
      expect(upgrade.exitCode, upgrade.stderr).toBe(0);
      expect(upgrade.result).toMatchObject({ ok: true, outcome: "succeeded" });

      // Both hops ran, in order, each verified the claims against the PV UIDs seen before the run.
      const executed = (upgrade.events.find((e) => e.type === "plan") as CliEvent & { plan: PlanJson }).plan;
      const finished = finishedSteps(upgrade);
      expect(finished).toEqual(executed.steps.map((step) => step.id));
      const lastOfHop1 = finished.findLastIndex((id) => id.startsWith("h1-"));
      const firstOfHop2 = finished.findIndex((id) => id.startsWith("h2-"));
      expect(lastOfHop1).toBeGreaterThanOrEqual(0);
      expect(firstOfHop2).toBeGreaterThan(lastOfHop1);
      const kinds = stepKinds(upgrade);
      const uids = { "mysql-pv-claim": mysql.pv.metadata.uid, "minio-pvc": minio.pv.metadata.uid };
      for (const hop of [1, 2]) {
        const rollouts = executed.steps.filter((s) => s.hop === hop && s.kind === "waitRollout");
        expect(rollouts.length, `hop ${hop} waits for its rollout`).toBeGreaterThan(0);
        const verifications = executed.steps.filter((s) => s.hop === hop && s.kind === "verifyBinding");
        expect(verifications.length, `hop ${hop} verifies the volumes`).toBeGreaterThan(0);
        for (const step of verifications) {
          expect(kinds[step.id]).toBe("verifyBinding");
          expect(
            Object.fromEntries((step.claims ?? []).map((claim) => [claim.claim, claim.volumeUid])),
          ).toEqual(uids);
        }
      }
      const recreated = executed.steps.filter((s) => s.kind === "recreateDeployment");
      expect(recreated.map((s) => [s.hop, (s as PlanStep & { name: string }).name])).toEqual([
        [1, "ml-pipeline-ui"],
      ]);
      expect(resultBindings(upgrade)).toEqual(uids);

      expect(await unavailableDeployments(namespace)).toEqual([]);
      const images = await imagesIn(namespace);
      expect(images).toEqual(bundleImages("2.14.4"));
      expect(images["ml-pipeline"]?.["ml-pipeline-api-server"]).toBe(
        "ghcr.io/kubeflow/kfp-api-server:2.14.4",
      );
      expect(Object.values(images).flatMap((c) => Object.values(c))).not.toContainEqual(
        expect.stringMatching(/^gcr\.io\/ml-pipeline\//),
      );
      // Only the Deployment with the changed selector was replaced; the others were updated in place.
      const uidsAfter = Object.fromEntries(
        (await listDeployments(namespace)).items.map((d) => [d.metadata.name, d.metadata.uid]),
      );
      expect(uidsAfter["ml-pipeline-ui"]).not.toBe(narrowedUid);
      expect({ ...uidsAfter, "ml-pipeline-ui": "" }).toEqual({ ...uidsBefore, "ml-pipeline-ui": "" });

      const mysqlAfter = await boundVolume(namespace, "mysql-pv-claim");
      const minioAfter = await boundVolume(namespace, "minio-pvc");
      expect(mysqlAfter.pv.metadata.uid).toBe(mysql.pv.metadata.uid);
      expect(minioAfter.pv.metadata.uid).toBe(minio.pv.metadata.uid);
      expect(mysqlAfter.pv.spec.persistentVolumeReclaimPolicy).toBe("Retain");
      expect(minioAfter.pv.spec.persistentVolumeReclaimPolicy).toBe("Retain");
      expect(await secretsIn(namespace)).toEqual(secretsBefore);
      expect(await fingerprintsOf(hostPathOf(mysql.pv), hostPathOf(minio.pv))).toEqual(seeded);
    });
  }, 600_000);
  it("upgrades a 1.8.5 that `kubectl apply` (client-side) installed to 2.14.4 via 2.5.0, with the same PVs and bytes", async () => {
    await timed("multi-hop from kubectl apply (1.8.5 -> 2.5.0 -> 2.14.4)", async () => {
      // A cluster where only kubectl installed KFP: no kfp-upgrade marks on the shared cluster-scoped objects.
      const refs = kfpClusterObjectRefs(["1.8.5", "2.5.0", "2.14.4"]);
      const restore = await setAsideClusterObjects(refs);
      onTestFinished(restore);
      const namespace = testNamespace("s2-kubectl");
      await kubectlInstall("1.8.5", namespace, "client-side");
      const { mysql, minio } = await waitForInstall(namespace);
      expect(await imagesIn(namespace)).toEqual(bundleImages("1.8.5"));
      expect(lastAppliedLeft(await installObjects(namespace, refs)).length).toBeGreaterThan(0);
      const seeded = await seedDataDirs(hostPathOf(mysql.pv), hostPathOf(minio.pv));
      const secretsBefore = await secretsIn(namespace);

      const upgrade = await timed("multi-hop from kubectl apply: upgrade", () =>
        runCli(["upgrade", "--tag", "2.14.4", "--manifests", SHARED_MANIFESTS, "-n", namespace], {
          appDir: appDir(),
          timeoutMs: 500_000,
        }),
      );
      expect(upgrade.exitCode, upgrade.stderr).toBe(0);
      expect(upgrade.result).toMatchObject({ ok: true, outcome: "succeeded" });
      const executed = (upgrade.events.find((e) => e.type === "plan") as CliEvent & { plan: PlanJson }).plan;
      expect(executed.hops.map((hop) => [hop.from, hop.to])).toEqual([
        ["1.8.5", "2.5.0"],
        ["2.5.0", "2.14.4"],
      ]);
      expect(finishedSteps(upgrade)).toEqual(executed.steps.map((step) => step.id));
      expect(executed.steps.map((step) => step.kind)).toContain("adoptObjects");

      expect(await unavailableDeployments(namespace)).toEqual([]);
      expect(await imagesIn(namespace)).toEqual(bundleImages("2.14.4"));
      expect(lastAppliedLeft(await installObjects(namespace, refs))).toEqual([]);
      const mysqlAfter = await boundVolume(namespace, "mysql-pv-claim");
      const minioAfter = await boundVolume(namespace, "minio-pvc");
      expect(mysqlAfter.pv.metadata.uid).toBe(mysql.pv.metadata.uid);
      expect(minioAfter.pv.metadata.uid).toBe(minio.pv.metadata.uid);
      expect(await secretsIn(namespace)).toEqual(secretsBefore);
      expect(await fingerprintsOf(hostPathOf(mysql.pv), hostPathOf(minio.pv))).toEqual(seeded);
    });
  }, 700_000);
});

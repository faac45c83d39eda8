import { readFileSync } from "node:fs";
import path from "node:path";
import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { appDir } from "../support/app-dir.js";
import { eventually, kubectl } from "../support/e2e-cluster.js";
import {
  boundVolume,
  bundleImages,
  deleteNamespaceAndWait,
  expectDryRunChangesNothing,
  fingerprintsOf,
  getVolume,
  hostPathOf,
  imagesIn,
  provisionedRoot,
  resultBindings,
  seedDataDirs,
  stepKinds,
  testNamespace,
  timed,
  unavailableDeployments,
} from "../support/kfp-install.js";
import { runCli, SHARED_MANIFESTS } from "../support/run-cli.js";

// Scenario 3 of issue 5: the namespace of an install on the default StorageClass is deleted. kfp-upgrade had
// switched the provisioned PVs to Retain, so `reinstall` re-binds the same PVs with the same bytes. The same steps
// done the documented naive way (kubectl apply of the bundle, then delete the namespace) lose both volumes.

const VERSION = "2.14.4";

async function gone(kind: string, name: string): Promise<boolean> {
  return (await kubectl(["get", kind, name, "--ignore-not-found", "-o", "name"])).trim() === "";
}

/** The namespaced objects of a bundle file with every `kubeflow` namespace (and subject) moved to `namespace`. */
function bundleInto(version: string, namespace: string): string {
  const documents = yaml.loadAll(
    readFileSync(path.join(SHARED_MANIFESTS, version, "platform-agnostic.yaml"), "utf8"),
  ) as { metadata?: { namespace?: string }; subjects?: { namespace?: string }[] }[];
  const items = documents
    .filter((document) => document?.metadata?.namespace === "kubeflow")
    .map((document) => {
      const copy = structuredClone(document);
      if (copy.metadata) copy.metadata.namespace = namespace;
      for (const subject of copy.subjects ?? []) {
        if (subject.namespace === "kubeflow") subject.namespace = namespace;
      }
      return copy;
    });
  return JSON.stringify({ apiVersion: "v1", kind: "List", items });
}

describe("reinstall after the namespace was deleted", () => {
  it("re-binds the Released PVs of a default-StorageClass install with the same UIDs and bytes", async () => {
    await timed("scenario 3 (deploy, delete namespace, reinstall in the same cluster)", async () => {
      const namespace = testNamespace("s3");
      const dir = appDir();
      const deploy = await timed("scenario 3: deploy", () =>
        runCli(["deploy", "--tag", VERSION, "--manifests", SHARED_MANIFESTS, "-n", namespace], {
          appDir: dir,
        }),
      );
      expect(deploy.exitCode, deploy.stderr).toBe(0);
      const mysql = await boundVolume(namespace, "mysql-pv-claim");
      const minio = await boundVolume(namespace, "minio-pvc");
      expect(hostPathOf(mysql.pv).startsWith(`${provisionedRoot()}/`)).toBe(true);
      const seeded = await seedDataDirs(hostPathOf(mysql.pv), hostPathOf(minio.pv));

      await timed("scenario 3: delete the namespace", () => deleteNamespaceAndWait(namespace));
      for (const { claim, pv } of [mysql, minio]) {
        const released = await eventually(`persistentvolume/${pv.metadata.name} Released`, async () => {
          const current = await getVolume(pv.metadata.name);
          return current.status.phase === "Released" ? current : undefined;
        });
        expect(released.metadata.uid).toBe(pv.metadata.uid);
        expect(released.spec.persistentVolumeReclaimPolicy).toBe("Retain");
        expect(released.spec.claimRef?.uid).toBe(claim.metadata.uid);
      }
      expect(await fingerprintsOf(hostPathOf(mysql.pv), hostPathOf(minio.pv))).toEqual(seeded);

      // Scenario 7 at this starting point: the plan clears the stale claimRefs, and the dry run changes nothing.
      const plan = (await expectDryRunChangesNothing(["reinstall"], { appDir: dir, namespace })) as {
        command: string;
        to: string;
        steps: { kind: string; volume?: string; claim?: { namespace: string; name: string } }[];
      };
      expect(plan).toMatchObject({ command: "reinstall", to: VERSION });
      // Each PV is reserved for the claim that will bind it, so no other claim can take it in between.
      expect(
        plan.steps.filter((step) => step.kind === "releaseClaimRef").map((step) => [step.volume, step.claim]),
      ).toEqual([
        [mysql.pv.metadata.name, { namespace, name: "mysql-pv-claim" }],
        [minio.pv.metadata.name, { namespace, name: "minio-pvc" }],
      ]);

      const reinstall = await timed("scenario 3: reinstall", () => runCli(["reinstall"], { appDir: dir }));
      expect(reinstall.exitCode, reinstall.stderr).toBe(0);
      expect(reinstall.result).toMatchObject({ ok: true, outcome: "succeeded" });
      expect(Object.values(stepKinds(reinstall))).toContain("releaseClaimRef");
      expect(resultBindings(reinstall)).toEqual({
        "mysql-pv-claim": mysql.pv.metadata.uid,
        "minio-pvc": minio.pv.metadata.uid,
      });

      for (const before of [mysql, minio]) {
        const after = await boundVolume(namespace, before.claim.metadata.name);
        expect(after.claim.metadata.uid).not.toBe(before.claim.metadata.uid);
        expect(after.pv.metadata.uid).toBe(before.pv.metadata.uid);
        expect(after.pv.status.phase).toBe("Bound");
        expect(after.pv.spec.claimRef).toMatchObject({
          namespace,
          name: before.claim.metadata.name,
          uid: after.claim.metadata.uid,
        });
      }
      expect(await unavailableDeployments(namespace)).toEqual([]);
      expect(await imagesIn(namespace)).toEqual(bundleImages(VERSION));
      expect(await fingerprintsOf(hostPathOf(mysql.pv), hostPathOf(minio.pv))).toEqual(seeded);
    });
  }, 600_000);

  it("the naive way (kubectl apply of the bundle, then delete the namespace) loses both volumes", async () => {
    await timed("scenario 3 contrast (kubectl apply, delete namespace)", async () => {
      const namespace = testNamespace("s3-naive");
      await kubectl(["create", "namespace", namespace]);
      await kubectl(["apply", "-f", "-"], { input: bundleInto(VERSION, namespace) });
      const mysql = await boundVolume(namespace, "mysql-pv-claim");
      const minio = await boundVolume(namespace, "minio-pvc");
      for (const { pv } of [mysql, minio]) {
        expect(hostPathOf(pv).startsWith(`${provisionedRoot()}/`)).toBe(true);
        expect(pv.spec.persistentVolumeReclaimPolicy).toBe("Delete");
      }
      const seeded = await seedDataDirs(hostPathOf(mysql.pv), hostPathOf(minio.pv));
      expect(seeded.mysql).toMatch(/^[0-9a-f]{64}$/);
      expect(seeded.objectStore).toMatch(/^[0-9a-f]{64}$/);

      await deleteNamespaceAndWait(namespace);
      for (const { pv } of [mysql, minio]) {
        await eventually(
          `persistentvolume/${pv.metadata.name} deleted`,
          async () => ((await gone("persistentvolume", pv.metadata.name)) ? true : undefined),
          { timeoutSeconds: 90 },
        );
      }
      expect(await fingerprintsOf(hostPathOf(mysql.pv), hostPathOf(minio.pv))).toEqual({
        mysql: null,
        objectStore: null,
      });
    });
  }, 600_000);
});

import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { appDirFromFixture, FIXTURES_DIR } from "../support/app-dir.js";
import { createHostPathPv, uniqueName } from "../support/e2e-cluster.js";
import {
  deleteNamespaceAndWait,
  expectDryRunChangesNothing,
  fingerprintsOf,
  resultBindings,
  seedDataDirs,
  stepKinds,
  testNamespace,
  timed,
  unavailableDeployments,
} from "../support/kfp-install.js";
import { runCli, SHARED_MANIFESTS } from "../support/run-cli.js";

// Issue 11: a kfctl.sh-era GCP KFAPP (test/fixtures/ksonnet-kfapp-gcp) whose gcp_config/storage-kubeflow.yaml still
// says createPipelinePersistentStorage: true. The old procedure had the user set it to false by hand before
// re-applying the platform; `reinstall` plans that edit as its first step and makes it, changing that one value and
// keeping every other byte of the file, comments included.

const FIXTURE = "ksonnet-kfapp-gcp";
const CONFIG = "gcp_config/storage-kubeflow.yaml";
const VERSION = "2.14.4";

/** The fixture's text with `from` replaced by `to` (the namespace must be this test's). */
function fixtureFile(relative: string, from: string, to: string): string {
  const text = readFileSync(path.join(FIXTURES_DIR, FIXTURE, relative), "utf8");
  expect(text).toContain(from);
  return text.replaceAll(from, to);
}

describe("a legacy ksonnet GCP KFAPP reinstalled", () => {
  it("sets createPipelinePersistentStorage: false in storage-kubeflow.yaml, every other byte kept", async () => {
    await timed("legacy GCP KFAPP: reinstall --mysql-pv/--minio-pv", async () => {
      const namespace = testNamespace("dm-edit");
      const mysqlPv = await createHostPathPv(uniqueName("dm-mysql"), { capacity: "20Gi" });
      const minioPv = await createHostPathPv(uniqueName("dm-minio"), { capacity: "200Gi" });
      const dir = appDirFromFixture(FIXTURE, {
        "ks_app/app.yaml": fixtureFile(
          "ks_app/app.yaml",
          "namespace: kubeflow\n",
          `namespace: ${namespace}\n`,
        ),
        "env.sh": fixtureFile("env.sh", "K8S_NAMESPACE=kubeflow\n", `K8S_NAMESPACE=${namespace}\n`),
      });
      const seeded = await seedDataDirs(mysqlPv.path, minioPv.path);
      const before = await readFile(path.join(dir, CONFIG), "utf8");
      expect(before).toContain("    createPipelinePersistentStorage: true\n");
      const args = [
        "reinstall",
        "--tag",
        VERSION,
        "--manifests",
        SHARED_MANIFESTS,
        "--mysql-pv",
        mysqlPv.name,
        "--minio-pv",
        minioPv.name,
      ];

      // The dry run shows the edit first, as a diff, and writes nothing (the KFAPP directory included).
      const plan = (await expectDryRunChangesNothing(args, { appDir: dir, namespace })) as {
        steps: { id: string; kind: string; file?: string; before?: string; after?: string; diff?: string }[];
      };
      const [edit] = plan.steps;
      expect(edit).toMatchObject({ id: "01-editAppFile", kind: "editAppFile", file: CONFIG, before });
      expect(edit?.diff).toContain(
        "-    createPipelinePersistentStorage: true\n+    createPipelinePersistentStorage: false\n",
      );
      const text = await runCli([...args, "--no-backup", "--dry-run"], { appDir: dir, machine: false });
      expect(text.exitCode, text.stderr).toBe(0);
      expect(text.stdout).toContain(`~ ${CONFIG} in the KFAPP: createPipelinePersistentStorage: false`);
      expect(text.stdout).toContain("      +    createPipelinePersistentStorage: false\n");
      expect(text.stdout).toMatch(
        /! gcp_config\/storage-kubeflow.yaml will say createPipelinePersistentStorage: false: apply it only as a new Deployment Manager deployment/,
      );
      expect(await readFile(path.join(dir, CONFIG), "utf8")).toBe(before);

      const reinstall = await timed("legacy GCP KFAPP: reinstall", () => runCli(args, { appDir: dir }));
      expect(reinstall.exitCode, reinstall.stderr).toBe(0);
      expect(reinstall.result).toMatchObject({ ok: true, outcome: "succeeded" });
      expect(stepKinds(reinstall)["01-editAppFile"]).toBe("editAppFile");
      expect(resultBindings(reinstall)).toEqual({ "mysql-pv-claim": mysqlPv.uid, "minio-pvc": minioPv.uid });
      expect(await unavailableDeployments(namespace)).toEqual([]);
      expect(await fingerprintsOf(mysqlPv.path, minioPv.path)).toEqual(seeded);

      // One value changed; every other byte, comments and indentation included, is the fixture's.
      const after = await readFile(path.join(dir, CONFIG), "utf8");
      expect(after).toBe(
        before.replace(
          "    createPipelinePersistentStorage: true\n",
          "    createPipelinePersistentStorage: false\n",
        ),
      );
      expect(after).toContain("# kfctl.sh deploys it as");

      // After the namespace is deleted again, the next reinstall finds the value false and plans no edit.
      await deleteNamespaceAndWait(namespace);
      const again = (await expectDryRunChangesNothing(args, { appDir: dir, namespace })) as {
        steps: { kind: string }[];
      };
      expect(again.steps.map((step) => step.kind)).not.toContain("editAppFile");
      expect(again.steps.map((step) => step.kind)).toContain("ensureClaim");
    });
  }, 600_000);
});

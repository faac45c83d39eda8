import { describe, expect, it } from "vitest";
import { appDir } from "../support/app-dir.js";
import { eventually, kubectl, kubectlJson } from "../support/e2e-cluster.js";
import {
  boundVolume,
  bundleImages,
  expectDryRunChangesNothing,
  fingerprintsOf,
  hostPathOf,
  imagesIn,
  type Meta,
  resultBindings,
  secretsIn,
  seedDataDirs,
  stepKinds,
  testNamespace,
  timed,
  unavailableDeployments,
} from "../support/kfp-install.js";
import { type CliEvent, runCli, SHARED_MANIFESTS } from "../support/run-cli.js";

// Scenario 6 of issue 5: KFP 0.5.1 ships apiextensions.k8s.io/v1beta1 CRDs (converted on the way into a v1.36
// cluster) and an Application `pipeline` whose componentKinds include PersistentVolumeClaim with addOwnerRef:
// its controller makes the Application the owner of the data claims (kubeflow/pipelines PR #4332). 1.8.5 no
// longer ships the Application; pruning it must not let the garbage collector take the claims, or anything else
// the new release still uses.

const CRDS = [
  "applications.app.k8s.io",
  "scheduledworkflows.kubeflow.org",
  "viewers.kubeflow.org",
  "workflows.argoproj.io",
];
/** The Application's componentKinds, as kubectl resource names. */
const COMPONENT_KINDS = [
  "serviceaccounts",
  "roles.rbac.authorization.k8s.io",
  "rolebindings.rbac.authorization.k8s.io",
  "services",
  "persistentvolumeclaims",
  "configmaps",
  "secrets",
  "deployments.apps",
];
const SELECTOR = "application-crd-id=kubeflow-pipelines";

interface Owned {
  kind: string;
  metadata: Meta;
}

/**
 * What the Application controller (addOwnerRef: true) does: every object of a componentKind matching the
 * Application's selector gets an ownerReference to it. The controller image does not run under kwok.
 */
async function ownByApplication(namespace: string, application: Meta): Promise<string[]> {
  const owned = await kubectlJson<{ items: Owned[] }>([
    "get",
    COMPONENT_KINDS.join(","),
    "-n",
    namespace,
    "-l",
    SELECTOR,
  ]);
  const ownerReference = {
    apiVersion: "app.k8s.io/v1beta1",
    kind: "Application",
    name: application.name,
    uid: application.uid,
  };
  for (const item of owned.items) {
    await kubectl([
      "patch",
      `${item.kind.toLowerCase()}/${item.metadata.name}`,
      "-n",
      namespace,
      "--type",
      "merge",
      "-p",
      JSON.stringify({ metadata: { ownerReferences: [ownerReference] } }),
    ]);
  }
  return owned.items.map((item) => `${item.kind}/${item.metadata.name}`).sort();
}

/** `Kind/name` of every object in the namespace that still names `uid` as an owner. */
async function ownedBy(namespace: string, uid: string): Promise<string[]> {
  const all = await kubectlJson<{ items: Owned[] }>(["get", COMPONENT_KINDS.join(","), "-n", namespace]);
  return all.items
    .filter((item) => item.metadata.ownerReferences?.some((ref) => ref.uid === uid))
    .map((item) => `${item.kind}/${item.metadata.name}`)
    .sort();
}

describe("upgrade from a release whose Application owns the data claims", () => {
  it("deploys 0.5.1 (v1beta1 CRDs converted), and upgrading to 1.8.5 prunes the Application but not the claims", async () => {
    await timed("scenario 6 (deploy 0.5.1, Application owns the PVCs -> upgrade 1.8.5)", async () => {
      const namespace = testNamespace("s6");
      const dir = appDir();
      const deployArgs = ["deploy", "--tag", "0.5.1", "--manifests", SHARED_MANIFESTS, "-n", namespace];
      // Scenario 7 at the first starting point: the conversions are planned, nothing is applied.
      const deployDryRun = (await expectDryRunChangesNothing(deployArgs, { appDir: dir, namespace })) as {
        notes: string[];
      };
      expect(deployDryRun.notes.filter((note) => note.startsWith("convert "))).toHaveLength(CRDS.length);
      const deploy = await timed("scenario 6: deploy 0.5.1", () => runCli(deployArgs, { appDir: dir }));
      expect(deploy.exitCode, deploy.stderr).toBe(0);
      expect(deploy.result).toMatchObject({ ok: true, outcome: "succeeded" });
      const deployPlan = (
        deploy.events.find((e) => e.type === "plan") as CliEvent & { plan: { notes: string[] } }
      ).plan;
      for (const crd of CRDS) {
        expect(deployPlan.notes).toContain(
          `convert customresourcedefinition/${crd}: apiextensions.k8s.io/v1beta1 -> v1 (schema, printer columns, subresources kept)`,
        );
        const served = await kubectlJson<{
          apiVersion: string;
          status: { conditions?: { type: string; status: string }[] };
        }>(["get", "customresourcedefinition", crd]);
        expect(served.apiVersion).toBe("apiextensions.k8s.io/v1");
        expect(served.status.conditions?.find((c) => c.type === "Established")?.status).toBe("True");
      }
      expect(await unavailableDeployments(namespace)).toEqual([]);
      expect(await imagesIn(namespace)).toEqual(bundleImages("0.5.1"));

      const mysql = await boundVolume(namespace, "mysql-pv-claim");
      const minio = await boundVolume(namespace, "minio-pvc");
      const seeded = await seedDataDirs(hostPathOf(mysql.pv), hostPathOf(minio.pv));

      const application = (
        await kubectlJson<{ metadata: Meta }>(["get", "applications.app.k8s.io", "pipeline", "-n", namespace])
      ).metadata;
      const owned = await ownByApplication(namespace, application);
      expect(owned).toEqual(
        expect.arrayContaining([
          "PersistentVolumeClaim/minio-pvc",
          "PersistentVolumeClaim/mysql-pv-claim",
          "Deployment/ml-pipeline",
          "Secret/mlpipeline-minio-artifact",
        ]),
      );
      expect(await ownedBy(namespace, application.uid)).toEqual(owned);
      const secretsBefore = await secretsIn(namespace);

      // Scenario 7 at this starting point.
      const plan = (await expectDryRunChangesNothing(["upgrade", "--tag", "1.8.5"], {
        appDir: dir,
        namespace,
      })) as {
        from: string;
        to: string;
        steps: { kind: string; target?: { kind: string; name: string } }[];
      };
      expect(plan).toMatchObject({ from: "0.5.1", to: "1.8.5" });
      const stripped = plan.steps
        .filter((step) => step.kind === "stripOwnerReferences")
        .map((step) => `${step.target?.kind}/${step.target?.name}`);
      expect(stripped).toEqual(
        expect.arrayContaining(["PersistentVolumeClaim/mysql-pv-claim", "PersistentVolumeClaim/minio-pvc"]),
      );

      const upgrade = await timed("scenario 6: upgrade 0.5.1 -> 1.8.5", () =>
        runCli(["upgrade", "--tag", "1.8.5"], { appDir: dir, timeoutMs: 400_000 }),
      );
      expect(upgrade.exitCode, upgrade.stderr).toBe(0);
      expect(upgrade.result).toMatchObject({ ok: true, outcome: "succeeded" });
      const kinds = Object.values(stepKinds(upgrade));
      expect(kinds).toContain("stripOwnerReferences");
      expect(kinds).toContain("prune");

      // The Application is gone, and nothing in the namespace names it as owner any more, so the garbage
      // collector has nothing to take.
      await eventually(
        "application/pipeline gone",
        async () => {
          const out = await kubectl([
            "get",
            "applications.app.k8s.io",
            "pipeline",
            "-n",
            namespace,
            "--ignore-not-found",
            "-o",
            "name",
          ]);
          return out.trim() === "" ? true : undefined;
        },
        { timeoutSeconds: 60 },
      );
      expect(await ownedBy(namespace, application.uid)).toEqual([]);

      const mysqlAfter = await boundVolume(namespace, "mysql-pv-claim");
      const minioAfter = await boundVolume(namespace, "minio-pvc");
      expect(mysqlAfter.claim.metadata.uid).toBe(mysql.claim.metadata.uid);
      expect(minioAfter.claim.metadata.uid).toBe(minio.claim.metadata.uid);
      expect(mysqlAfter.pv.metadata.uid).toBe(mysql.pv.metadata.uid);
      expect(minioAfter.pv.metadata.uid).toBe(minio.pv.metadata.uid);
      expect(resultBindings(upgrade)).toEqual({
        "mysql-pv-claim": mysql.pv.metadata.uid,
        "minio-pvc": minio.pv.metadata.uid,
      });
      // Secrets the new release still uses survive (1.8.5 adds mysql-secret; the old one is left, never pruned).
      const secretsAfter = await secretsIn(namespace);
      for (const [name, before] of Object.entries(secretsBefore)) {
        expect(secretsAfter[name]?.uid, `secret/${name}`).toBe(before.uid);
        expect(secretsAfter[name]?.data, `secret/${name}`).toEqual(before.data);
      }
      expect(await unavailableDeployments(namespace)).toEqual([]);
      expect(await imagesIn(namespace)).toEqual(bundleImages("1.8.5"));
      expect(await fingerprintsOf(hostPathOf(mysql.pv), hostPathOf(minio.pv))).toEqual(seeded);
    });
  }, 600_000);
});

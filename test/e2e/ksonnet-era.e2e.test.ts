import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { appDirFromFixture, FIXTURES_DIR } from "../support/app-dir.js";
import { createHostPathPv, eventually, kubectl, uniqueName } from "../support/e2e-cluster.js";
import {
  boundVolume,
  expectDryRunChangesNothing,
  fingerprintsOf,
  imagesIn,
  resultBindings,
  seedDataDirs,
  testNamespace,
  timed,
  unavailableDeployments,
} from "../support/kfp-install.js";
import { runCli } from "../support/run-cli.js";

// Scenario 5 of issue 5: a Kubeflow 0.5 ksonnet KFAPP (params mysqlPvName/minioPvName, the minio one overridden
// per environment) whose KFP 0.1.10 install is running. `kfp-upgrade upgrade --tag v0.1.12` in that directory does
// what upgrade_kfp.sh did: every KFP-built image moves to 0.1.12, nothing else changes, the PVs stay.

const FIXTURE = "ksonnet-kfapp";
const REGISTRY = "gcr.io/ml-pipeline";

/** The KFP-built Deployments of a 0.1.x ksonnet install: deployment -> [container, image repository]. */
const KFP_BUILT: Record<string, [string, string]> = {
  "ml-pipeline": ["ml-pipeline-api-server", `${REGISTRY}/api-server`],
  "ml-pipeline-persistenceagent": ["ml-pipeline-persistenceagent", `${REGISTRY}/persistenceagent`],
  "ml-pipeline-scheduledworkflow": ["ml-pipeline-scheduledworkflow", `${REGISTRY}/scheduledworkflow`],
  "ml-pipeline-ui": ["ml-pipeline-ui", `${REGISTRY}/frontend`],
  "ml-pipeline-viewer-controller-deployment": [
    "ml-pipeline-viewer-controller",
    `${REGISTRY}/viewer-crd-controller`,
  ],
};
/** Third-party images of the same install (the pipeline package's mysql and minio, and the separate argo component). */
const THIRD_PARTY: Record<string, [string, string]> = {
  mysql: ["mysql", "mysql:5.6"],
  minio: ["minio", "minio/minio:RELEASE.2018-02-09T22-40-05Z"],
  "workflow-controller": ["workflow-controller", "argoproj/workflow-controller:v2.2.0"],
};

const KSONNET_LABELS = { "app.kubernetes.io/deploy-manager": "ksonnet", "ksonnet.io/component": "pipeline" };

function deployment(
  namespace: string,
  name: string,
  container: Record<string, unknown>,
  volumes: Record<string, unknown>[] = [],
): Record<string, unknown> {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace, labels: { app: name, ...KSONNET_LABELS } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      ...(volumes.length > 0 ? { strategy: { type: "Recreate" } } : {}),
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [container], volumes },
      },
    },
  };
}

function claim(namespace: string, name: string, volumeName: string): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name, namespace, labels: KSONNET_LABELS },
    spec: {
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: "20Gi" } },
      storageClassName: "",
      volumeName,
    },
  };
}

function service(namespace: string, name: string, app: string, port: number): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace, labels: { app, ...KSONNET_LABELS } },
    spec: { selector: { app }, ports: [{ port, targetPort: port }] },
  };
}

/** A KFP 0.1.x install as `ks apply default -c pipeline` left it, in apps/v1 (what a current cluster serves). */
function ksonnetInstall(namespace: string, tag: string, mysqlPv: string, minioPv: string): string {
  const items = [
    claim(namespace, "mysql-pv-claim", mysqlPv),
    claim(namespace, "minio-pvc", minioPv),
    service(namespace, "ml-pipeline", "ml-pipeline", 8888),
    service(namespace, "ml-pipeline-ui", "ml-pipeline-ui", 3000),
    service(namespace, "mysql", "mysql", 3306),
    service(namespace, "minio-service", "minio", 9000),
    ...Object.entries(KFP_BUILT).map(([name, [container, repository]]) =>
      deployment(namespace, name, { name: container, image: `${repository}:${tag}` }),
    ),
    deployment(
      namespace,
      "mysql",
      {
        name: "mysql",
        image: THIRD_PARTY.mysql?.[1],
        env: [{ name: "MYSQL_ALLOW_EMPTY_PASSWORD", value: "true" }],
        volumeMounts: [{ name: "mysql-persistent-storage", mountPath: "/var/lib/mysql" }],
      },
      [{ name: "mysql-persistent-storage", persistentVolumeClaim: { claimName: "mysql-pv-claim" } }],
    ),
    deployment(
      namespace,
      "minio",
      {
        name: "minio",
        image: THIRD_PARTY.minio?.[1],
        args: ["server", "/data"],
        volumeMounts: [{ name: "data", mountPath: "/data", subPath: "minio" }],
      },
      [{ name: "data", persistentVolumeClaim: { claimName: "minio-pvc" } }],
    ),
    deployment(namespace, "workflow-controller", {
      name: "workflow-controller",
      image: THIRD_PARTY["workflow-controller"]?.[1],
    }),
  ];
  return JSON.stringify({ apiVersion: "v1", kind: "List", items });
}

/** The fixture's text with its namespace and PV names replaced by this test's (cluster-wide names must be unique). */
function fixtureFile(relative: string, replacements: [string, string][]): string {
  let text = readFileSync(path.join(FIXTURES_DIR, FIXTURE, relative), "utf8");
  for (const [from, to] of replacements) {
    expect(text).toContain(from);
    text = text.replaceAll(from, to);
  }
  return text;
}

function expectedImages(tag: string): Record<string, Record<string, string>> {
  return {
    ...Object.fromEntries(
      Object.entries(KFP_BUILT).map(([name, [container, repository]]) => [
        name,
        { [container]: `${repository}:${tag}` },
      ]),
    ),
    ...Object.fromEntries(
      Object.entries(THIRD_PARTY).map(([name, [container, image]]) => [name, { [container]: image }]),
    ),
  };
}

describe("ksonnet-era KFAPP", () => {
  it("upgrade --tag v0.1.12 in the KFAPP moves every KFP image of a 0.1.10 install to 0.1.12 and keeps the PVs", async () => {
    await timed("scenario 5 (ksonnet-era 0.1.10 -> upgrade --tag v0.1.12)", async () => {
      const namespace = testNamespace("s5");
      const mysqlPv = await createHostPathPv(uniqueName("s5-mysql"), { capacity: "20Gi" });
      const minioPv = await createHostPathPv(uniqueName("s5-minio"), { capacity: "20Gi" });
      // The fixture names the minio PV twice: kfp-minio-pv for the component, kfp-minio-pv-2 in the `default`
      // environment, which wins. Only the environment's name is a real PV here.
      const dir = appDirFromFixture(FIXTURE, {
        "ks_app/app.yaml": fixtureFile("ks_app/app.yaml", [
          ["namespace: kfp\n", `namespace: ${namespace}\n`],
        ]),
        "env.sh": fixtureFile("env.sh", [["K8S_NAMESPACE=kfp\n", `K8S_NAMESPACE=${namespace}\n`]]),
        "ks_app/components/params.libsonnet": fixtureFile("ks_app/components/params.libsonnet", [
          ["'kfp-mysql-pv'", `'${mysqlPv.name}'`],
          ["'kfp-minio-pv'", `'${minioPv.name}-superseded'`],
        ]),
        "ks_app/environments/default/params.libsonnet": fixtureFile(
          "ks_app/environments/default/params.libsonnet",
          [["'kfp-minio-pv-2'", `'${minioPv.name}'`]],
        ),
      });
      const seeded = await seedDataDirs(mysqlPv.path, minioPv.path);

      await kubectl(["create", "namespace", namespace]);
      await kubectl(["create", "-f", "-"], {
        input: ksonnetInstall(namespace, "0.1.10", mysqlPv.name, minioPv.name),
      });
      const mysql = await boundVolume(namespace, "mysql-pv-claim");
      const minio = await boundVolume(namespace, "minio-pvc");
      expect(mysql.pv.metadata.uid).toBe(mysqlPv.uid);
      expect(minio.pv.metadata.uid).toBe(minioPv.uid);
      await eventually(
        "the 0.1.10 install Available",
        async () => ((await unavailableDeployments(namespace)).length === 0 ? true : undefined),
        { timeoutSeconds: 90 },
      );
      expect(await imagesIn(namespace)).toEqual(expectedImages("0.1.10"));

      // Scenario 7 at this starting point.
      const plan = (await expectDryRunChangesNothing(["upgrade", "--tag", "v0.1.12"], {
        appDir: dir,
        namespace,
      })) as {
        from: string;
        to: string;
        strategy: string;
        namespace: string;
        steps: { kind: string; deployment?: string; containers?: { name: string; to: string }[] }[];
      };
      expect(plan).toMatchObject({ from: "0.1.10", to: "0.1.12", strategy: "images", namespace });
      expect(
        Object.fromEntries(
          plan.steps
            .filter((step) => step.kind === "setImages")
            .map((step) => [step.deployment, step.containers?.map((c) => [c.name, c.to])]),
        ),
      ).toEqual(
        Object.fromEntries(
          Object.entries(KFP_BUILT).map(([name, [container, repository]]) => [
            name,
            [[container, `${repository}:0.1.12`]],
          ]),
        ),
      );
      const claimUids = [mysql.claim.metadata.uid, minio.claim.metadata.uid];

      const upgrade = await timed("scenario 5: upgrade --tag v0.1.12", () =>
        runCli(["upgrade", "--tag", "v0.1.12"], { appDir: dir }),
      );
      expect(upgrade.exitCode, upgrade.stderr).toBe(0);
      expect(upgrade.result).toMatchObject({ ok: true, outcome: "succeeded" });
      expect(resultBindings(upgrade)).toEqual({ "mysql-pv-claim": mysqlPv.uid, "minio-pvc": minioPv.uid });

      expect(await unavailableDeployments(namespace)).toEqual([]);
      expect(await imagesIn(namespace)).toEqual(expectedImages("0.1.12"));
      const mysqlAfter = await boundVolume(namespace, "mysql-pv-claim");
      const minioAfter = await boundVolume(namespace, "minio-pvc");
      expect([mysqlAfter.claim.metadata.uid, minioAfter.claim.metadata.uid]).toEqual(claimUids);
      expect(mysqlAfter.pv.metadata.uid).toBe(mysqlPv.uid);
      expect(minioAfter.pv.metadata.uid).toBe(minioPv.uid);
      expect(mysqlAfter.pv.spec.persistentVolumeReclaimPolicy).toBe("Retain");
      expect(minioAfter.pv.spec.persistentVolumeReclaimPolicy).toBe("Retain");
      expect(await fingerprintsOf(mysqlPv.path, minioPv.path)).toEqual(seeded);

      // The upgrade saved the imported app, with the environment's minio PV and the new version.
      const saved = yaml.load(await readFile(path.join(dir, "kfp-app.yaml"), "utf8"));
      expect(saved).toMatchObject({
        namespace,
        version: "0.1.12",
        storage: { mysql: { pvName: mysqlPv.name }, objectStore: { pvName: minioPv.name } },
      });
    });
  }, 600_000);
});

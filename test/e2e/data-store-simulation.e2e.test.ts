import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { KFP_SCHEMA_FILE, MYSQL_UPGRADE_INFO_FILE } from "../../local-cluster/data-store-rules.js";
import { NEVER_READY_LABEL, READY_DELAY_ANNOTATION } from "../../local-cluster/kwok-stages.js";
import {
  createHostPathPv,
  createTestNamespace,
  eventually,
  type HostPathPv,
  kubectl,
  kubectlJson,
  uniqueName,
} from "../support/e2e-cluster.js";
import {
  expectMysqlCanStart,
  secondServerAttempts,
  serverOverlapsOn,
  simulationEvents,
} from "../support/mysql-data.js";
import { seedMysqlVolume } from "../support/seed-volume.js";
import { volumeFingerprint } from "../support/volume-fingerprint.js";

// The local cluster's data-store simulation on the real control plane: pods whose image is MySQL or the KFP API
// server start, or crash-loop with the program's own message, by what their data directory (a hostPath PV on this
// machine) says. Plain pods here; the upgrade suites run the same simulation under the CLI.

interface ContainerStatus {
  name: string;
  ready: boolean;
  restartCount: number;
  state: { running?: object; waiting?: { reason?: string } };
  lastState?: { terminated?: { exitCode?: number; message?: string } };
}
interface Pod {
  metadata: { name: string; uid: string };
  status: {
    phase?: string;
    podIP?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: ContainerStatus[];
  };
}

const ready = (pod: Pod) => pod.status.conditions?.find((c) => c.type === "Ready")?.status === "True";

function getPod(namespace: string, name: string): Promise<Pod> {
  return kubectlJson<Pod>(["get", "pod", name, "-n", namespace]);
}

/** A MySQL data PV seeded as `mysqlVersion` last left it, and `claim` in `namespace` bound to it. */
async function mysqlVolume(
  namespace: string,
  mysqlVersion: string | undefined,
  claim = "mysql-pv-claim",
): Promise<HostPathPv> {
  const pv = await createHostPathPv(uniqueName("sim-mysql"), {
    capacity: "1Gi",
    seed: (dir) => seedMysqlVolume(dir, mysqlVersion === undefined ? {} : { mysqlVersion }),
  });
  await kubectl(["create", "-f", "-"], {
    input: JSON.stringify({
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: claim, namespace },
      spec: {
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: "1Gi" } },
        storageClassName: "",
        volumeName: pv.name,
      },
    }),
  });
  await eventually(`persistentvolumeclaim/${claim} Bound`, async () => {
    const pvc = await kubectlJson<{ status: { phase?: string } }>(["get", "pvc", claim, "-n", namespace]);
    return pvc.status.phase === "Bound" ? true : undefined;
  });
  return pv;
}

async function createMysqlPod(
  namespace: string,
  name: string,
  image: string,
  options: { claim?: string; labels?: Record<string, string>; annotations?: Record<string, string> } = {},
): Promise<void> {
  await kubectl(["create", "-f", "-"], {
    input: JSON.stringify({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace, labels: options.labels ?? {}, annotations: options.annotations ?? {} },
      spec: {
        containers: [{ name: "mysql", image, volumeMounts: [{ name: "data", mountPath: "/var/lib/mysql" }] }],
        volumes: [{ name: "data", persistentVolumeClaim: { claimName: options.claim ?? "mysql-pv-claim" } }],
      },
    }),
  });
}

async function createApiServerPod(namespace: string, name: string, image: string): Promise<void> {
  await kubectl(["create", "-f", "-"], {
    input: JSON.stringify({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace },
      spec: { containers: [{ name: "ml-pipeline-api-server", image }] },
    }),
  });
}

function readyPod(namespace: string, name: string): Promise<Pod> {
  return eventually(`pod/${name} Ready`, async () => {
    const pod = await getPod(namespace, name);
    return ready(pod) ? pod : undefined;
  });
}

/** Waits until the pod's container has crashed at least `restarts` times; the pod is never Ready meanwhile. */
async function crashLooping(namespace: string, name: string, restarts = 1): Promise<ContainerStatus> {
  let everReady = false;
  const status = await eventually(
    `pod/${name} crash-looping (restartCount ≥ ${restarts})`,
    async () => {
      const pod = await getPod(namespace, name);
      everReady ||= ready(pod);
      const current = pod.status.containerStatuses?.[0];
      return current?.state.waiting?.reason === "CrashLoopBackOff" && current.restartCount >= restarts
        ? current
        : undefined;
    },
    { timeoutSeconds: 30 },
  );
  expect(everReady, `pod/${name} was Ready at some point`).toBe(false);
  return status;
}

describe("data-store simulation", () => {
  it("an 8.4 server on a 5.7 data directory crash-loops with MySQL's message and leaves the data as it was", async () => {
    const namespace = await createTestNamespace("sim");
    const pv = await mysqlVolume(namespace, "5.7.44");
    const before = await volumeFingerprint(pv.path);

    await createMysqlPod(namespace, "mysql", "mysql:8.4");

    const status = await crashLooping(namespace, "mysql", 2);
    expect(status.ready).toBe(false);
    expect(status.lastState?.terminated).toMatchObject({
      exitCode: 1,
      message:
        "[ERROR] [MY-014060] [Server] Invalid MySQL server upgrade: Cannot upgrade from 50744 to 80400. Upgrade to next major version is only allowed from the last LTS release, which version 50744 is not.",
    });
    expect(await readFile(join(pv.path, MYSQL_UPGRADE_INFO_FILE), "utf8")).toBe("5.7.44");
    expect(await volumeFingerprint(pv.path)).toBe(before);
  });

  it("an 8.0 server on an 8.4 data directory crash-loops: MySQL refuses the downgrade", async () => {
    const namespace = await createTestNamespace("sim");
    const pv = await mysqlVolume(namespace, "8.4.0");

    await createMysqlPod(namespace, "mysql", "gcr.io/ml-pipeline/mysql:8.0.26");

    const status = await crashLooping(namespace, "mysql");
    expect(status.lastState?.terminated?.message).toBe(
      "[ERROR] [MY-013171] [InnoDB] Cannot boot server version 80026 on data directory built by version 80400. Downgrade is not supported",
    );
    expect(await readFile(join(pv.path, MYSQL_UPGRADE_INFO_FILE), "utf8")).toBe("8.4.0");
  });

  it("an 8.0 server on a 5.7 data directory starts, becomes Ready and records 8.0; the data keeps its bytes", async () => {
    const namespace = await createTestNamespace("sim");
    const pv = await mysqlVolume(namespace, "5.7.44");
    const before = await volumeFingerprint(pv.path);

    await createMysqlPod(namespace, "mysql", "gcr.io/ml-pipeline/mysql:8.0.26");

    const pod = await readyPod(namespace, "mysql");
    expect(pod.status.phase).toBe("Running");
    expect(pod.status.podIP).toMatch(/^10\.245\./);
    expect(pod.status.containerStatuses?.[0]).toMatchObject({ ready: true, restartCount: 0 });
    expect(await readFile(join(pv.path, MYSQL_UPGRADE_INFO_FILE), "utf8")).toBe("8.0.26");
    expect(await volumeFingerprint(pv.path)).toBe(before);
    await expectMysqlCanStart({ namespace, dir: pv.path, image: "mysql:8.4" });
    const started = (await simulationEvents(pv.path)).filter((e) => e.type === "started");
    expect(started.map((e) => [e.pod, e.message])).toEqual([
      [`${namespace}/mysql`, "upgraded MySQL 5.7 data to 8.0"],
    ]);
  });

  it("a second server on a held directory fails on the InnoDB lock until the first one is gone, then starts", async () => {
    const namespace = await createTestNamespace("sim");
    const pv = await mysqlVolume(namespace, "8.4.0");
    await createMysqlPod(namespace, "first", "mysql:8.4");
    await readyPod(namespace, "first");

    await createMysqlPod(namespace, "second", "mysql:8.4");
    const status = await crashLooping(namespace, "second", 2);
    expect(status.lastState?.terminated?.message).toMatch(
      new RegExp(
        `^\\[ERROR\\] \\[MY-012574\\] \\[InnoDB\\] Unable to lock \\./ibdata1 error: 11 \\(held by ${namespace}/first;`,
      ),
    );
    expect(ready(await getPod(namespace, "first"))).toBe(true);

    await kubectl(["delete", "pod", "first", "-n", namespace, "--wait=true"]);
    const second = await readyPod(namespace, "second");
    expect(second.status.containerStatuses?.[0]?.restartCount).toBeGreaterThanOrEqual(2);

    expect((await secondServerAttempts(pv.path)).map((e) => e.pod)).toContain(`${namespace}/second`);
    expect(await serverOverlapsOn(pv.path)).toEqual([]);
    const lifecycle = (await simulationEvents(pv.path))
      .filter((e) => e.type !== "refused")
      .map((e) => `${e.type} ${e.pod}`);
    expect(lifecycle).toEqual([
      `started ${namespace}/first`,
      `stopped ${namespace}/first`,
      `started ${namespace}/second`,
    ]);
  });

  it("a never-ready MySQL pod stays Running, not Ready, and never touches its data", async () => {
    const namespace = await createTestNamespace("sim");
    const pv = await mysqlVolume(namespace, "5.7.44");
    await createMysqlPod(namespace, "mysql", "mysql:8.4", { labels: { [NEVER_READY_LABEL]: "true" } });

    await eventually("pod/mysql Running", async () =>
      (await getPod(namespace, "mysql")).status.phase === "Running" ? true : undefined,
    );
    const pod = await getPod(namespace, "mysql");
    expect(ready(pod)).toBe(false);
    expect(pod.status.containerStatuses?.[0]?.state.running).toBeDefined();
    expect(await readFile(join(pv.path, MYSQL_UPGRADE_INFO_FILE), "utf8")).toBe("5.7.44");
    expect(await simulationEvents(pv.path)).toEqual([]);
  });

  it("honours the ready-delay annotation: the server holds the directory at once and is Ready later", async () => {
    const namespace = await createTestNamespace("sim");
    const pv = await mysqlVolume(namespace, "8.0.26");
    await createMysqlPod(namespace, "mysql", "mysql:8.4", {
      annotations: { [READY_DELAY_ANNOTATION]: "3s" },
    });

    const starting = await eventually("pod/mysql started", async () => {
      const pod = await getPod(namespace, "mysql");
      return pod.status.containerStatuses?.[0]?.state.running ? pod : undefined;
    });
    expect(ready(starting)).toBe(false);
    expect(await readFile(join(pv.path, MYSQL_UPGRADE_INFO_FILE), "utf8")).toBe("8.4.0");
    await readyPod(namespace, "mysql");
  });

  it("a KFP 2.14.4 API server on data whose schema 2.15 migrated never becomes Ready", async () => {
    const namespace = await createTestNamespace("sim");
    const pv = await mysqlVolume(namespace, "8.4.0");
    await writeFile(join(pv.path, KFP_SCHEMA_FILE), "2.15.0");

    await createApiServerPod(namespace, "ml-pipeline", "ghcr.io/kubeflow/kfp-api-server:2.14.4");

    const status = await crashLooping(namespace, "ml-pipeline", 2);
    expect(status.lastState?.terminated?.message).toBe(
      "simulated: KFP API server 2.14.4 cannot run on a database migrated by KFP 2.15.0: the 2.15.0 schema migration is one-way (kubeflow/pipelines PR #12013)",
    );
  });

  it("a KFP 2.15.0 API server becomes Ready and records the migrated schema; 2.14.4 then never starts on it", async () => {
    const namespace = await createTestNamespace("sim");
    const pv = await mysqlVolume(namespace, "8.4.0");
    const before = await volumeFingerprint(pv.path);

    await createApiServerPod(namespace, "ml-pipeline", "ghcr.io/kubeflow/kfp-api-server:2.15.0");
    await readyPod(namespace, "ml-pipeline");
    expect(await readFile(join(pv.path, KFP_SCHEMA_FILE), "utf8")).toBe("2.15.0");
    expect(await volumeFingerprint(pv.path)).toBe(before);

    await createApiServerPod(namespace, "ml-pipeline-old", "ghcr.io/kubeflow/kfp-api-server:2.14.4");
    await crashLooping(namespace, "ml-pipeline-old");
  });
});

import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { NEVER_READY_LABEL, READY_DELAY_ANNOTATION } from "../../local-cluster/kwok-stages.js";
import { DEFAULT_STORAGE_CLASS, startCluster } from "../../local-cluster/local-cluster.js";
import { isRunning } from "../../local-cluster/process-control.js";
import { newClusterStateDir } from "../../local-cluster/state-dirs.js";
import {
  createHostPathPv,
  createTestNamespace,
  e2eCluster,
  eventually,
  kubectl,
  kubectlJson,
  sharedCluster,
  uniqueName,
} from "../support/e2e-cluster.js";
import { seedMysqlVolume } from "../support/seed-volume.js";
import { volumeFingerprint } from "../support/volume-fingerprint.js";

// Proves the harness is a real control plane: every claim below is checked against the API and the disk.

interface Condition {
  type: string;
  status: string;
  reason?: string;
  lastTransitionTime?: string;
}
interface Meta {
  name: string;
  uid: string;
  creationTimestamp: string;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
}
interface Pvc {
  metadata: Meta;
  spec: { volumeName?: string; storageClassName?: string };
  status: { phase?: string };
}
interface Pv {
  metadata: Meta;
  spec: {
    storageClassName?: string;
    persistentVolumeReclaimPolicy?: string;
    hostPath?: { path: string };
    claimRef?: { name: string; namespace: string; uid: string };
  };
  status: { phase?: string };
}
interface Deployment {
  status: { readyReplicas?: number; availableReplicas?: number; conditions?: Condition[] };
}
interface Pod {
  metadata: Meta;
  spec: { nodeName?: string };
  status: { phase?: string; podIP?: string; conditions?: Condition[] };
}
interface List<T> {
  items: T[];
}

const condition = (conditions: Condition[] | undefined, type: string) =>
  conditions?.find((c) => c.type === type);

function pvcManifest(name: string, namespace: string, spec: Record<string, unknown>): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name, namespace },
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } }, ...spec },
  });
}

function deploymentManifest(
  name: string,
  namespace: string,
  options: {
    replicas: number;
    podLabels?: Record<string, string>;
    podAnnotations?: Record<string, string>;
    progressDeadlineSeconds?: number;
  },
): string {
  return JSON.stringify({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace },
    spec: {
      replicas: options.replicas,
      progressDeadlineSeconds: options.progressDeadlineSeconds ?? 600,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, ...options.podLabels }, annotations: options.podAnnotations ?? {} },
        spec: { containers: [{ name: "main", image: "registry.invalid/e2e/main:1" }] },
      },
    },
  });
}

async function boundClaim(namespace: string, name: string): Promise<Pvc> {
  return eventually(`persistentvolumeclaim/${name} Bound`, async () => {
    const pvc = await kubectlJson<Pvc>(["get", "pvc", name, "-n", namespace]);
    return pvc.status.phase === "Bound" ? pvc : undefined;
  });
}

async function pvExists(name: string): Promise<boolean> {
  const out = await kubectl(["get", "persistentvolume", name, "--ignore-not-found", "-o", "name"]);
  return out.trim() !== "";
}

async function availableDeployment(namespace: string, name: string, replicas: number): Promise<Deployment> {
  return eventually(
    `deployment/${name} Available with ${replicas} ready replicas`,
    async () => {
      const deployment = await kubectlJson<Deployment>(["get", "deployment", name, "-n", namespace]);
      const available = condition(deployment.status.conditions, "Available")?.status === "True";
      return available && deployment.status.readyReplicas === replicas ? deployment : undefined;
    },
    { timeoutSeconds: 90 },
  );
}

describe("local control plane", () => {
  it("serves the Kubernetes version it was built as, with Ready kwok nodes in two zones and a default StorageClass", async () => {
    const version = JSON.parse(await kubectl(["get", "--raw", "/version"])) as { gitVersion: string };
    expect(version.gitVersion).toBe(e2eCluster().kubernetesVersion);
    expect(version.gitVersion).toMatch(/^v1\.\d+\.\d+$/);

    const nodes = await kubectlJson<List<{ metadata: Meta; status: { conditions?: Condition[] } }>>([
      "get",
      "nodes",
    ]);
    expect(nodes.items.map((n) => n.metadata.labels?.["topology.kubernetes.io/zone"]).sort()).toEqual([
      "zone-a",
      "zone-b",
    ]);
    for (const node of nodes.items) expect(condition(node.status.conditions, "Ready")?.status).toBe("True");

    const sc = await kubectlJson<{ metadata: Meta; provisioner: string; reclaimPolicy: string }>([
      "get",
      "storageclass",
      DEFAULT_STORAGE_CLASS,
    ]);
    expect(sc.metadata.annotations?.["storageclass.kubernetes.io/is-default-class"]).toBe("true");
    expect(sc.provisioner).toBe("kubernetes.io/host-path");
    expect(sc.reclaimPolicy).toBe("Delete");
  });

  it("binds a PVC with volumeName to a pre-created hostPath PV", async () => {
    const namespace = await createTestNamespace("smoke");
    const pv = await createHostPathPv(uniqueName("smoke-bind"), { capacity: "1Gi", seed: seedMysqlVolume });
    await kubectl(["create", "-f", "-"], {
      input: pvcManifest("data", namespace, { volumeName: pv.name, storageClassName: "" }),
    });

    const pvc = await boundClaim(namespace, "data");
    expect(pvc.spec.volumeName).toBe(pv.name);
    const bound = await kubectlJson<Pv>(["get", "persistentvolume", pv.name]);
    expect(bound.metadata.uid).toBe(pv.uid);
    expect(bound.status.phase).toBe("Bound");
    expect(bound.spec.claimRef).toMatchObject({ name: "data", namespace, uid: pvc.metadata.uid });
  });

  it("provisions a class-less PVC into a real directory and removes it on delete (reclaim Delete)", async () => {
    const namespace = await createTestNamespace("smoke");
    await kubectl(["create", "-f", "-"], { input: pvcManifest("scratch", namespace, {}) });

    const pvc = await boundClaim(namespace, "scratch");
    expect(pvc.spec.storageClassName).toBe(DEFAULT_STORAGE_CLASS);
    const volumeName = pvc.spec.volumeName ?? "";
    const pv = await kubectlJson<Pv>(["get", "persistentvolume", volumeName]);
    expect(pv.metadata.annotations?.["pv.kubernetes.io/provisioned-by"]).toBe("kubernetes.io/host-path");
    expect(pv.spec.persistentVolumeReclaimPolicy).toBe("Delete");
    const path = pv.spec.hostPath?.path ?? "";
    expect(path.startsWith(`${e2eCluster().provisionedRoot}/`)).toBe(true);
    await writeFile(join(path, "row.dat"), "precious bytes\n");
    expect(await volumeFingerprint(pv)).toMatch(/^[0-9a-f]{64}$/);

    await kubectl(["delete", "pvc", "scratch", "-n", namespace]);
    await eventually(`persistentvolume/${volumeName} deleted`, async () =>
      (await pvExists(volumeName)) ? undefined : true,
    );
    expect(await volumeFingerprint(pv)).toBeNull();
  });

  it("keeps a Retain PV Released with its claimRef and unchanged contents after its PVC is deleted", async () => {
    const namespace = await createTestNamespace("smoke");
    const pv = await createHostPathPv(uniqueName("smoke-retain"), {
      capacity: "1Gi",
      reclaimPolicy: "Retain",
      seed: seedMysqlVolume,
    });
    const before = await volumeFingerprint(pv.path);
    expect(before).toMatch(/^[0-9a-f]{64}$/);
    await kubectl(["create", "-f", "-"], {
      input: pvcManifest("mysql-pv-claim", namespace, { volumeName: pv.name, storageClassName: "" }),
    });
    const pvc = await boundClaim(namespace, "mysql-pv-claim");

    await kubectl(["delete", "pvc", "mysql-pv-claim", "-n", namespace]);
    const released = await eventually(`persistentvolume/${pv.name} Released`, async () => {
      const current = await kubectlJson<Pv>(["get", "persistentvolume", pv.name]);
      return current.status.phase === "Released" ? current : undefined;
    });
    expect(released.metadata.uid).toBe(pv.uid);
    expect(released.spec.claimRef).toMatchObject({
      name: "mysql-pv-claim",
      namespace,
      uid: pvc.metadata.uid,
    });
    expect(await volumeFingerprint(released)).toBe(before);
  });

  it("rolls a Deployment out to Available through kwok", async () => {
    const namespace = await createTestNamespace("smoke");
    await kubectl(["create", "-f", "-"], { input: deploymentManifest("web", namespace, { replicas: 2 }) });

    const deployment = await availableDeployment(namespace, "web", 2);
    expect(deployment.status.availableReplicas).toBe(2);
    const pods = await kubectlJson<List<Pod>>(["get", "pods", "-n", namespace, "-l", "app=web"]);
    expect(pods.items).toHaveLength(2);
    for (const pod of pods.items) {
      expect(pod.spec.nodeName).toMatch(/^kwok-node-/);
      expect(pod.status.phase).toBe("Running");
      expect(pod.status.podIP).toMatch(/^10\.244\./);
    }
  });

  it(`delays readiness by the ${READY_DELAY_ANNOTATION} annotation`, async () => {
    const namespace = await createTestNamespace("smoke");
    await kubectl(["create", "-f", "-"], {
      input: deploymentManifest("slow", namespace, {
        replicas: 1,
        podAnnotations: { [READY_DELAY_ANNOTATION]: "4s" },
      }),
    });
    const scheduled = await eventually("pod of deployment/slow scheduled", async () => {
      const pods = await kubectlJson<List<Pod>>(["get", "pods", "-n", namespace, "-l", "app=slow"]);
      return pods.items.find((pod) => pod.spec.nodeName !== undefined);
    });
    expect(condition(scheduled.status.conditions, "Ready")?.status).not.toBe("True");

    await availableDeployment(namespace, "slow", 1);
    const pod = await kubectlJson<Pod>(["get", "pod", scheduled.metadata.name, "-n", namespace]);
    const readyAt = Date.parse(condition(pod.status.conditions, "Ready")?.lastTransitionTime ?? "");
    expect(readyAt - Date.parse(pod.metadata.creationTimestamp)).toBeGreaterThanOrEqual(3000);
  });

  it(`keeps a ${NEVER_READY_LABEL} pod unready until its Deployment reaches ProgressDeadlineExceeded`, async () => {
    const namespace = await createTestNamespace("smoke");
    await kubectl(["create", "-f", "-"], {
      input: deploymentManifest("stuck", namespace, {
        replicas: 1,
        podLabels: { [NEVER_READY_LABEL]: "true" },
        progressDeadlineSeconds: 5,
      }),
    });

    const progressing = await eventually(
      "deployment/stuck Progressing=False ProgressDeadlineExceeded",
      async () => {
        const deployment = await kubectlJson<Deployment>(["get", "deployment", "stuck", "-n", namespace]);
        const c = condition(deployment.status.conditions, "Progressing");
        return c?.status === "False" ? c : undefined;
      },
      { timeoutSeconds: 60 },
    );
    expect(progressing.reason).toBe("ProgressDeadlineExceeded");
    const pods = await kubectlJson<List<Pod>>(["get", "pods", "-n", namespace, "-l", "app=stuck"]);
    expect(pods.items).toHaveLength(1);
    const [pod] = pods.items;
    expect(pod?.status.phase).toBe("Running");
    expect(condition(pod?.status.conditions, "Ready")?.status).toBe("False");
  });

  it("establishes a CustomResourceDefinition and serves its resources", async () => {
    const namespace = await createTestNamespace("smoke");
    const plural = uniqueName("widgets").replace("-", "");
    const group = "smoke.e2e.kfp-upgrade.dev";
    const crd = `${plural}.${group}`;
    await kubectl(["create", "-f", "-"], {
      input: JSON.stringify({
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name: crd },
        spec: {
          group,
          scope: "Namespaced",
          names: { plural, singular: plural.slice(0, -1), kind: "Widget", listKind: "WidgetList" },
          versions: [
            {
              name: "v1",
              served: true,
              storage: true,
              schema: {
                openAPIV3Schema: {
                  type: "object",
                  properties: { spec: { type: "object", properties: { size: { type: "integer" } } } },
                },
              },
            },
          ],
        },
      }),
    });
    onTestFinished(async () => {
      await kubectl(["delete", "crd", crd, "--wait=false", "--ignore-not-found"]);
    });

    await eventually(`crd/${crd} Established`, async () => {
      const current = await kubectlJson<{ status: { conditions?: Condition[] } }>(["get", "crd", crd]);
      return condition(current.status.conditions, "Established")?.status === "True" ? true : undefined;
    });
    await eventually(`${plural} served`, async () => {
      await kubectl(["create", "-f", "-"], {
        input: JSON.stringify({
          apiVersion: `${group}/v1`,
          kind: "Widget",
          metadata: { name: "w1", namespace },
          spec: { size: 3 },
        }),
      });
      return true;
    });
    const widget = await kubectlJson<{ spec: { size: number } }>(["get", crd, "w1", "-n", namespace]);
    expect(widget.spec.size).toBe(3);
  });

  it("stops and restarts the apiserver mid-test with its data intact and controllers still working", async () => {
    const namespace = await createTestNamespace("smoke");
    await kubectl(["create", "configmap", "keep", "-n", namespace, "--from-literal=answer=42"]);
    const before = await kubectlJson<{ metadata: Meta }>(["get", "configmap", "keep", "-n", namespace]);
    const cluster = await sharedCluster();

    await cluster.stopApiServer();
    await expect(
      kubectl(["get", "configmap", "keep", "-n", namespace, "--request-timeout=2s"]),
    ).rejects.toThrow(/refused|connect|unable/i);
    await cluster.startApiServer();

    const after = await kubectlJson<{ metadata: Meta; data: Record<string, string> }>([
      "get",
      "configmap",
      "keep",
      "-n",
      namespace,
    ]);
    expect(after.metadata.uid).toBe(before.metadata.uid);
    expect(after.data).toEqual({ answer: "42" });
    await kubectl(["create", "-f", "-"], {
      input: deploymentManifest("after-restart", namespace, { replicas: 1 }),
    });
    await availableDeployment(namespace, "after-restart", 1);
  });

  it("restarts the controllers and kwok with fresh informers, and workloads roll out at once", async () => {
    const namespace = await createTestNamespace("smoke");
    const cluster = await sharedCluster();
    const before = await cluster.processes();

    await cluster.restartControllers();

    const after = await cluster.processes();
    const pid = (list: typeof before, name: string) => list.find((p) => p.name === name)?.pid;
    for (const name of ["kube-controller-manager", "kube-scheduler", "kwok"]) {
      expect(pid(after, name)).not.toBe(pid(before, name));
    }
    expect(pid(after, "kube-apiserver")).toBe(pid(before, "kube-apiserver"));
    expect(after.every((p) => p.running)).toBe(true);
    await kubectl(["create", "-f", "-"], { input: deploymentManifest("fresh", namespace, { replicas: 2 }) });
    await eventually(
      "deployment/fresh Available within 20s of the restart",
      async () => {
        const deployment = await kubectlJson<Deployment>(["get", "deployment", "fresh", "-n", namespace]);
        return deployment.status.readyReplicas === 2 ? true : undefined;
      },
      { timeoutSeconds: 20 },
    );
  });

  it("starts a second, independent control plane alongside the shared one and removes it on stop", async () => {
    const stateDir = await newClusterStateDir("second");
    const second = await startCluster({ stateDir });
    onTestFinished(() => second.stop());
    expect(second.apiServerUrl).not.toBe(e2eCluster().apiServerUrl);

    const namespace = uniqueName("only-in-second");
    await kubectl(["create", "namespace", namespace], { kubeconfigPath: second.kubeconfigPath });
    const names = await kubectl(["get", "namespaces", "-o", "name"]);
    expect(names).not.toContain(namespace);
    const nodes = await kubectl(["get", "nodes", "-o", "name"], { kubeconfigPath: second.kubeconfigPath });
    expect(nodes.trim().split("\n")).toHaveLength(2);

    const processes = await second.processes();
    expect(processes.map((p) => p.running)).toEqual([true, true, true, true, true, true]);
    await second.stop();
    expect(await volumeFingerprint(stateDir)).toBeNull();
    for (const p of processes) expect(await isRunning(p)).toBe(false);
  });
});

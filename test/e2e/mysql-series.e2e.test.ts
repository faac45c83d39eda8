import { spawn } from "node:child_process";
import { describe, expect, it, onTestFinished } from "vitest";
import { NEVER_READY_LABEL } from "../../local-cluster/kwok-stages.js";
import { changedObjects, clusterState } from "../support/cluster-state.js";
import { type BundleObject, derivedManifests, podTemplate } from "../support/derived-manifests.js";
import { e2eCluster, eventually, kubectlJson } from "../support/e2e-cluster.js";
import { expectDataIntactAndBound, installKfp } from "../support/installed-kfp.js";
import { runCli } from "../support/run-cli.js";

// MySQL's data directory only moves forward, one series at a time, with one server on it: a hop that changes the
// series runs as its own phase (clients and the old server stopped, the new server Available and verified first),
// a hop that cannot do that is refused before anything changes, and no moment has two pods of one data store.

interface Deployment {
  metadata: { name: string };
  spec: {
    template: { metadata: { labels?: Record<string, string> }; spec: { containers: { image: string }[] } };
  };
  status: { conditions?: { type: string; status: string }[]; updatedReplicas?: number; replicas?: number };
}

async function imagesIn(namespace: string): Promise<Record<string, string>> {
  const list = await kubectlJson<{ items: Deployment[] }>(["get", "deployments", "-n", namespace]);
  return Object.fromEntries(
    list.items.map((d) => [d.metadata.name, d.spec.template.spec.containers.map((c) => c.image).join(",")]),
  );
}

async function allAvailable(namespace: string): Promise<true | undefined> {
  const list = await kubectlJson<{ items: Deployment[] }>(["get", "deployments", "-n", namespace]);
  const ready = list.items.every(
    (d) =>
      d.status.conditions?.some((c) => c.type === "Available" && c.status === "True") &&
      d.status.updatedReplicas === d.status.replicas,
  );
  return ready ? true : undefined;
}

/** Adds a label to the selector and pod template of Deployment `name`: its immutable selector changes. */
function newSelectorLabel(names: string[]): (object: BundleObject) => void {
  return (object) => {
    if (object.kind !== "Deployment" || !names.includes(object.metadata?.name ?? "")) return;
    const spec = object.spec as {
      selector: { matchLabels: Record<string, string> };
      template: { metadata: { labels: Record<string, string> } };
    };
    spec.selector.matchLabels["app.kubernetes.io/component"] = object.metadata?.name ?? "";
    spec.template.metadata.labels["app.kubernetes.io/component"] = object.metadata?.name ?? "";
  };
}

/**
 * Watches the namespace's pods (`kubectl get pods -w --output-watch-events`) and keeps, per data store, the most
 * pods that existed at one moment, terminating ones included (a terminating mysqld still holds the volume).
 */
function watchDataStorePods(namespace: string): {
  stop(): Promise<Record<string, number>>;
  seen: Set<string>;
} {
  const cluster = e2eCluster();
  const child = spawn(
    process.env.KUBECTL ?? cluster.kubectlPath,
    [
      `--kubeconfig=${cluster.kubeconfigPath}`,
      "get",
      "pods",
      "-n",
      namespace,
      "-w",
      "--output-watch-events",
      "-o",
      'jsonpath={.type} {.object.metadata.name}{"\\n"}',
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const exists = new Map<string, Set<string>>([
    ["mysql", new Set()],
    ["minio", new Set()],
  ]);
  const most: Record<string, number> = { mysql: 0, minio: 0 };
  const seen = new Set<string>();
  let buffered = "";
  child.stdout.on("data", (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) {
      const [type, name] = line.trim().split(" ");
      if (!type || !name) continue;
      const store = ["mysql", "minio"].find((prefix) => name.startsWith(`${prefix}-`));
      if (!store) continue;
      seen.add(name);
      const pods = exists.get(store) ?? new Set<string>();
      if (type === "DELETED") pods.delete(name);
      else pods.add(name);
      most[store] = Math.max(most[store] ?? 0, pods.size);
    }
  });
  const stop = async () => {
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
    return most;
  };
  onTestFinished(async () => {
    if (child.exitCode === null) await stop();
  });
  return { stop, seen };
}

describe("MySQL series phases", () => {
  it("2.5.0 -> 2.14.4 with a never-ready mysql 8.4: everything restored, exit 6, MySQL back at 8.0", async () => {
    const kfp = await installKfp({
      prefix: "mysql-never",
      versions: ["2.5.0"],
      manifests: derivedManifests({
        "2.5.0": "shared",
        "2.14.4": { objects: podTemplate("mysql", { labels: { [NEVER_READY_LABEL]: "true" } }) },
      }),
    });
    const before = await imagesIn(kfp.namespace);
    expect(before.mysql).toBe("gcr.io/ml-pipeline/mysql:8.0.26");

    const run = await runCli(["--timeout", "20", "upgrade", "--tag", "2.14.4"], { appDir: kfp.appDir });
    expect(run.exitCode, run.stderr).toBe(6);
    expect(run.stderr).toContain(
      `error: 1 of 1 objects did not become Deployments available: deployment/mysql -n ${kfp.namespace}: timed out after 20s`,
    );
    expect(run.result).toMatchObject({ ok: false, outcome: "rolled-back" });
    // MySQL 8.4 never became Available, so the data never passed the point of no return.
    expect(run.events.some((e) => e.type === "step-start" && e.kind === "pointOfNoReturn")).toBe(false);
    expect(await imagesIn(kfp.namespace)).toEqual(before);
    await eventually(`every Deployment in ${kfp.namespace} available again`, () =>
      allAvailable(kfp.namespace),
    );
    const mysql = (
      await kubectlJson<{ items: Deployment[] }>(["get", "deployments", "-n", kfp.namespace])
    ).items.find((d) => d.metadata.name === "mysql");
    expect(mysql?.spec.template.metadata.labels?.[NEVER_READY_LABEL]).toBeUndefined();
    await expectDataIntactAndBound(kfp);
  });

  it("1.8.5 -> 2.14.4 with no bundle of a MySQL 8.0 release is refused before any change, naming the hop", async () => {
    const kfp = await installKfp({
      prefix: "mysql-skip",
      versions: ["1.8.5"],
      manifests: derivedManifests({ "1.8.5": "shared", "2.14.4": "shared" }),
    });
    const before = await clusterState([kfp.namespace]);

    const run = await runCli(["upgrade", "--tag", "2.14.4"], { appDir: kfp.appDir });
    expect(run.exitCode, run.stderr).toBe(4);
    expect(run.stderr).toContain(
      "hop 1 (1.8.5 → 2.5.0) moves MySQL 5.7 → 8.0 and needs KFP 2.5.0's bundle: pass --manifests DIR holding it",
    );
    expect(run.events.filter((e) => e.type === "step-start")).toEqual([]);
    expect(changedObjects(before, await clusterState([kfp.namespace]))).toEqual([]);
    expect((await imagesIn(kfp.namespace)).mysql).toBe("gcr.io/ml-pipeline/mysql:5.7-debian");
    await expectDataIntactAndBound(kfp);
  });

  it("0.5.1 -> 1.8.5 with new selectors on mysql and minio: never two pods of one data store", async () => {
    const kfp = await installKfp({
      prefix: "mysql-one-writer",
      versions: ["0.5.1"],
      manifests: derivedManifests({
        "0.5.1": "shared",
        "1.8.5": { objects: newSelectorLabel(["mysql", "minio"]) },
      }),
    });
    const watch = watchDataStorePods(kfp.namespace);
    await eventually("the pod watch has seen the running data stores", async () =>
      [...watch.seen].some((n) => n.startsWith("mysql-")) &&
      [...watch.seen].some((n) => n.startsWith("minio-"))
        ? true
        : undefined,
    );

    const run = await runCli(["upgrade", "--tag", "1.8.5"], { appDir: kfp.appDir });
    expect(run.exitCode, run.stderr).toBe(0);
    await eventually(`every Deployment in ${kfp.namespace} available`, () => allAvailable(kfp.namespace));
    const most = await watch.stop();

    const recreated = run.events
      .filter((e) => e.type === "step-start" && e.kind === "recreateDeployment")
      .map((e) => String(e.description));
    expect(recreated.some((d) => d.includes("deployment/mysql "))).toBe(true);
    expect(recreated.some((d) => d.includes("deployment/minio "))).toBe(true);
    expect(most).toEqual({ mysql: 1, minio: 1 });
    // Each data store ran an old pod and a new one: the watch saw both, one after the other.
    expect([...watch.seen].filter((n) => n.startsWith("mysql-")).length).toBeGreaterThanOrEqual(2);
    expect([...watch.seen].filter((n) => n.startsWith("minio-")).length).toBeGreaterThanOrEqual(2);
    expect((await imagesIn(kfp.namespace)).mysql).toBe("gcr.io/ml-pipeline/mysql:5.7-debian");
    await expectDataIntactAndBound(kfp);
  });
});

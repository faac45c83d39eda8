import { readFileSync } from "node:fs";
import path from "node:path";
import yaml from "js-yaml";
import { describe, expect, it, onTestFinished } from "vitest";
import { eventually, kubectl, kubectlJson } from "../support/e2e-cluster.js";
import { dataState, deleteNamespaceAndWait, installKfp } from "../support/installed-kfp.js";
import { resultBindings } from "../support/kfp-install.js";
import { runCli } from "../support/run-cli.js";

// The storage rules of issue 9 on the real control plane, each from a real install of a shared release, each
// ending with the same PV UIDs and byte-identical volume contents: a data claim being deleted gets its PV switched
// to Retain and the plan refused; swapped PVs and a release older than the data are refused on reinstall; an
// install kept on MinIO at 2.15 is never switched to SeaweedFS silently.

const WRITER = "kfp-upgrade.kubeflow.org/data-written-by";
const HOLD = "e2e.kfp-upgrade.kubeflow.org/hold";

interface Pv {
  metadata: { uid: string; annotations?: Record<string, string> };
  spec: { persistentVolumeReclaimPolicy?: string; claimRef?: { name: string; uid?: string } };
  status: { phase?: string };
}

function getPv(name: string): Promise<Pv> {
  return kubectlJson<Pv>(["get", "persistentvolume", name]);
}

async function deploymentNames(namespace: string): Promise<string[]> {
  const list = await kubectlJson<{ items: { metadata: { name: string } }[] }>([
    "get",
    "deployments",
    "-n",
    namespace,
  ]);
  return list.items.map((item) => item.metadata.name).sort();
}

function savedApp(appDir: string): { version: string; release: Record<string, string> } {
  return yaml.load(readFileSync(path.join(appDir, "kfp-app.yaml"), "utf8")) as {
    version: string;
    release: Record<string, string>;
  };
}

describe("storage rules on a real install", () => {
  it("a Terminating mysql-pv-claim on a Delete PV: upgrade refused (exit 4), the PV switched to Retain, the data kept", async () => {
    const kfp = await installKfp({ prefix: "sr-term", versions: ["2.5.0"] });
    const { namespace } = kfp;
    await kubectl([
      "patch",
      "persistentvolume",
      kfp.mysql.name,
      "--type=merge",
      "-p",
      '{"spec":{"persistentVolumeReclaimPolicy":"Delete"}}',
    ]);
    // A finalizer of our own keeps the claim Terminating for as long as the test needs (its pod holds it too).
    await kubectl([
      "patch",
      "persistentvolumeclaim",
      "mysql-pv-claim",
      "-n",
      namespace,
      "--type=json",
      "-p",
      JSON.stringify([{ op: "add", path: "/metadata/finalizers/-", value: HOLD }]),
    ]);
    const release = async () => {
      const claim = await kubectlJson<{ metadata: { finalizers?: string[] } } | null>([
        "get",
        "persistentvolumeclaim",
        "mysql-pv-claim",
        "-n",
        namespace,
        "--ignore-not-found",
      ]).catch(() => null);
      const finalizers = claim?.metadata.finalizers ?? [];
      if (!finalizers.includes(HOLD)) return;
      await kubectl([
        "patch",
        "persistentvolumeclaim",
        "mysql-pv-claim",
        "-n",
        namespace,
        "--type=merge",
        "-p",
        JSON.stringify({ metadata: { finalizers: finalizers.filter((f) => f !== HOLD) } }),
      ]);
    };
    onTestFinished(release);
    await kubectl(["delete", "persistentvolumeclaim", "mysql-pv-claim", "-n", namespace, "--wait=false"]);
    expect((await getPv(kfp.mysql.name)).spec.persistentVolumeReclaimPolicy).toBe("Delete");

    const run = await runCli(["upgrade", "--tag", "2.14.4"], { appDir: kfp.appDir });
    expect(run.exitCode, run.stderr).toBe(4);
    expect(run.stderr).toContain(
      `mysql-pv-claim is being deleted (its pods or a finalizer still hold it); its PV ${kfp.mysql.name} is now switched to Retain, so the data survives the claim: wait until the claim is gone and run \`kfp-upgrade reinstall\``,
    );
    expect(run.result).toMatchObject({ ok: false, outcome: "refused" });
    const steps = run.events.filter((e) => e.type === "step-start").map((e) => e.kind);
    expect(steps).toEqual(["setReclaimPolicy"]);
    expect((await getPv(kfp.mysql.name)).spec.persistentVolumeReclaimPolicy).toBe("Retain");
    // Nothing else moved: still 2.5.0.
    expect(savedApp(kfp.appDir).version).toBe("2.5.0");

    // Let the claim go (the namespace with it): the PV outlives it, Released, with the same UID and bytes.
    await release();
    await deleteNamespaceAndWait(namespace);
    const released = await eventually(`persistentvolume/${kfp.mysql.name} Released`, async () => {
      const pv = await getPv(kfp.mysql.name);
      return pv.status.phase === "Released" ? pv : undefined;
    });
    expect(released.metadata.uid).toBe(kfp.mysql.uid);
    expect(await dataState(kfp)).toEqual(kfp.seeded);
  }, 600_000);

  it("after a namespace deletion: swapped --mysql-pv/--minio-pv and a reinstall --tag older than the data are refused; the right reinstall binds the same PVs", async () => {
    const kfp = await installKfp({ prefix: "sr-swap", versions: ["2.14.4"] });
    const { namespace } = kfp;
    // deploy recorded what wrote the data on each PV.
    expect(JSON.parse((await getPv(kfp.mysql.name)).metadata.annotations?.[WRITER] ?? "null")).toEqual({
      kfpVersion: "2.14.4",
      mysqlSeries: "8.4",
      objectStore: "minio",
    });
    await deleteNamespaceAndWait(namespace);
    for (const volume of [kfp.mysql, kfp.objectStore]) {
      await eventually(`persistentvolume/${volume.name} Released`, async () =>
        (await getPv(volume.name)).status.phase === "Released" ? true : undefined,
      );
    }
    const before = { mysql: await getPv(kfp.mysql.name), minio: await getPv(kfp.objectStore.name) };

    const swapped = await runCli(
      ["reinstall", "--mysql-pv", kfp.objectStore.name, "--minio-pv", kfp.mysql.name],
      { appDir: kfp.appDir },
    );
    expect(swapped.exitCode, swapped.stderr).toBe(4);
    expect(swapped.stderr).toContain(
      `MySQL volume (mysql-pv-claim): PV "${kfp.objectStore.name}" was last bound to claim ${namespace}/minio-pvc (its stale claimRef), not to mysql-pv-claim`,
    );
    expect(swapped.stderr).toContain(
      `object store volume (minio-pvc): PV "${kfp.mysql.name}" was last bound to claim ${namespace}/mysql-pv-claim (its stale claimRef), not to minio-pvc`,
    );
    expect(swapped.stderr).toContain("--accept-volume-mismatch");

    const older = await runCli(["reinstall", "--tag", "2.5.0"], { appDir: kfp.appDir });
    expect(older.exitCode, older.stderr).toBe(4);
    expect(older.stderr).toContain(
      `MySQL volume (mysql-pv-claim): PV ${kfp.mysql.name} holds data last written by KFP 2.14.4 (MySQL 8.4, MinIO); KFP 2.5.0 is older and cannot run on it`,
    );

    // Both refusals changed nothing: the PVs are as they were, Released with their stale claimRefs.
    expect(await getPv(kfp.mysql.name)).toEqual(before.mysql);
    expect(await getPv(kfp.objectStore.name)).toEqual(before.minio);
    expect(await kubectl(["get", "namespace", namespace, "--ignore-not-found", "-o", "name"])).toBe("");

    const reinstall = await runCli(["reinstall"], { appDir: kfp.appDir });
    expect(reinstall.exitCode, reinstall.stderr).toBe(0);
    expect(resultBindings(reinstall)).toEqual({
      "mysql-pv-claim": kfp.mysql.uid,
      "minio-pvc": kfp.objectStore.uid,
    });
    expect(await dataState(kfp)).toEqual(kfp.seeded);
  }, 600_000);

  it("2.14.4 -> 2.15.0 --object-store keep-minio -> 2.16.1 without flags: refused, never switched to SeaweedFS, minio-pvc verified", async () => {
    const kfp = await installKfp({ prefix: "sr-minio", versions: ["2.14.4"] });
    const { namespace } = kfp;
    const keep = await runCli(["upgrade", "--tag", "2.15.0", "--object-store", "keep-minio"], {
      appDir: kfp.appDir,
    });
    expect(keep.exitCode, keep.stderr).toBe(0);
    expect(resultBindings(keep)).toEqual({
      "mysql-pv-claim": kfp.mysql.uid,
      "minio-pvc": kfp.objectStore.uid,
    });
    expect(savedApp(kfp.appDir)).toMatchObject({
      version: "2.15.0",
      release: { variant: "minio", objectStore: "keep-minio" },
    });
    const deployments = await deploymentNames(namespace);
    expect(deployments).toContain("minio");
    expect(deployments).not.toContain("seaweedfs");

    const next = await runCli(["upgrade", "--tag", "2.16.1"], { appDir: kfp.appDir });
    expect(next.exitCode, next.stderr).toBe(4);
    expect(next.stderr).toContain(
      "this install keeps its artifacts on MinIO (minio-pvc), as --object-store keep-minio chose and kfp-app.yaml records, but KFP 2.16.1 has no MinIO variant in its bundle",
    );
    expect(next.stderr).toContain("--object-store seaweedfs");
    expect(await deploymentNames(namespace)).toEqual(deployments);
    expect(savedApp(kfp.appDir).version).toBe("2.15.0");
    const claims = await kubectlJson<{
      items: { metadata: { name: string }; spec: { volumeName?: string } }[];
    }>(["get", "persistentvolumeclaims", "-n", namespace]);
    expect(claims.items.map((c) => `${c.metadata.name}=${c.spec.volumeName}`).sort()).toEqual([
      `minio-pvc=${kfp.objectStore.name}`,
      `mysql-pv-claim=${kfp.mysql.name}`,
    ]);
    expect(await dataState(kfp)).toEqual(kfp.seeded);
  }, 600_000);
});

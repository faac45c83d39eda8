// The main job of kfp-upgrade, end to end on a running local cluster: deploy KFP 2.5.0 onto pre-created PVs,
// upgrade it to 2.14.4, delete the namespace, reinstall, and show that the data volumes are the same PVs (same
// UIDs) with the same contents (same fingerprints). Every kfp-upgrade call is the built CLI, as a user runs it.
import { execFile, spawn } from "node:child_process";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { LocalCluster } from "../local-cluster/local-cluster.js";
import { seedMinioVolume, seedMysqlVolume } from "../test/support/seed-volume.js";
import { volumeFingerprint } from "../test/support/volume-fingerprint.js";

const BIN = fileURLToPath(new URL("../bin/kfp-upgrade.js", import.meta.url));
const MANIFESTS = fileURLToPath(new URL("../../shared/kfp-manifests", import.meta.url));
const NAMESPACE = "kubeflow-demo";
const VOLUMES = { mysql: "kfp-demo-mysql", objectStore: "kfp-demo-minio" } as const;

const say = (line = "") => process.stdout.write(`${line}\n`);

function kubectl(cluster: LocalCluster, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      cluster.kubectlPath,
      [`--kubeconfig=${cluster.kubeconfigPath}`, ...args],
      (error, stdout, stderr) =>
        error ? reject(new Error(`kubectl ${args.join(" ")}: ${stderr || error.message}`)) : resolve(stdout),
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Runs `kfp-upgrade ARGS` with the terminal attached, so the plan and the progress show as a user sees them. */
function kfpUpgrade(cluster: LocalCluster, appDir: string, args: string[]): Promise<void> {
  say(`$ kfp-upgrade ${args.join(" ")}`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "--app-dir", appDir, ...args], {
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath },
    });
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`kfp-upgrade ${args[0]} exited ${code}`)),
    );
  });
}

interface Binding {
  claim: string;
  volume: string;
  uid: string;
  fingerprint: string | null;
}

async function bindings(cluster: LocalCluster): Promise<Binding[]> {
  const out: Binding[] = [];
  for (const claim of ["mysql-pv-claim", "minio-pvc"]) {
    const pvc = JSON.parse(await kubectl(cluster, ["get", "pvc", claim, "-n", NAMESPACE, "-o", "json"])) as {
      spec: { volumeName: string };
    };
    const pv = JSON.parse(await kubectl(cluster, ["get", "pv", pvc.spec.volumeName, "-o", "json"])) as {
      metadata: { uid: string };
      spec: { hostPath: { path: string } };
    };
    out.push({
      claim,
      volume: pvc.spec.volumeName,
      uid: pv.metadata.uid,
      fingerprint: await volumeFingerprint(pv.spec.hostPath.path),
    });
  }
  return out;
}

function printBindings(title: string, list: Binding[]): void {
  say(title);
  for (const b of list)
    say(`  ${b.claim.padEnd(15)} -> PV ${b.volume} uid ${b.uid} data ${b.fingerprint?.slice(0, 16)}`);
}

export async function walkthrough(cluster: LocalCluster, step: (title: string) => void): Promise<void> {
  const root = path.join(cluster.hostPathRoot, "demo");
  const appDir = path.join(root, "kfapp");

  step("Clean up an earlier demo run (namespace, PVs, KFAPP directory)");
  await kubectl(cluster, [
    "delete",
    "namespace",
    NAMESPACE,
    "--ignore-not-found",
    "--wait=true",
    "--timeout=120s",
  ]);
  await kubectl(cluster, ["delete", "pv", VOLUMES.mysql, VOLUMES.objectStore, "--ignore-not-found"]);
  await rm(root, { recursive: true, force: true });
  await mkdir(appDir, { recursive: true });

  step("Create two hostPath PVs (Retain) and fill them with a MySQL datadir and a MinIO bucket tree");
  for (const [role, name] of Object.entries(VOLUMES)) {
    const dir = path.join(root, name);
    await mkdir(dir, { recursive: true });
    await (role === "mysql" ? seedMysqlVolume(dir) : seedMinioVolume(dir));
    const pv = {
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: { name },
      spec: {
        capacity: { storage: "20Gi" },
        accessModes: ["ReadWriteOnce"],
        persistentVolumeReclaimPolicy: "Retain",
        storageClassName: "",
        hostPath: { path: dir, type: "Directory" },
      },
    };
    await kubectl(cluster, ["create", "-f", "-"], JSON.stringify(pv));
    say(`  PV ${name}: ${dir}, data ${(await volumeFingerprint(dir))?.slice(0, 16)}`);
  }

  step("Deploy KFP 2.5.0 onto those PVs (the plan prints first)");
  await kfpUpgrade(cluster, appDir, [
    "deploy",
    "--tag",
    "2.5.0",
    "--mysql-pv",
    VOLUMES.mysql,
    "--minio-pv",
    VOLUMES.objectStore,
    "--manifests",
    MANIFESTS,
    "-n",
    NAMESPACE,
    "--yes",
  ]);
  const deployed = await bindings(cluster);
  printBindings("After deploy:", deployed);

  step("Upgrade in place to KFP 2.14.4 (registry moves to ghcr.io, MySQL 8.0 -> 8.4)");
  await kfpUpgrade(cluster, appDir, ["upgrade", "--tag", "2.14.4", "--yes", "--no-backup"]);
  await kfpUpgrade(cluster, appDir, ["status"]);

  step(`The accident: kubectl delete namespace ${NAMESPACE}`);
  await kubectl(cluster, ["delete", "namespace", NAMESPACE, "--wait=true", "--timeout=180s"]);
  say(await kubectl(cluster, ["get", "pv", VOLUMES.mysql, VOLUMES.objectStore]));

  step("Reinstall: the Released PVs are re-attached (stale claimRef cleared) and KFP comes back");
  await kfpUpgrade(cluster, appDir, ["reinstall", "--yes"]);
  const reinstalled = await bindings(cluster);
  printBindings("After reinstall:", reinstalled);

  step("Compare: same PVs, same UIDs, same bytes");
  const same = deployed.every((before) => {
    const after = reinstalled.find((b) => b.claim === before.claim);
    return (
      after?.volume === before.volume && after.uid === before.uid && after.fingerprint === before.fingerprint
    );
  });
  if (!same) throw new Error("the data volumes changed: see the bindings above");
  say(
    "Identical: every data claim is bound to the same PV (same UID) and its files are byte for byte the same.",
  );
  await kfpUpgrade(cluster, appDir, ["history"]);
}

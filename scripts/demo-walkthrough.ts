// The main job of kfp-upgrade, end to end on a running local cluster: deploy KFP 2.0.5 onto pre-created PVs, create
// what KFP's own upgrade test creates through its API, upgrade to 2.14.4, delete the namespace, reinstall, and show
// that the data volumes are the same PVs (same UIDs) and that KFP lists the same objects (same ids and fields). The
// PVs opt in to the local cluster's real servers (local-cluster/real-kfp-servers.ts): KFP's real 2.0.5 API server
// and MariaDB serve what is listed. Every kfp-upgrade call is the built CLI, as a user runs it.
import { execFile, spawn } from "node:child_process";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";
import type { LocalCluster } from "../local-cluster/local-cluster.js";
import { REAL_SERVERS_ANNOTATION } from "../local-cluster/real-kfp-servers.js";
import {
  createKfpObjectSet,
  describeListing,
  type KfpObjectListing,
  listKfpObjectSet,
} from "../test/support/kfp-object-set.js";
import { kfpProxyClient, kfpServes } from "../test/support/kfp-proxy-client.js";
import { seedMinioVolume, seedMysqlVolume } from "../test/support/seed-volume.js";
import { volumeFingerprint } from "../test/support/volume-fingerprint.js";

const BIN = fileURLToPath(new URL("../bin/kfp-upgrade.js", import.meta.url));
const MANIFESTS = fileURLToPath(new URL("../../shared/kfp-manifests", import.meta.url));
const NAMESPACE = "kubeflow-demo";
const FROM = "2.0.5";
const TO = "2.14.4";
/** How long the real KFP API server may take to answer after a rollout (MariaDB and the server start first). */
const API_WAIT_MS = 150_000;
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

export interface WalkthroughOptions {
  /**
   * The PVs opt in to the real KFP API server and database, and KFP's inventory is shown and compared. Only in a
   * private network namespace as root: the harness adds the pods' IPs to its loopback device.
   */
  realServers: boolean;
}

export async function walkthrough(
  cluster: LocalCluster,
  step: (title: string) => void,
  options: WalkthroughOptions,
): Promise<void> {
  const real = options.realServers;
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

  step(
    real
      ? "Create two empty hostPath PVs (Retain) that opt in to the real KFP API server and database"
      : "Create two hostPath PVs (Retain) and fill them with a MySQL datadir and a MinIO bucket tree",
  );
  for (const [role, name] of Object.entries(VOLUMES)) {
    const dir = path.join(root, name);
    await mkdir(dir, { recursive: true });
    // Seeded files are no real database: only PVs no real server opens get them.
    if (!real) await (role === "mysql" ? seedMysqlVolume(dir) : seedMinioVolume(dir));
    const pv = {
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: { name, ...(real ? { annotations: { [REAL_SERVERS_ANNOTATION]: "true" } } : {}) },
      spec: {
        capacity: { storage: "20Gi" },
        accessModes: ["ReadWriteOnce"],
        persistentVolumeReclaimPolicy: "Retain",
        storageClassName: "",
        hostPath: { path: dir, type: "Directory" },
      },
    };
    await kubectl(cluster, ["create", "-f", "-"], JSON.stringify(pv));
    say(`  PV ${name}: ${dir}${real ? "" : `, data ${(await volumeFingerprint(dir))?.slice(0, 16)}`}`);
  }

  step(`Deploy KFP ${FROM} onto those PVs (the plan prints first)`);
  await kfpUpgrade(cluster, appDir, [
    "deploy",
    "--tag",
    FROM,
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

  const kfp = await kfpProxyClient(cluster.kubeconfigPath, NAMESPACE);
  let before: KfpObjectListing | undefined;
  if (real) {
    step(
      "Create what KFP's own upgrade test creates, through KFP's API (the real 2.0.5 API server and MariaDB)",
    );
    if (!(await kfpServes(kfp, API_WAIT_MS)))
      throw new Error("KFP's real API server did not answer after deploy");
    await createKfpObjectSet(kfp);
    before = await listKfpObjectSet(kfp);
    printListing(`KFP lists, through ${kfp.base}:`, before);
  } else {
    say(
      "Not in a private network namespace (npm run demo makes one when it runs as root): KFP's real API server " +
        "cannot run here, so the demo compares the volumes' bytes instead of what KFP lists.",
    );
  }

  step(`Upgrade in place to KFP ${TO} (registry moves to ghcr.io, MySQL 8.0 -> 8.4)`);
  if (real)
    say(
      `(the real 2.0.5 API server stands in for ${TO}'s image: only 2.0.5 builds from the Go module proxy)`,
    );
  await kfpUpgrade(cluster, appDir, ["upgrade", "--tag", TO, "--yes", "--no-backup"]);
  await kfpUpgrade(cluster, appDir, ["status"]);

  step(`The accident: kubectl delete namespace ${NAMESPACE}`);
  await kubectl(cluster, ["delete", "namespace", NAMESPACE, "--wait=true", "--timeout=180s"]);
  say(await kubectl(cluster, ["get", "pv", VOLUMES.mysql, VOLUMES.objectStore]));

  step("Reinstall: the Released PVs are re-attached (stale claimRef cleared) and KFP comes back");
  await kfpUpgrade(cluster, appDir, ["reinstall", "--yes"]);
  const reinstalled = await bindings(cluster);
  printBindings("After reinstall:", reinstalled);

  if (before !== undefined) {
    step("Compare: same PVs, same UIDs, and KFP lists the same objects");
    if (!(await kfpServes(kfp, API_WAIT_MS))) throw new Error("KFP's API did not answer after the reinstall");
    const after = await listKfpObjectSet(kfp);
    printListing("KFP lists now:", after);
    if (!sameVolumes(deployed, reinstalled))
      throw new Error("the data volumes changed: see the bindings above");
    if (!isDeepStrictEqual(after, before)) throw new Error("KFP's inventory changed: see the lists above");
    say(
      "Identical: every data claim is bound to the same PV (same UID), and KFP's inventory is identical: the same " +
        "experiments, pipelines, pipeline versions, runs and recurring runs, with the same ids and fields. (A real " +
        "database rewrites its files whenever it runs, so the bytes are not compared here.)",
    );
  } else {
    step("Compare: same PVs, same UIDs, same bytes");
    if (!sameVolumes(deployed, reinstalled, { bytes: true }))
      throw new Error("the data volumes changed: see the bindings above");
    say(
      "Identical: every data claim is bound to the same PV (same UID) and its files are byte for byte the same.",
    );
  }
  await kfpUpgrade(cluster, appDir, ["history"]);
}

function sameVolumes(before: Binding[], after: Binding[], options: { bytes?: boolean } = {}): boolean {
  return before.every((b) => {
    const a = after.find((candidate) => candidate.claim === b.claim);
    return a?.volume === b.volume && a.uid === b.uid && (!options.bytes || a.fingerprint === b.fingerprint);
  });
}

function printListing(title: string, listing: KfpObjectListing): void {
  say(title);
  for (const line of describeListing(listing)) say(`  ${line}`);
}

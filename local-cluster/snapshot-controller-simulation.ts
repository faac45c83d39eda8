// Stands in for the CSI snapshot machinery on the local control plane: the common snapshot-controller plus a CSI
// driver's csi-snapshotter sidecar (https://github.com/kubernetes-csi/external-snapshotter, README "Design"; the
// objects' contract: https://kubernetes.io/docs/concepts/storage/volume-snapshots/). kwok pods never mount volumes,
// so the test's CSI PVs of driver LOCAL_DIR_CSI_DRIVER carry, as their `volumeHandle`, a directory on this machine;
// cutting a snapshot is copying that directory. For each VolumeSnapshot of a claim that is not readyToUse yet it
// does what the real pair documents:
// - waits (status.error says why) while the claim is not Bound, its PV is not a CSI volume, or no class applies;
// - takes the class named by `spec.volumeSnapshotClassName`, else the driver's default class
//   (annotation snapshot.storage.kubernetes.io/is-default-class), and requires the class's driver to be the PV's;
// - cuts the snapshot (a copy of the directory to <stateDir>/volume-snapshots/<VolumeSnapshot uid>, made complete
//   before it is visible), creates VolumeSnapshotContent `snapcontent-<VolumeSnapshot uid>` bound to the snapshot,
//   with the class's deletionPolicy, and sets its status (snapshotHandle, creationTime, restoreSize, readyToUse);
// - then sets the VolumeSnapshot's status: boundVolumeSnapshotContentName, creationTime, restoreSize, readyToUse.
// What it does not show: snapshots of other drivers (they stay not ready, as without their sidecar), deletion of
// contents, finalizers, group snapshots, restoring (a claim's dataSource is never populated here), and any
// crash-consistency property of a real storage snapshot (the copy is taken while nothing writes: kwok pods don't).
import { cp, mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { KubeRest } from "./kube-rest.js";

/** The CSI driver name of the test's directory-backed PVs: `volumeHandle` is the directory. */
export const LOCAL_DIR_CSI_DRIVER = "local-dir.csi.kfp-upgrade.test";
const API = "/apis/snapshot.storage.k8s.io/v1";
const DEFAULT_CLASS_ANNOTATION = "snapshot.storage.kubernetes.io/is-default-class";

/** Where the snapshot of a VolumeSnapshot (by uid) is kept. */
export function snapshotCopyDir(stateDir: string, snapshotUid: string): string {
  return join(stateDir, "volume-snapshots", snapshotUid);
}

interface Meta {
  name: string;
  namespace?: string;
  uid: string;
  annotations?: Record<string, string>;
}
interface VolumeSnapshot {
  metadata: Meta;
  spec?: { source?: { persistentVolumeClaimName?: string }; volumeSnapshotClassName?: string };
  status?: { readyToUse?: boolean; error?: { message?: string } };
}
interface SnapshotClass {
  metadata: Meta;
  driver: string;
  deletionPolicy: string;
}

export interface SnapshotControllerOptions {
  rest: KubeRest;
  stateDir: string;
  log(line: string): void;
}

/** One pass over every VolumeSnapshot; a cluster without the CRDs has none. */
export async function reconcileSnapshots(options: SnapshotControllerOptions): Promise<void> {
  const listed = await options.rest.request("GET", `${API}/volumesnapshots`);
  if (listed.statusCode === 404) return;
  const items = (listed.body as { items?: VolumeSnapshot[] }).items ?? [];
  for (const snapshot of items) {
    if (snapshot.status?.readyToUse === true) continue;
    const waiting = await cutSnapshot(options, snapshot);
    if (waiting !== null && waiting !== snapshot.status?.error?.message) {
      await setSnapshotStatus(options.rest, snapshot, {
        readyToUse: false,
        error: { message: waiting, time: new Date().toISOString() },
      });
    }
  }
}

/** Runs reconcileSnapshots every 250 ms until `signal` aborts. */
export async function runSnapshotController(
  options: SnapshotControllerOptions & { signal: AbortSignal },
): Promise<void> {
  while (!options.signal.aborted) {
    await reconcileSnapshots(options).catch((error: unknown) =>
      options.log(`snapshot controller: pass failed: ${String(error)}`),
    );
    await sleep(250, undefined, { signal: options.signal }).catch(() => undefined);
  }
}

/** Cuts the snapshot and marks it ready; returns why it cannot yet (the status error), or null when done/skipped. */
async function cutSnapshot(
  options: SnapshotControllerOptions,
  snapshot: VolumeSnapshot,
): Promise<string | null> {
  const { rest } = options;
  const namespace = snapshot.metadata.namespace ?? "default";
  const claimName = snapshot.spec?.source?.persistentVolumeClaimName;
  if (claimName === undefined) return null; // a pre-provisioned snapshot: not simulated
  const claim = await rest.request(
    "GET",
    `/api/v1/namespaces/${namespace}/persistentvolumeclaims/${claimName}`,
  );
  if (claim.statusCode === 404) return `the source PVC ${namespace}/${claimName} does not exist`;
  const claimBody = claim.body as { status?: { phase?: string }; spec?: { volumeName?: string } };
  const volumeName = claimBody.spec?.volumeName;
  if (claimBody.status?.phase !== "Bound" || !volumeName) {
    return `the PVC ${claimName} is not yet bound to a PV, will not attempt to take a snapshot`;
  }
  const pv = (await rest.expect("GET", `/api/v1/persistentvolumes/${volumeName}`)) as {
    spec?: { csi?: { driver?: string; volumeHandle?: string } };
  };
  const csi = pv.spec?.csi;
  if (!csi?.driver || !csi.volumeHandle)
    return `cannot find CSI PersistentVolumeSource for volume ${volumeName}`;
  const snapshotClass = await classFor(rest, snapshot.spec?.volumeSnapshotClassName, csi.driver);
  if (typeof snapshotClass === "string") return snapshotClass;
  if (csi.driver !== LOCAL_DIR_CSI_DRIVER) {
    options.log(
      `snapshot controller: no sidecar for driver ${csi.driver}; ${namespace}/${snapshot.metadata.name} waits`,
    );
    return null;
  }
  const dir = snapshotCopyDir(options.stateDir, snapshot.metadata.uid);
  if (!(await exists(dir))) {
    await mkdir(join(options.stateDir, "volume-snapshots"), { recursive: true });
    const partial = `${dir}.partial`;
    await rm(partial, { recursive: true, force: true });
    await cp(csi.volumeHandle, partial, { recursive: true, preserveTimestamps: true });
    await rename(partial, dir);
    options.log(
      `snapshot controller: cut ${namespace}/${snapshot.metadata.name} from ${csi.volumeHandle} to ${dir}`,
    );
  }
  const size = await bytesIn(dir);
  const takenAt = (await stat(dir)).mtime;
  const contentName = `snapcontent-${snapshot.metadata.uid}`;
  await rest.expect(
    "POST",
    `${API}/volumesnapshotcontents`,
    {
      apiVersion: "snapshot.storage.k8s.io/v1",
      kind: "VolumeSnapshotContent",
      metadata: { name: contentName },
      spec: {
        deletionPolicy: snapshotClass.deletionPolicy,
        driver: csi.driver,
        source: { volumeHandle: csi.volumeHandle },
        volumeSnapshotClassName: snapshotClass.metadata.name,
        volumeSnapshotRef: {
          apiVersion: "snapshot.storage.k8s.io/v1",
          kind: "VolumeSnapshot",
          name: snapshot.metadata.name,
          namespace,
          uid: snapshot.metadata.uid,
        },
      },
    },
    [409],
  );
  await mergePatchStatus(rest, `${API}/volumesnapshotcontents/${contentName}/status`, {
    status: {
      snapshotHandle: dir,
      // CSI's creation_time, in nanoseconds since the epoch, as the sidecar records it.
      creationTime: takenAt.getTime() * 1_000_000,
      restoreSize: size,
      readyToUse: true,
    },
  });
  await setSnapshotStatus(rest, snapshot, {
    boundVolumeSnapshotContentName: contentName,
    creationTime: takenAt.toISOString().replace(/\.\d+Z$/, "Z"),
    restoreSize: String(size),
    readyToUse: true,
    error: null,
  });
  return null;
}

async function classFor(
  rest: KubeRest,
  name: string | undefined,
  driver: string,
): Promise<SnapshotClass | string> {
  if (name !== undefined) {
    const found = await rest.request("GET", `${API}/volumesnapshotclasses/${name}`);
    if (found.statusCode === 404)
      return `failed to get snapshot class with error volumesnapshotclass "${name}" not found`;
    const snapshotClass = found.body as SnapshotClass;
    if (snapshotClass.driver !== driver) {
      return `snapshot class ${name} is for driver ${snapshotClass.driver}, but the volume's driver is ${driver}`;
    }
    return snapshotClass;
  }
  const all =
    ((await rest.expect("GET", `${API}/volumesnapshotclasses`)) as { items?: SnapshotClass[] }).items ?? [];
  const defaults = all.filter(
    (c) => c.driver === driver && c.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === "true",
  );
  if (defaults.length === 1 && defaults[0]) return defaults[0];
  return defaults.length === 0
    ? `cannot find default snapshot class for driver ${driver}`
    : `default snapshot class: too many default classes for driver ${driver}`;
}

async function setSnapshotStatus(rest: KubeRest, snapshot: VolumeSnapshot, status: Record<string, unknown>) {
  const namespace = snapshot.metadata.namespace ?? "default";
  await mergePatchStatus(
    rest,
    `${API}/namespaces/${namespace}/volumesnapshots/${snapshot.metadata.name}/status`,
    {
      status,
    },
  );
}

async function mergePatchStatus(rest: KubeRest, path: string, body: unknown): Promise<void> {
  const res = await rest.request("PATCH", path, body, "application/merge-patch+json");
  if (res.statusCode < 200 || res.statusCode >= 300) {
    throw new Error(`PATCH ${path}: API server says ${res.statusCode}: ${res.text.slice(0, 300)}`);
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function bytesIn(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

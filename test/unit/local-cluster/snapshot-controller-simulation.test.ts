import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import type { KubeRest } from "../../../local-cluster/kube-rest.js";
import {
  LOCAL_DIR_CSI_DRIVER,
  reconcileSnapshots,
  snapshotCopyDir,
} from "../../../local-cluster/snapshot-controller-simulation.js";

const API = "/apis/snapshot.storage.k8s.io/v1";
type Obj = { metadata: { name: string; namespace?: string; uid?: string }; [key: string]: unknown };

/** An in-memory API server for the paths the harness uses: GET (objects and lists), POST, PATCH of /status. */
function memoryRest(objects: Record<string, Obj>): KubeRest & { objects: Record<string, Obj> } {
  const answer = (statusCode: number, body: unknown) => ({ statusCode, body, text: JSON.stringify(body) });
  const rest = {
    objects,
    async request(method: string, path: string, body?: unknown) {
      if (method === "GET") {
        if (objects[path]) return answer(200, structuredClone(objects[path]));
        const items = Object.entries(objects)
          .filter(
            ([key]) =>
              key.startsWith(`${path}/`) ||
              (path === `${API}/volumesnapshots` && key.includes("/volumesnapshots/")),
          )
          .map(([, object]) => structuredClone(object));
        return items.length > 0 || path.endsWith("s") ? answer(200, { items }) : answer(404, {});
      }
      if (method === "POST") {
        const object = body as Obj;
        const key = `${path}/${object.metadata.name}`;
        if (objects[key]) return answer(409, {});
        objects[key] = structuredClone(object);
        return answer(201, object);
      }
      if (method === "PATCH" && path.endsWith("/status")) {
        const key = path.slice(0, -"/status".length);
        const object = objects[key];
        if (!object) return answer(404, {});
        const status = {
          ...((object.status as object | undefined) ?? {}),
          ...(body as { status: object }).status,
        };
        object.status = Object.fromEntries(Object.entries(status).filter(([, v]) => v !== null));
        return answer(200, object);
      }
      return answer(405, {});
    },
    async expect(method: string, path: string, body?: unknown, allow: number[] = []) {
      const res = await rest.request(method, path, body);
      if ((res.statusCode >= 200 && res.statusCode < 300) || allow.includes(res.statusCode)) return res.body;
      throw new Error(`${method} ${path}: ${res.statusCode}`);
    },
  };
  return rest;
}

async function cluster(options: { bound: boolean; classDriver?: string }) {
  const stateDir = await mkdtemp(join(tmpdir(), "snap-state-"));
  const volumeDir = await mkdtemp(join(tmpdir(), "snap-volume-"));
  onTestFinished(async () => {
    await rm(stateDir, { recursive: true, force: true });
    await rm(volumeDir, { recursive: true, force: true });
  });
  await writeFile(join(volumeDir, "ibdata1"), "0123456789");
  const rest = memoryRest({
    "/api/v1/namespaces/kubeflow/persistentvolumeclaims/mysql-pv-claim": {
      metadata: { name: "mysql-pv-claim", namespace: "kubeflow" },
      spec: options.bound ? { volumeName: "pv-a" } : {},
      status: { phase: options.bound ? "Bound" : "Pending" },
    },
    "/api/v1/persistentvolumes/pv-a": {
      metadata: { name: "pv-a" },
      spec: { csi: { driver: LOCAL_DIR_CSI_DRIVER, volumeHandle: volumeDir } },
    },
    [`${API}/volumesnapshotclasses/local`]: {
      metadata: { name: "local" },
      driver: options.classDriver ?? LOCAL_DIR_CSI_DRIVER,
      deletionPolicy: "Retain",
    },
    [`${API}/namespaces/kubeflow/volumesnapshots/backup`]: {
      metadata: { name: "backup", namespace: "kubeflow", uid: "uid-1" },
      spec: { volumeSnapshotClassName: "local", source: { persistentVolumeClaimName: "mysql-pv-claim" } },
    },
  });
  return { rest, stateDir, volumeDir };
}

const snapshotOf = (rest: { objects: Record<string, Obj> }) =>
  rest.objects[`${API}/namespaces/kubeflow/volumesnapshots/backup`] as Obj & {
    status?: Record<string, unknown>;
  };

describe("the snapshot controller stand-in", () => {
  it("waits, saying why, while the claim is not bound", async () => {
    const { rest, stateDir } = await cluster({ bound: false });
    await reconcileSnapshots({ rest, stateDir, log: () => undefined });
    expect(snapshotOf(rest).status).toMatchObject({
      readyToUse: false,
      error: {
        message: "the PVC mysql-pv-claim is not yet bound to a PV, will not attempt to take a snapshot",
      },
    });
  });

  it("refuses a class of another driver", async () => {
    const { rest, stateDir } = await cluster({ bound: true, classDriver: "pd.csi.storage.gke.io" });
    await reconcileSnapshots({ rest, stateDir, log: () => undefined });
    expect(snapshotOf(rest).status?.error).toMatchObject({
      message: `snapshot class local is for driver pd.csi.storage.gke.io, but the volume's driver is ${LOCAL_DIR_CSI_DRIVER}`,
    });
  });

  it("cuts the snapshot: copies the directory, binds a content, and marks both ready", async () => {
    const { rest, stateDir, volumeDir } = await cluster({ bound: true });
    await reconcileSnapshots({ rest, stateDir, log: () => undefined });
    expect(await readFile(join(snapshotCopyDir(stateDir, "uid-1"), "ibdata1"), "utf8")).toBe("0123456789");
    expect(snapshotOf(rest).status).toMatchObject({
      readyToUse: true,
      boundVolumeSnapshotContentName: "snapcontent-uid-1",
      restoreSize: "10",
    });
    expect(snapshotOf(rest).status).not.toHaveProperty("error");
    expect(rest.objects[`${API}/volumesnapshotcontents/snapcontent-uid-1`]).toMatchObject({
      spec: {
        deletionPolicy: "Retain",
        driver: LOCAL_DIR_CSI_DRIVER,
        source: { volumeHandle: volumeDir },
        volumeSnapshotClassName: "local",
        volumeSnapshotRef: { kind: "VolumeSnapshot", name: "backup", namespace: "kubeflow", uid: "uid-1" },
      },
      status: { readyToUse: true, restoreSize: 10, snapshotHandle: snapshotCopyDir(stateDir, "uid-1") },
    });
  });
});

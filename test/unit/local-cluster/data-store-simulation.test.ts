import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import {
  dataContainer,
  lockConflicts,
  podStatus,
  readMysqlDir,
  type SimPod,
  type SimulationEvent,
  serverOverlaps,
} from "../../../local-cluster/data-store-simulation.js";

function pod(containers: { name: string; image: string }[]): SimPod {
  return {
    metadata: { name: "mysql-1", namespace: "kubeflow", uid: "u1" },
    spec: { nodeName: "kwok-node-a", containers },
  };
}

function event(
  type: SimulationEvent["type"],
  uid: string,
  dir: string,
  extra: Partial<SimulationEvent> = {},
) {
  return {
    time: "2026-01-01T00:00:00Z",
    type,
    kind: "mysql" as const,
    pod: `ns/${uid}`,
    uid,
    image: "mysql:8.4",
    dir,
    ...extra,
  };
}

describe("serverOverlaps", () => {
  const cases: { name: string; events: SimulationEvent[]; overlaps: number }[] = [
    {
      name: "one server after the other",
      events: [event("started", "a", "/d"), event("stopped", "a", "/d"), event("started", "b", "/d")],
      overlaps: 0,
    },
    {
      name: "two servers at once on one directory",
      events: [event("started", "a", "/d"), event("started", "b", "/d")],
      overlaps: 1,
    },
    {
      name: "two servers on two directories",
      events: [event("started", "a", "/d"), event("started", "b", "/e")],
      overlaps: 0,
    },
    {
      name: "API servers never hold a directory",
      events: [
        event("started", "a", "/d", { kind: "kfp-api-server" }),
        event("started", "b", "/d", { kind: "kfp-api-server" }),
      ],
      overlaps: 0,
    },
  ];
  it.each(cases)("$name", ({ events, overlaps }) => {
    expect(serverOverlaps(events)).toHaveLength(overlaps);
  });
});

describe("lockConflicts", () => {
  it("lists the refusals on the InnoDB lock, optionally for one directory", () => {
    const events = [
      event("started", "a", "/d"),
      event("refused", "b", "/d", { reason: "innodb-lock" }),
      event("refused", "c", "/e", { reason: "downgrade" }),
      event("refused", "d", "/e", { reason: "innodb-lock" }),
    ];
    expect(lockConflicts(events).map((e) => e.uid)).toEqual(["b", "d"]);
    expect(lockConflicts(events, "/d").map((e) => e.uid)).toEqual(["b"]);
  });
});

describe("dataContainer", () => {
  it("finds the MySQL container among others", () => {
    const found = dataContainer(
      pod([
        { name: "sidecar", image: "busybox:1" },
        { name: "mysql", image: "mysql:8.4" },
      ]),
    );
    expect(found?.container.name).toBe("mysql");
    expect(found?.image).toMatchObject({ kind: "mysql", series: "8.4" });
  });
  it("ignores pods without a data store", () => {
    expect(dataContainer(pod([{ name: "main", image: "registry.invalid/e2e/main:1" }]))).toBeUndefined();
  });
});

describe("podStatus", () => {
  const base = {
    pod: pod([
      { name: "mysql", image: "mysql:8.4" },
      { name: "sidecar", image: "busybox:1" },
    ]),
    now: "2026-01-01T00:00:10Z",
    hostIP: "127.0.0.1",
    dataName: "mysql",
  };
  it("a Ready pod looks like kwok's pod-ready gives it", () => {
    const status = podStatus({
      ...base,
      data: { state: "running", ready: true, startedAt: "2026-01-01T00:00:05Z", restartCount: 0 },
    });
    expect(status).toMatchObject({
      phase: "Running",
      hostIP: "127.0.0.1",
      podIP: expect.stringMatching(/^10\.245\.\d+\.\d+$/),
      conditions: expect.arrayContaining([{ type: "Ready", status: "True", lastTransitionTime: base.now }]),
      containerStatuses: [
        {
          name: "mysql",
          ready: true,
          restartCount: 0,
          state: { running: { startedAt: "2026-01-01T00:00:05Z" } },
        },
        { name: "sidecar", ready: true },
      ],
    });
  });
  it("a crash-looping data container carries the program's message and exit code 1", () => {
    const status = podStatus({
      ...base,
      data: {
        state: "crash-loop",
        restartCount: 3,
        message: "Downgrade is not supported",
        startedAt: base.now,
      },
    });
    expect(status).toMatchObject({
      phase: "Running",
      conditions: expect.arrayContaining([
        expect.objectContaining({ type: "Ready", status: "False", reason: "ContainersNotReady" }),
      ]),
      containerStatuses: [
        {
          name: "mysql",
          ready: false,
          restartCount: 3,
          state: { waiting: { reason: "CrashLoopBackOff" } },
          lastState: { terminated: { exitCode: 1, reason: "Error", message: "Downgrade is not supported" } },
        },
        { name: "sidecar", ready: true },
      ],
    });
  });
});

describe("readMysqlDir", () => {
  async function dir(files: Record<string, string>): Promise<string> {
    const root = await mkdtemp(join(tmpdir(), "sim-dir-"));
    onTestFinished(() => rm(root, { recursive: true, force: true }));
    for (const [name, content] of Object.entries(files)) await writeFile(join(root, name), content);
    return root;
  }
  const cases: { name: string; files: Record<string, string>; state: unknown }[] = [
    { name: "no files: empty", files: {}, state: { kind: "empty" } },
    {
      name: "only the simulated KFP schema record: still empty for MySQL",
      files: { ".kfp-simulated-schema": "2.15.0" },
      state: { kind: "empty" },
    },
    { name: "files without a record", files: { ibdata1: "x" }, state: { kind: "unrecorded" } },
    {
      name: "a record",
      files: { ibdata1: "x", mysql_upgrade_info: "5.7.44" },
      state: { kind: "recorded", text: "5.7.44" },
    },
  ];
  it.each(cases)("$name", async ({ files, state }) => {
    expect(await readMysqlDir(await dir(files))).toEqual(state);
  });
  it("a directory that does not exist has no state", async () => {
    expect(await readMysqlDir(join(tmpdir(), "no-such-dir-for-sim"))).toBeUndefined();
  });
});

import { describe, expect, it } from "vitest";
import {
  deadProcessLogs,
  type LocalCluster,
  type ProcessStatus,
} from "../../../local-cluster/local-cluster.js";

function clusterWith(processes: ProcessStatus[], logs: string): LocalCluster {
  return {
    processes: async () => processes,
    logsTail: async () => logs,
  } as Partial<LocalCluster> as LocalCluster;
}

const status = (name: ProcessStatus["name"], running: boolean): ProcessStatus => ({
  name,
  pid: 100,
  binary: `/bin/${name}`,
  running,
  rssKiB: running ? 1024 : undefined,
});

const LOGS = [
  "==> /state/logs/data-store-simulator.log <==\nTypeError: boom\n    at tick",
  "==> /state/logs/kube-apiserver.log <==\nI1203 serving",
  "==> /state/logs/kwok.log <==\nready",
].join("\n");

describe("deadProcessLogs", () => {
  it("names the processes that died and keeps only their logs' tails", async () => {
    const report = await deadProcessLogs(
      clusterWith(
        [status("kube-apiserver", true), status("data-store-simulator", false), status("kwok", true)],
        LOGS,
      ),
    );
    expect(report.dead).toEqual(["data-store-simulator"]);
    expect(report.tails).toBe("==> /state/logs/data-store-simulator.log <==\nTypeError: boom\n    at tick");
  });

  it("has nothing to say when every process runs", async () => {
    const report = await deadProcessLogs(
      clusterWith([status("kube-apiserver", true), status("kwok", true)], LOGS),
    );
    expect([report.dead, report.tails]).toEqual([[], ""]);
  });
});

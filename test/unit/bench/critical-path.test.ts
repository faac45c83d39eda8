import { describe, expect, it } from "vitest";
import { criticalPath } from "../../../bench/critical-path.js";

const at = (time: string) => Date.parse(time);

describe("criticalPath", () => {
  it("runs from the run's first write to the last Deployment rolled out, ignoring older and status writes", () => {
    const objects = [
      { metadata: { managedFields: [{ manager: "kubectl", time: "2026-12-03T10:00:00Z" }] } },
      {
        metadata: {
          managedFields: [
            { manager: "kfp-upgrade", time: "2026-12-03T10:05:02Z" },
            { manager: "kube-controller-manager", time: "2026-12-03T10:05:01Z", subresource: "status" },
          ],
        },
      },
      { metadata: { managedFields: [{ manager: "kfp-upgrade", time: "2026-12-03T10:05:03Z" }] } },
    ];
    const deployments = [
      {
        metadata: { name: "ml-pipeline" },
        status: {
          conditions: [
            { type: "Available", status: "True", lastTransitionTime: "2026-12-03T10:00:09Z" },
            {
              type: "Progressing",
              status: "True",
              reason: "NewReplicaSetAvailable",
              lastUpdateTime: "2026-12-03T10:05:07Z",
            },
          ],
        },
      },
      {
        metadata: { name: "mysql" },
        status: {
          conditions: [{ type: "Available", status: "True", lastTransitionTime: "2026-12-03T10:05:09Z" }],
        },
      },
      {
        metadata: { name: "cache-server" },
        status: {
          conditions: [
            {
              type: "Progressing",
              status: "True",
              reason: "ReplicaSetUpdated",
              lastUpdateTime: "2026-12-03T10:05:20Z",
            },
          ],
        },
      },
    ];
    expect(criticalPath(objects, deployments, at("2026-12-03T10:05:01.700Z"))).toEqual({
      firstWriteMs: at("2026-12-03T10:05:02Z"),
      lastRolledOutMs: at("2026-12-03T10:05:09Z"),
      seconds: 7,
      lastDeployment: "mysql",
    });
  });

  it("is undefined when nothing was written since the run started, and never below the 1 s resolution", () => {
    const objects = [{ metadata: { managedFields: [{ time: "2026-12-03T10:00:00Z" }] } }];
    expect(criticalPath(objects, [], at("2026-12-03T10:00:01Z"))).toBeUndefined();
    expect(criticalPath(objects, [], at("2026-12-03T10:00:00.400Z"))?.seconds).toBe(1);
  });
});

describe("criticalPath's first write", () => {
  it("counts a write through the scale subresource (`kubectl scale`) but not a status write", () => {
    const objects = [
      {
        metadata: {
          managedFields: [
            { manager: "kube-controller-manager", time: "2026-12-03T10:05:01Z", subresource: "status" },
            { manager: "kfp-upgrade", time: "2026-12-03T10:05:03Z", subresource: "scale" },
            { manager: "kfp-upgrade", time: "2026-12-03T10:05:12Z" },
          ],
        },
      },
    ];
    const deployments = [
      {
        metadata: { name: "ml-pipeline" },
        status: {
          conditions: [{ type: "Available", status: "True", lastTransitionTime: "2026-12-03T10:05:20Z" }],
        },
      },
    ];
    expect(criticalPath(objects, deployments, at("2026-12-03T10:05:00Z"))?.firstWriteMs).toBe(
      at("2026-12-03T10:05:03Z"),
    );
  });
});

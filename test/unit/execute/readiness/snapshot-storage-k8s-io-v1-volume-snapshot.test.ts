import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { volumeSnapshotReadiness } from "../../../../src/execute/readiness/snapshot-storage-k8s-io-v1-volume-snapshot.js";
import type { KubeObject } from "../../../../src/model/kube-object.js";

const snapshot = (status: string): KubeObject =>
  yaml.load(`
apiVersion: snapshot.storage.k8s.io/v1
kind: VolumeSnapshot
metadata: {name: s, namespace: kubeflow}
spec: {source: {persistentVolumeClaimName: mysql-pv-claim}}
${status}`) as KubeObject;

describe("volumeSnapshotReadiness", () => {
  const cases = [
    {
      name: "no status yet",
      status: "",
      expected: {
        done: false,
        ok: false,
        message: "Waiting for the snapshot controller to take the snapshot",
      },
    },
    {
      name: "bound, not ready",
      status: "status: {boundVolumeSnapshotContentName: snapcontent-1, readyToUse: false}",
      expected: {
        done: false,
        ok: false,
        message: "Waiting for readyToUse (content snapcontent-1 is being cut)",
      },
    },
    {
      name: "an error the controller retries",
      status: "status: {readyToUse: false, error: {message: the PVC x is not yet bound to a PV}}",
      expected: {
        done: false,
        ok: false,
        message:
          "Waiting for readyToUse; the snapshot controller reports: the PVC x is not yet bound to a PV",
      },
    },
    {
      name: "ready",
      status: "status: {boundVolumeSnapshotContentName: snapcontent-1, readyToUse: true}",
      expected: { done: true, ok: true, message: "readyToUse (content snapcontent-1)" },
    },
  ];
  it.each(cases)("$name", ({ status, expected }) => {
    expect(volumeSnapshotReadiness(snapshot(status))).toEqual(expected);
  });

  it("fails when the snapshot is gone", () => {
    expect(volumeSnapshotReadiness(null)).toEqual({
      done: true,
      ok: false,
      message: "The VolumeSnapshot does not exist (was it deleted?)",
    });
  });
});

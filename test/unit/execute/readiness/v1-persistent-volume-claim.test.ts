import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import type { Readiness } from "../../../../src/execute/readiness/readiness.js";
import { claimReadiness } from "../../../../src/execute/readiness/v1-persistent-volume-claim.js";
import type { KubeObject } from "../../../../src/model/kube-object.js";

const claim = (body: string): KubeObject =>
  yaml.load(`apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: mysql-pv-claim
  namespace: kubeflow
${body}`) as KubeObject;

describe("claimReadiness", () => {
  const cases: { name: string; yaml: string; readiness: Readiness }[] = [
    {
      name: "Bound to its PV",
      yaml: `spec:
  storageClassName: ""
  volumeName: kfp-mysql
status:
  phase: Bound`,
      readiness: { done: true, ok: true, message: "Bound to kfp-mysql" },
    },
    {
      name: "Pending on a named PV",
      yaml: `spec:
  storageClassName: ""
  volumeName: kfp-mysql
status:
  phase: Pending`,
      readiness: {
        done: false,
        ok: false,
        message: "Waiting for the claim to be Bound (phase Pending, volume kfp-mysql)",
      },
    },
    {
      name: "Pending on a StorageClass",
      yaml: `spec:
  storageClassName: standard
status:
  phase: Pending`,
      readiness: { done: false, ok: false, message: "Waiting for the claim to be Bound (phase Pending)" },
    },
    {
      name: "no status yet counts as Pending",
      yaml: "spec: {}",
      readiness: { done: false, ok: false, message: "Waiting for the claim to be Bound (phase Pending)" },
    },
    {
      name: "Lost its volume",
      yaml: `spec:
  volumeName: kfp-mysql
status:
  phase: Lost`,
      readiness: { done: true, ok: false, message: "The claim lost its volume (phase Lost)" },
    },
  ];
  it.each(cases)("$name", ({ yaml: body, readiness }) => {
    expect(claimReadiness(claim(body))).toEqual(readiness);
  });

  it("fails for a claim that does not exist: nothing will create it while we wait", () => {
    expect(claimReadiness(null)).toEqual({ done: true, ok: false, message: "The claim does not exist" });
  });
});

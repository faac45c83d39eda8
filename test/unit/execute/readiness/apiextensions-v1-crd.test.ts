import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { crdReadiness, servedKindsOf } from "../../../../src/execute/readiness/apiextensions-v1-crd.js";
import type { Readiness } from "../../../../src/execute/readiness/readiness.js";
import type { KubeObject } from "../../../../src/model/kube-object.js";

const crd = (status: string): KubeObject =>
  yaml.load(`apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: workflows.argoproj.io
${status}`) as KubeObject;

describe("crdReadiness", () => {
  const cases: { name: string; yaml: string; readiness: Readiness }[] = [
    {
      name: "Established",
      yaml: `status:
  conditions:
  - type: NamesAccepted
    status: "True"
    reason: NoConflicts
  - type: Established
    status: "True"
    reason: InitialNamesAccepted`,
      readiness: { done: true, ok: true, message: "Established" },
    },
    {
      name: "names accepted, not yet Established",
      yaml: `status:
  conditions:
  - type: NamesAccepted
    status: "True"
  - type: Established
    status: "False"
    reason: Installing`,
      readiness: { done: false, ok: false, message: "Waiting for the CRD to be Established" },
    },
    {
      name: "no status yet",
      yaml: "spec: {}",
      readiness: { done: false, ok: false, message: "Waiting for the CRD to be Established" },
    },
    {
      name: "a name conflict",
      yaml: `status:
  conditions:
  - type: NamesAccepted
    status: "False"
    reason: ListKindConflict
    message: '"WorkflowList" is already in use'
  - type: Established
    status: "False"`,
      readiness: { done: true, ok: false, message: 'Names not accepted: "WorkflowList" is already in use' },
    },
  ];
  it.each(cases)("$name", ({ yaml: status, readiness }) => {
    expect(crdReadiness(crd(status))).toEqual(readiness);
  });

  it("waits for a CRD that does not exist yet", () => {
    expect(crdReadiness(null)).toEqual({ done: false, ok: false, message: "Waiting for the CRD to exist" });
  });
});

describe("servedKindsOf", () => {
  it("names the CRD's kind in each served version, and nothing for a CRD without group or kind", () => {
    const workflows = yaml.load(`apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: scheduledworkflows.kubeflow.org
spec:
  group: kubeflow.org
  names: {kind: ScheduledWorkflow, plural: scheduledworkflows}
  versions:
  - {name: v1beta1, served: true, storage: true}
  - {name: v1alpha1, served: false, storage: false}
  - {name: v1, served: true, storage: false}`) as KubeObject;
    expect(servedKindsOf(workflows)).toEqual([
      { apiVersion: "kubeflow.org/v1beta1", kind: "ScheduledWorkflow" },
      { apiVersion: "kubeflow.org/v1", kind: "ScheduledWorkflow" },
    ]);
    expect(servedKindsOf(crd("spec: {}"))).toEqual([]);
  });
});

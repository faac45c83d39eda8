import { describe, expect, it } from "vitest";
import { podsGoneReadiness } from "../../../../src/execute/readiness/v1-pods-gone.js";
import type { KubeObject } from "../../../../src/model/kube-object.js";

const pod = (name: string, terminating = false): KubeObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, ...(terminating ? { deletionTimestamp: "2026-01-02T03:04:05Z" } : {}) },
});

describe("podsGoneReadiness", () => {
  const cases = [
    { name: "no pods", pods: [], expected: { done: true, ok: true, message: "No pods left" } },
    {
      name: "a running pod",
      pods: [pod("mysql-abc")],
      expected: {
        done: false,
        ok: false,
        message: "Waiting for 1 pods to be gone (0 terminating): mysql-abc",
      },
    },
    {
      name: "a terminating pod still counts (its program may still hold the volume)",
      pods: [pod("mysql-abc", true)],
      expected: {
        done: false,
        ok: false,
        message: "Waiting for 1 pods to be gone (1 terminating): mysql-abc",
      },
    },
    {
      name: "many pods are named up to three",
      pods: [pod("a"), pod("b", true), pod("c"), pod("d")],
      expected: {
        done: false,
        ok: false,
        message: "Waiting for 4 pods to be gone (1 terminating): a, b, c, …",
      },
    },
  ];
  it.each(cases)("$name", ({ pods, expected }) => {
    expect(podsGoneReadiness(pods)).toEqual(expected);
  });
});

import { describe, expect, it } from "vitest";
import { mysqlSeriesReadiness } from "../../../../src/execute/readiness/v1-pods-mysql-series.js";
import type { KubeObject } from "../../../../src/model/kube-object.js";

const pod = (name: string, image: string, terminating = false): KubeObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, ...(terminating ? { deletionTimestamp: "2026-01-02T03:04:05Z" } : {}) },
  spec: { containers: [{ name: "mysql", image }] },
});

describe("mysqlSeriesReadiness", () => {
  const cases = [
    {
      name: "the new series runs",
      pods: [pod("mysql-new", "mysql:8.4")],
      expected: { done: true, ok: true, message: "pod mysql-new runs mysql:8.4 (MySQL 8.4)" },
    },
    {
      name: "no pod yet",
      pods: [],
      expected: { done: false, ok: false, message: "Waiting for a mysql pod" },
    },
    {
      name: "only a terminating pod",
      pods: [pod("mysql-old", "gcr.io/ml-pipeline/mysql:8.0.26", true)],
      expected: { done: false, ok: false, message: "Waiting for a mysql pod" },
    },
    {
      name: "two servers",
      pods: [pod("mysql-a", "mysql:8.4"), pod("mysql-b", "mysql:8.4")],
      expected: {
        done: false,
        ok: false,
        message: "Waiting for 1 extra mysql pods to go: one server per data directory",
      },
    },
    {
      name: "the old series still runs",
      pods: [pod("mysql-old", "gcr.io/ml-pipeline/mysql:8.0.26")],
      expected: {
        done: true,
        ok: false,
        message: "pod mysql-old runs gcr.io/ml-pipeline/mysql:8.0.26 (MySQL 8.0), not MySQL 8.4",
      },
    },
    {
      name: "an image that names no series",
      pods: [pod("mysql-x", "mysql:latest")],
      expected: {
        done: true,
        ok: false,
        message: "pod mysql-x runs mysql:latest (MySQL of an unknown series), not MySQL 8.4",
      },
    },
  ];
  it.each(cases)("$name", ({ pods, expected }) => {
    expect(mysqlSeriesReadiness("8.4")(pods)).toEqual(expected);
  });
});

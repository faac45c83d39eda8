import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import {
  adoptManagedFields,
  type ManagedFieldsEntry,
  unionFields,
} from "../../../src/execute/merge-managed-fields.js";

const TIME = "2026-12-02T19:30:00Z";

/** managedFields of a Deployment made by `kubectl apply` (client-side) and updated by its controller. */
const CSA_DEPLOYMENT: ManagedFieldsEntry[] = [
  {
    manager: "kubectl-client-side-apply",
    operation: "Update",
    apiVersion: "apps/v1",
    time: "2026-12-01T10:00:00Z",
    fieldsType: "FieldsV1",
    fieldsV1: {
      "f:metadata": {
        "f:annotations": { ".": {}, "f:kubectl.kubernetes.io/last-applied-configuration": {} },
        "f:labels": { ".": {}, "f:app": {} },
      },
      "f:spec": {
        "f:replicas": {},
        "f:template": {
          "f:spec": {
            "f:containers": {
              'k:{"name":"ml-pipeline-api-server"}': {
                ".": {},
                "f:image": {},
                "f:livenessProbe": { ".": {}, "f:exec": { ".": {}, "f:command": {} } },
                "f:name": {},
              },
            },
          },
        },
      },
    },
  },
  {
    manager: "kube-controller-manager",
    operation: "Update",
    apiVersion: "apps/v1",
    time: "2026-12-01T10:00:05Z",
    fieldsType: "FieldsV1",
    fieldsV1: { "f:status": { "f:replicas": {} } },
    subresource: "status",
  },
];

const csa = CSA_DEPLOYMENT[0] as ManagedFieldsEntry;
const controller = CSA_DEPLOYMENT[1] as ManagedFieldsEntry;

describe("adoptManagedFields", () => {
  it("moves a client-side apply entry into a new kfp-upgrade Apply entry; other managers' entries stay", () => {
    const result = adoptManagedFields(CSA_DEPLOYMENT, {
      from: ["kubectl-client-side-apply"],
      to: "kfp-upgrade",
      apiVersion: "apps/v1",
      time: TIME,
    });
    expect(result).toEqual({
      merged: 1,
      dropped: 0,
      entries: [
        controller,
        {
          manager: "kfp-upgrade",
          operation: "Apply",
          apiVersion: "apps/v1",
          time: TIME,
          fieldsType: "FieldsV1",
          fieldsV1: csa.fieldsV1,
        },
      ],
    });
  });

  it("adopts the managedFields of a Deployment `kubectl apply` and `kubectl scale` made on Kubernetes 1.36", async () => {
    // Captured from the local control plane: two kubectl-client-side-apply entries (one without time) and the
    // controller's status entry.
    const captured = JSON.parse(
      await readFile(
        new URL("./fixtures/kubectl-applied-deployment.managed-fields.json", import.meta.url),
        "utf8",
      ),
    ) as ManagedFieldsEntry[];
    const result = adoptManagedFields(captured, {
      from: ["kubectl-client-side-apply"],
      to: "kfp-upgrade",
      apiVersion: "apps/v1",
      time: TIME,
    });
    expect(result.merged).toBe(2);
    expect(result.entries.map((entry) => [entry.manager, entry.operation, entry.subresource])).toEqual([
      ["kube-controller-manager", "Update", "status"],
      ["kfp-upgrade", "Apply", undefined],
    ]);
    expect(result.entries[0]).toEqual(captured[1]);
    const fields = result.entries[1]?.fieldsV1 as {
      "f:spec": {
        "f:replicas": object;
        "f:template": { "f:spec": { "f:containers": Record<string, object> } };
      };
    };
    expect(fields["f:spec"]["f:replicas"]).toEqual({});
    expect(
      fields["f:spec"]["f:template"]["f:spec"]["f:containers"]['k:{"name":"ml-pipeline-api-server"}'],
    ).toMatchObject({
      "f:livenessProbe": { "f:exec": { ".": {}, "f:command": {} } },
    });
  });

  it("unions into kfp-upgrade's existing Apply entry, keeping its place and time", () => {
    const ours: ManagedFieldsEntry = {
      manager: "kfp-upgrade",
      operation: "Apply",
      apiVersion: "apps/v1",
      time: "2026-12-01T11:00:00Z",
      fieldsType: "FieldsV1",
      fieldsV1: { "f:spec": { "f:replicas": {}, "f:paused": {} } },
    };
    const helm: ManagedFieldsEntry = {
      manager: "helm",
      operation: "Update",
      apiVersion: "apps/v1",
      time: "2026-12-01T09:00:00Z",
      fieldsType: "FieldsV1",
      fieldsV1: { "f:metadata": { "f:labels": { "f:app.kubernetes.io/managed-by": {} } } },
    };
    const result = adoptManagedFields([ours, csa, helm, controller], {
      from: ["kubectl-client-side-apply", "helm"],
      to: "kfp-upgrade",
      apiVersion: "apps/v1",
      time: TIME,
    });
    expect(result.merged).toBe(2);
    expect(result.entries).toEqual([
      {
        ...ours,
        fieldsV1: unionFields(unionFields(ours.fieldsV1, csa.fieldsV1), helm.fieldsV1),
      },
      controller,
    ]);
    const spec = ((result.entries[0]?.fieldsV1 ?? {}) as Record<string, Record<string, unknown>>)["f:spec"];
    expect(Object.keys(spec ?? {}).sort()).toEqual(["f:paused", "f:replicas", "f:template"]);
  });

  it.each([
    {
      name: "an entry in another apiVersion is dropped, not unioned (its paths may differ)",
      entries: [{ ...csa, apiVersion: "extensions/v1beta1" }, controller],
      expected: { merged: 0, dropped: 1, managers: ["kube-controller-manager", "kfp-upgrade"] },
    },
    {
      name: "a subresource entry of an adopted manager stays",
      entries: [{ ...csa, subresource: "status" }],
      expected: { merged: 0, dropped: 0, managers: ["kubectl-client-side-apply"] },
    },
    {
      name: "an object nobody else owns is left as it is",
      entries: [controller],
      expected: { merged: 0, dropped: 0, managers: ["kube-controller-manager"] },
    },
    {
      name: "an Apply entry of an adopted manager (kubectl server-side) is adopted too",
      entries: [{ ...csa, manager: "kubectl", operation: "Apply" }],
      expected: { merged: 1, dropped: 0, managers: ["kfp-upgrade"] },
    },
  ])("$name", ({ entries, expected }) => {
    const result = adoptManagedFields(entries, {
      from: ["kubectl-client-side-apply", "kubectl"],
      to: "kfp-upgrade",
      apiVersion: "apps/v1",
      time: TIME,
    });
    expect({
      merged: result.merged,
      dropped: result.dropped,
      managers: result.entries.map((entry) => entry.manager),
    }).toEqual(expected);
  });

  it("never adopts from kfp-upgrade itself (its Update entries from patches stay)", () => {
    const patched: ManagedFieldsEntry = { ...controller, manager: "kfp-upgrade", subresource: undefined };
    const result = adoptManagedFields([patched], {
      from: ["kfp-upgrade"],
      to: "kfp-upgrade",
      apiVersion: "apps/v1",
      time: TIME,
    });
    expect(result).toEqual({ entries: [patched], merged: 0, dropped: 0 });
  });
});

describe("unionFields", () => {
  it("is the deep union of two FieldsV1 tries", () => {
    expect(
      unionFields(
        { "f:spec": { "f:replicas": {}, 'k:{"name":"a"}': { "f:image": {} } } },
        { "f:spec": { 'k:{"name":"a"}': { "f:name": {} }, "f:paused": {} }, "f:data": {} },
      ),
    ).toEqual({
      "f:spec": { "f:replicas": {}, 'k:{"name":"a"}': { "f:image": {}, "f:name": {} }, "f:paused": {} },
      "f:data": {},
    });
  });
});

import { describe, expect, it } from "vitest";
import { adoptObjects, LAST_APPLIED_ANNOTATION } from "../../../src/execute/adopt-object.js";
import type { KubeObject, ObjectRef } from "../../../src/model/kube-object.js";
import type { StepOf } from "../../../src/plan/step.js";
import { FakeKubeClient } from "../../support/fake-kube-client.js";
import { NS, recordingContext } from "./executor-fixtures.js";

const CONFIG: ObjectRef = {
  apiVersion: "v1",
  kind: "ConfigMap",
  name: "ml-pipeline-ui-configmap",
  namespace: NS,
};

/** A ConfigMap as `kubectl apply` (client-side) leaves it: its manager owns every key, with the annotation. */
function kubectlApplied(data: Record<string, string>): KubeObject {
  const dataFields = Object.fromEntries(Object.keys(data).map((key) => [`f:${key}`, {}]));
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: CONFIG.name,
      namespace: NS,
      annotations: { [LAST_APPLIED_ANNOTATION]: JSON.stringify({ data }) },
      managedFields: [
        {
          manager: "kubectl-client-side-apply",
          operation: "Update",
          apiVersion: "v1",
          time: "2026-12-01T10:00:00Z",
          fieldsType: "FieldsV1",
          fieldsV1: {
            "f:data": { ".": {}, ...dataFields },
            "f:metadata": { "f:annotations": { ".": {}, [`f:${LAST_APPLIED_ANNOTATION}`]: {} } },
          },
        },
      ],
    },
    data,
  };
}

const step = (objects: ObjectRef[] = [CONFIG]): StepOf<"adoptObjects"> => ({
  id: "02-adoptObjects",
  kind: "adoptObjects",
  from: ["kubectl-client-side-apply"],
  installers: ["kubectl (client-side apply)"],
  objects,
});

const NEXT_RELEASE: KubeObject = {
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: CONFIG.name, namespace: NS },
  data: { "viewer-pod-template.json": "{}" },
};

describe("adoptObjects", () => {
  it("without it, a key kubectl applied survives kfp-upgrade's apply of a release that dropped it", async () => {
    const fake = new FakeKubeClient({ defaultNamespace: NS, managedFields: true }).seed([
      kubectlApplied({ "viewer-pod-template.json": "{}", "disable-network-policy": "true" }),
    ]);
    await fake.apply(NEXT_RELEASE, { force: true });
    expect(fake.peek(CONFIG)?.data).toEqual({
      "viewer-pod-template.json": "{}",
      "disable-network-policy": "true",
    });
  });

  it("moves kubectl's fields to kfp-upgrade and drops last-applied, so the next apply removes the dropped key", async () => {
    const fake = new FakeKubeClient({ defaultNamespace: NS, managedFields: true }).seed([
      kubectlApplied({ "viewer-pod-template.json": "{}", "disable-network-policy": "true" }),
    ]);
    const ctx = recordingContext(fake);
    await expect(adoptObjects(step(), ctx)).resolves.toBe("1 adopted from kubectl-client-side-apply");

    const adopted = fake.peek(CONFIG);
    expect(adopted?.metadata.annotations?.[LAST_APPLIED_ANNOTATION]).toBeUndefined();
    expect(adopted?.data).toEqual({ "viewer-pod-template.json": "{}", "disable-network-policy": "true" });
    const [patch] = fake.callsOf("patch");
    expect(patch?.options).toEqual({ type: "json" });
    expect(
      ((patch?.body ?? []) as { op: string; path: string }[]).map(({ op, path }) => `${op} ${path}`),
    ).toEqual([
      "replace /metadata/managedFields",
      "replace /metadata/resourceVersion",
      "remove /metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration",
    ]);

    await fake.apply(NEXT_RELEASE, { force: true });
    expect(fake.peek(CONFIG)?.data).toEqual({ "viewer-pod-template.json": "{}" });
  });

  it("is idempotent: an adopted object is not written again", async () => {
    const fake = new FakeKubeClient({ defaultNamespace: NS, managedFields: true }).seed([
      kubectlApplied({ a: "1" }),
    ]);
    await adoptObjects(step(), recordingContext(fake));
    const patches = fake.callsOf("patch").length;
    await expect(adoptObjects(step(), recordingContext(fake))).resolves.toBe(
      "0 adopted from kubectl-client-side-apply, 1 already kfp-upgrade's",
    );
    expect(fake.callsOf("patch")).toHaveLength(patches);
  });

  it("skips absent objects and warns about one without managedFields, writing neither", async () => {
    const fake = new FakeKubeClient({ defaultNamespace: NS }).seed([
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: CONFIG.name, namespace: NS }, data: {} },
    ]);
    const ctx = recordingContext(fake);
    const gone: ObjectRef = { ...CONFIG, name: "gone" };
    await expect(adoptObjects(step([CONFIG, gone]), ctx)).resolves.toBe(
      "0 adopted from kubectl-client-side-apply, 1 absent (skipped), 1 without managedFields (left as they are)",
    );
    expect(ctx.warned).toEqual([
      "configmap/ml-pipeline-ui-configmap -n kubeflow has no managedFields, so its fields cannot be moved to kfp-upgrade: a later apply will not remove fields a new release drops from it",
    ]);
    expect(fake.callsOf("patch")).toEqual([]);
  });

  it("re-reads and tries again when the object changed between the read and the patch (409)", async () => {
    const fake = new FakeKubeClient({ defaultNamespace: NS, managedFields: true }).seed([
      kubectlApplied({ a: "1" }),
    ]);
    let reads = 0;
    const ctx = recordingContext(fake);
    // Another writer changes the object right after our first read, so the resourceVersion we send is stale.
    ctx.client = Object.assign(Object.create(fake) as FakeKubeClient, {
      get: async (ref: ObjectRef) => {
        const object = await fake.get(ref);
        reads += 1;
        if (reads === 1)
          fake.update(CONFIG, (o) => Object.assign(o, { data: { a: "2" } }), { manager: "other" });
        return object;
      },
    });
    await expect(adoptObjects(step(), ctx)).resolves.toBe("1 adopted from kubectl-client-side-apply");
    expect(reads).toBe(2);
    expect(fake.callsOf("patch")).toHaveLength(2);
    expect(fake.peek(CONFIG)?.data).toEqual({ a: "2" });
    expect(fake.peek(CONFIG)?.metadata.annotations?.[LAST_APPLIED_ANNOTATION]).toBeUndefined();
  });
});

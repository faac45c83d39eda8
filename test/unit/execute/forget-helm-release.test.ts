import { describe, expect, it } from "vitest";
import { forgetHelmRelease, HELM_RELEASE_TYPE } from "../../../src/execute/forget-helm-release.js";
import type { KubeObject, ObjectRef } from "../../../src/model/kube-object.js";
import type { StepOf } from "../../../src/plan/step.js";
import { FakeKubeClient } from "../../support/fake-kube-client.js";
import { configMap, deployment, NS, recordingContext } from "./executor-fixtures.js";

const RECORD = "sh.helm.release.v1.kfp.v1";

function releaseSecret(
  name: string,
  type: string,
  labels: Record<string, string> = { owner: "helm", name: "kfp" },
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, namespace: NS, labels },
    type,
    data: { release: "H4sI" },
  };
}

function helmMarked(object: KubeObject, managedBy = "Helm"): KubeObject {
  return {
    ...object,
    metadata: {
      ...object.metadata,
      labels: {
        ...object.metadata.labels,
        "app.kubernetes.io/managed-by": managedBy,
        "helm.sh/chart": "kfp-2.5.0",
      },
      annotations: { "meta.helm.sh/release-name": "kfp", "meta.helm.sh/release-namespace": NS, keep: "me" },
    },
  };
}

const secretRef = (name: string): ObjectRef => ({ apiVersion: "v1", kind: "Secret", name, namespace: NS });
const uidOf = (fake: FakeKubeClient, ref: ObjectRef) => String(fake.peek(ref)?.metadata.uid);

function step(
  fake: FakeKubeClient,
  records: { kind: "Secret"; name: string; uid?: string }[],
  unmark: ObjectRef[] = [],
): StepOf<"forgetHelmRelease"> {
  return {
    id: "09-forgetHelmRelease",
    kind: "forgetHelmRelease",
    release: "kfp",
    namespace: NS,
    records: records.map((r) => ({
      kind: r.kind,
      name: r.name,
      uid: r.uid ?? uidOf(fake, secretRef(r.name)),
    })),
    unmark,
  };
}

describe("forgetHelmRelease", () => {
  it("deletes the release's records (uid precondition) and never reads Secret data", async () => {
    const fake = new FakeKubeClient({ defaultNamespace: NS }).seed([
      releaseSecret(RECORD, HELM_RELEASE_TYPE),
      releaseSecret("sh.helm.release.v1.kfp.v2", HELM_RELEASE_TYPE),
    ]);
    const forget = step(fake, [
      { kind: "Secret", name: RECORD },
      { kind: "Secret", name: "sh.helm.release.v1.kfp.v2" },
      { kind: "Secret", name: "sh.helm.release.v1.kfp.v3", uid: "gone-uid" },
    ]);
    await expect(forgetHelmRelease(forget, recordingContext(fake))).resolves.toBe(
      "2 release records of kfp deleted, 1 already gone, Helm's marks removed from 0 objects",
    );
    expect(fake.peek(secretRef(RECORD))).toBeNull();
    expect(fake.callsOf("delete").map((call) => call.options)).toEqual([
      { uid: forget.records[0]?.uid },
      { uid: forget.records[1]?.uid },
    ]);
    expect(fake.callsOf("get")).toEqual([]);
    expect(fake.callsOf("list")).toEqual([]);
  });

  it.each([
    {
      name: "a Secret of another type under a record's name (PROTECTED_KINDS: only Helm records are ever deleted)",
      object: releaseSecret(RECORD, "Opaque"),
      why: "it is not of type helm.sh/release.v1",
    },
    {
      name: "a record not labelled owner=helm",
      object: releaseSecret(RECORD, HELM_RELEASE_TYPE, { name: "kfp" }),
      why: "it is not labelled owner=helm",
    },
    {
      name: "a Secret named like another release's record",
      object: releaseSecret("sh.helm.release.v1.other.v1", HELM_RELEASE_TYPE),
      why: "its name is not a record of the release",
    },
  ])("refuses to delete $name", async ({ object, why }) => {
    const fake = new FakeKubeClient({ defaultNamespace: NS }).seed([object]);
    const ctx = recordingContext(fake);
    await expect(
      forgetHelmRelease(step(fake, [{ kind: "Secret", name: object.metadata.name }]), ctx),
    ).resolves.toContain("0 release records of kfp deleted, 1 kept");
    expect(fake.peek(secretRef(object.metadata.name))).not.toBeNull();
    expect(fake.callsOf("delete")).toEqual([]);
    expect(ctx.warned).toEqual([
      `kept secret/${object.metadata.name} -n kubeflow: ${why}; Helm may still list release kfp`,
    ]);
  });

  it("keeps a record that was replaced since the plan (another uid)", async () => {
    const fake = new FakeKubeClient({ defaultNamespace: NS }).seed([
      releaseSecret(RECORD, HELM_RELEASE_TYPE),
    ]);
    const ctx = recordingContext(fake);
    await forgetHelmRelease(step(fake, [{ kind: "Secret", name: RECORD, uid: "the-old-uid" }]), ctx);
    expect(fake.peek(secretRef(RECORD))).not.toBeNull();
    expect(ctx.warned[0]).toMatch(/its uid is .*, not the-old-uid as the plan saw/);
  });

  it("removes Helm's ownership marks with a metadata-only merge patch, and only Helm's", async () => {
    const fake = new FakeKubeClient({ defaultNamespace: NS }).seed([
      helmMarked(deployment("ml-pipeline", "api:2.5.0")),
      helmMarked(configMap("kfp-launcher", { a: "b" }), "kustomize"),
      configMap("user-config", { c: "d" }),
    ]);
    const refs: ObjectRef[] = [
      { apiVersion: "apps/v1", kind: "Deployment", name: "ml-pipeline", namespace: NS },
      { apiVersion: "v1", kind: "ConfigMap", name: "kfp-launcher", namespace: NS },
      { apiVersion: "v1", kind: "ConfigMap", name: "user-config", namespace: NS },
      { apiVersion: "v1", kind: "ConfigMap", name: "gone", namespace: NS },
    ];
    const specBefore = fake.peek(refs[0] as ObjectRef)?.spec;
    const forget = step(fake, [], refs);
    await expect(forgetHelmRelease(forget, recordingContext(fake))).resolves.toBe(
      "0 release records of kfp deleted, Helm's marks removed from 2 objects",
    );
    expect(fake.callsOf("patch").map((call) => [call.ref?.name, call.options, call.body])).toEqual([
      [
        "ml-pipeline",
        { type: "merge" },
        {
          metadata: {
            annotations: { "meta.helm.sh/release-name": null, "meta.helm.sh/release-namespace": null },
            labels: { "app.kubernetes.io/managed-by": null, "helm.sh/chart": null },
          },
        },
      ],
      [
        "kfp-launcher",
        { type: "merge" },
        {
          metadata: {
            annotations: { "meta.helm.sh/release-name": null, "meta.helm.sh/release-namespace": null },
            labels: { "helm.sh/chart": null },
          },
        },
      ],
    ]);
    const deploymentNow = fake.peek(refs[0] as ObjectRef);
    expect(deploymentNow?.spec).toEqual(specBefore);
    expect(deploymentNow?.metadata.annotations).toEqual({ keep: "me" });
    expect(fake.peek(refs[1] as ObjectRef)?.metadata.labels?.["app.kubernetes.io/managed-by"]).toBe(
      "kustomize",
    );

    await forgetHelmRelease(forget, recordingContext(fake));
    expect(fake.callsOf("patch")).toHaveLength(2);
  });
});

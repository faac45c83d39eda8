import { describe, expect, it } from "vitest";
import type { ExecutionContext } from "../../../src/execute/execution-context.js";
import { STEP_HANDLERS } from "../../../src/execute/step-handlers.js";
import type { ServedKind } from "../../../src/kube/kube-client.js";
import type { KubeObject, ObjectRef } from "../../../src/model/kube-object.js";
import type { StepOf } from "../../../src/plan/step.js";
import { FakeKubeClient } from "../../support/fake-kube-client.js";
import {
  claimTemplate,
  deployment,
  hostPathVolume,
  NS,
  rollOut,
  specOf,
  VIEWER_CRD,
} from "./executor-fixtures.js";

const NAMESPACE: KubeObject = {
  apiVersion: "v1",
  kind: "Namespace",
  metadata: { name: NS },
  status: { phase: "Active" },
};
const pv = (name: string): ObjectRef => ({ apiVersion: "v1", kind: "PersistentVolume", name });
const pvc = (name: string): ObjectRef => ({
  apiVersion: "v1",
  kind: "PersistentVolumeClaim",
  name,
  namespace: NS,
});

function context(
  client: FakeKubeClient,
): ExecutionContext & { progress: (m: string) => void; messages: string[] } {
  const messages: string[] = [];
  return {
    client,
    timeoutSeconds: 5,
    signal: new AbortController().signal,
    progress: (message) => messages.push(message),
    warn: (message) => messages.push(`warning: ${message}`),
    bindings: new Map(),
    saveVolume: async () => {},
    steps: [],
    messages,
  };
}

function run<K extends keyof typeof STEP_HANDLERS>(
  kind: K,
  step: Omit<StepOf<K>, "id" | "kind">,
  ctx: ExecutionContext,
) {
  const handler = STEP_HANDLERS[kind] as (step: StepOf<K>, ctx: ExecutionContext) => Promise<string>;
  return handler({ id: `01-${kind}`, kind, ...step } as StepOf<K>, ctx);
}

const reclaimPolicy = (fake: FakeKubeClient, name: string) =>
  specOf<{ persistentVolumeReclaimPolicy: string }>(fake, pv(name)).persistentVolumeReclaimPolicy;

describe("step handlers", () => {
  it("deleteDataClaims deletes the claims and never their Retain PVs", async () => {
    const fake = new FakeKubeClient({ defaultNamespace: NS }).seed([
      NAMESPACE,
      hostPathVolume("pvc-1", "Retain"),
      hostPathVolume("pvc-2", "Retain"),
      claimTemplate("mysql-pv-claim"),
      claimTemplate("minio-pvc"),
    ]);
    fake.bind({ namespace: NS, name: "mysql-pv-claim" }, "pvc-1");
    fake.bind({ namespace: NS, name: "minio-pvc" }, "pvc-2");
    const claims = [
      { role: "mysql" as const, claim: "mysql-pv-claim", volumeName: "pvc-1", volumeUid: null },
      { role: "objectStore" as const, claim: "minio-pvc", volumeName: "pvc-2", volumeUid: null },
    ];
    await expect(run("deleteDataClaims", { namespace: NS, claims }, context(fake))).resolves.toBe(
      "deleted mysql-pv-claim, minio-pvc; kept persistentvolume/pvc-1, persistentvolume/pvc-2 (Retain) with the data",
    );
    expect(await fake.get(pvc("mysql-pv-claim"))).toBeNull();
    expect(await fake.get(pvc("minio-pvc"))).toBeNull();
    expect([reclaimPolicy(fake, "pvc-1"), reclaimPolicy(fake, "pvc-2")]).toEqual(["Retain", "Retain"]);
    // Run again (a resumed run): nothing is left to delete.
    await expect(run("deleteDataClaims", { namespace: NS, claims }, context(fake))).resolves.toBe(
      "no data claim was left",
    );
  });

  it("deleteDataClaims deletes no claim when one's PV is not Retain (it would take the data with it)", async () => {
    const fake = new FakeKubeClient({ defaultNamespace: NS }).seed([
      NAMESPACE,
      hostPathVolume("pvc-1", "Retain"),
      hostPathVolume("pvc-2", "Delete"),
      claimTemplate("mysql-pv-claim"),
      claimTemplate("minio-pvc"),
    ]);
    fake.bind({ namespace: NS, name: "mysql-pv-claim" }, "pvc-1");
    fake.bind({ namespace: NS, name: "minio-pvc" }, "pvc-2");
    const claims = [
      { role: "mysql" as const, claim: "mysql-pv-claim", volumeName: "pvc-1", volumeUid: null },
      { role: "objectStore" as const, claim: "minio-pvc", volumeName: "pvc-2", volumeUid: null },
    ];
    await expect(run("deleteDataClaims", { namespace: NS, claims }, context(fake))).rejects.toMatchObject({
      code: "DATA_VOLUME_NOT_RETAINED",
      message: expect.stringContaining("persistentvolume/pvc-2 with reclaim policy Delete"),
    });
    expect(await fake.get(pvc("mysql-pv-claim"))).not.toBeNull();
    expect(await fake.get(pvc("minio-pvc"))).not.toBeNull();
  });

  it("setReclaimPolicy switches a PV to Retain", async () => {
    const fake = new FakeKubeClient().seed([hostPathVolume("pvc-1", "Delete")]);
    await expect(
      run("setReclaimPolicy", { volume: "pvc-1", from: "Delete", to: "Retain" }, context(fake)),
    ).resolves.toBe("persistentvolume/pvc-1 reclaim policy Retain");
    expect(reclaimPolicy(fake, "pvc-1")).toBe("Retain");
  });

  it("retainClaimVolumes waits for the claims to bind, then switches only the PVs that are not Retain yet", async () => {
    const fake = new FakeKubeClient({ defaultNamespace: NS }).seed([
      NAMESPACE,
      hostPathVolume("pvc-1", "Delete"),
      hostPathVolume("pvc-2", "Retain"),
      claimTemplate("mysql-pv-claim"),
      claimTemplate("minio-pvc"),
    ]);
    const ctx = context(fake);
    const result = run("retainClaimVolumes", { namespace: NS, claims: ["mysql-pv-claim", "minio-pvc"] }, ctx);
    // The provisioner binds after the step started waiting.
    fake.bind({ namespace: NS, name: "mysql-pv-claim" }, "pvc-1");
    fake.bind({ namespace: NS, name: "minio-pvc" }, "pvc-2");
    await expect(result).resolves.toBe("switched to Retain: pvc-1");
    expect([reclaimPolicy(fake, "pvc-1"), reclaimPolicy(fake, "pvc-2")]).toEqual(["Retain", "Retain"]);
  });

  it("releaseClaimRef clears the stale claimRef of a Released PV", async () => {
    const fake = new FakeKubeClient({ defaultNamespace: NS }).seed([
      {
        ...hostPathVolume("kfp-mysql"),
        spec: {
          ...(hostPathVolume("kfp-mysql").spec as object),
          claimRef: { namespace: NS, name: "mysql-pv-claim", uid: "old" },
        },
        status: { phase: "Released" },
      },
    ]);
    await expect(
      run(
        "releaseClaimRef",
        { volume: "kfp-mysql", staleClaim: { namespace: NS, name: "mysql-pv-claim", uid: "old" } },
        context(fake),
      ),
    ).resolves.toBe("claimRef kubeflow/mysql-pv-claim cleared");
    expect(specOf<{ claimRef?: unknown }>(fake, pv("kfp-mysql")).claimRef).toBeUndefined();
  });

  it("releaseClaimRef reserves a Released PV for the claim that will bind it, in place of the stale claimRef", async () => {
    const fake = new FakeKubeClient({ defaultNamespace: NS }).seed([
      {
        ...hostPathVolume("kfp-mysql"),
        spec: {
          ...(hostPathVolume("kfp-mysql").spec as object),
          claimRef: {
            apiVersion: "v1",
            kind: "PersistentVolumeClaim",
            namespace: NS,
            name: "mysql-pv-claim",
            uid: "old",
            resourceVersion: "41",
          },
        },
        status: { phase: "Released" },
      },
    ]);
    await expect(
      run(
        "releaseClaimRef",
        {
          volume: "kfp-mysql",
          staleClaim: { namespace: NS, name: "mysql-pv-claim", uid: "old" },
          claim: { namespace: NS, name: "mysql-pv-claim" },
        },
        context(fake),
      ),
    ).resolves.toBe("claimRef kubeflow/mysql-pv-claim replaced by a reservation for kubeflow/mysql-pv-claim");
    expect(specOf<{ claimRef?: unknown }>(fake, pv("kfp-mysql")).claimRef).toEqual({
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      namespace: NS,
      name: "mysql-pv-claim",
    });
  });

  it("releaseClaimRef refuses a PV another claim bound in the meantime", async () => {
    const fake = new FakeKubeClient({ defaultNamespace: NS }).seed([
      NAMESPACE,
      hostPathVolume("kfp-mysql"),
      { ...claimTemplate("someone-else") },
    ]);
    fake.bind({ namespace: NS, name: "someone-else" }, "kfp-mysql");
    await expect(
      run(
        "releaseClaimRef",
        { volume: "kfp-mysql", staleClaim: { namespace: NS, name: "mysql-pv-claim", uid: "old" } },
        context(fake),
      ),
    ).rejects.toMatchObject({
      code: "PV_BOUND_ELSEWHERE",
      message: "persistentvolume/kfp-mysql was bound to kubeflow/someone-else while the run was going on",
    });
  });

  it("ensureClaim refuses a claim that exists bound to another PV, and leaves it", async () => {
    const fake = new FakeKubeClient({ defaultNamespace: NS }).seed([
      NAMESPACE,
      hostPathVolume("other"),
      claimTemplate("mysql-pv-claim"),
    ]);
    fake.bind({ namespace: NS, name: "mysql-pv-claim" }, "other");
    const claim = {
      ...claimTemplate("mysql-pv-claim"),
      spec: { storageClassName: "", volumeName: "kfp-mysql" },
    };
    await expect(
      run("ensureClaim", { role: "mysql", claim, exists: false }, context(fake)),
    ).rejects.toMatchObject({
      code: "CLAIM_BOUND_ELSEWHERE",
      message:
        "persistentvolumeclaim/mysql-pv-claim -n kubeflow exists and is bound to PV other, not kfp-mysql",
    });
    expect(specOf<{ volumeName: string }>(fake, pvc("mysql-pv-claim")).volumeName).toBe("other");
  });

  it("ensureVolume creates a missing PV and keeps an existing one", async () => {
    const fake = new FakeKubeClient().seed([hostPathVolume("kfp-mysql")]);
    const ctx = context(fake);
    await expect(
      run("ensureVolume", { role: "mysql", volume: hostPathVolume("kfp-mysql"), exists: false }, ctx),
    ).resolves.toBe("exists");
    await expect(
      run("ensureVolume", { role: "objectStore", volume: hostPathVolume("kfp-minio"), exists: false }, ctx),
    ).resolves.toBe("created");
    expect(fake.peek(pv("kfp-minio"))).not.toBeNull();
  });

  it("recreateDeployment replaces a Deployment whose immutable selector changed", async () => {
    const old = deployment("ml-pipeline", "gcr.io/ml-pipeline/api-server:0.1.40");
    (old.spec as { selector: unknown }).selector = { matchLabels: { app: "ml-pipeline" } };
    const fake = new FakeKubeClient({ defaultNamespace: NS }).seed([NAMESPACE, old]).react(rollOut());
    const replacement = deployment("ml-pipeline", "gcr.io/ml-pipeline/api-server:1.0.4");
    // A plain apply is what the API server refuses (kubeflow/pipelines#2892).
    await expect(fake.apply(replacement, { force: true })).rejects.toMatchObject({ statusCode: 422 });
    await expect(
      run(
        "recreateDeployment",
        { namespace: NS, name: "ml-pipeline", reason: "selector changes", object: replacement },
        context(fake),
      ),
    ).resolves.toBe("deleted (no pod of the old selector left) and created again");
    const now = specOf<{ selector: unknown }>(fake, {
      apiVersion: "apps/v1",
      kind: "Deployment",
      name: "ml-pipeline",
      namespace: NS,
    });
    expect(now.selector).toEqual((replacement.spec as { selector: unknown }).selector);
  });

  it("setImages patches only the named containers' images", async () => {
    const fake = new FakeKubeClient({ defaultNamespace: NS }).seed([
      NAMESPACE,
      deployment("ml-pipeline-ui", "gcr.io/ml-pipeline/frontend:0.1.10"),
    ]);
    await expect(
      run(
        "setImages",
        {
          namespace: NS,
          deployment: "ml-pipeline-ui",
          containers: [
            {
              name: "ml-pipeline-ui",
              from: "gcr.io/ml-pipeline/frontend:0.1.10",
              to: "gcr.io/ml-pipeline/frontend:0.1.12",
            },
          ],
        },
        context(fake),
      ),
    ).resolves.toBe("ml-pipeline-ui=gcr.io/ml-pipeline/frontend:0.1.12");
    const updated = specOf<{ template: { spec: { containers: unknown } } }>(fake, {
      apiVersion: "apps/v1",
      kind: "Deployment",
      name: "ml-pipeline-ui",
      namespace: NS,
    });
    expect(updated.template.spec.containers).toEqual([
      { name: "ml-pipeline-ui", image: "gcr.io/ml-pipeline/frontend:0.1.12" },
    ]);
  });

  it("stripOwnerReferences removes only the named owners", async () => {
    const owners = [
      { apiVersion: "app.k8s.io/v1beta1", kind: "Application", name: "pipeline", uid: "app-uid" },
      { apiVersion: "v1", kind: "ConfigMap", name: "keeper", uid: "keeper-uid" },
    ];
    const claim = {
      ...claimTemplate("minio-pvc"),
      metadata: { ...claimTemplate("minio-pvc").metadata, ownerReferences: owners },
    };
    const fake = new FakeKubeClient({ defaultNamespace: NS }).seed([NAMESPACE, claim]);
    await expect(
      run(
        "stripOwnerReferences",
        {
          target: { apiVersion: "v1", kind: "PersistentVolumeClaim", name: "minio-pvc", namespace: NS },
          remove: [owners[0] as (typeof owners)[number]],
          reason: "application/pipeline will be deleted",
        },
        context(fake),
      ),
    ).resolves.toBe("removed 1 owner references");
    expect(fake.peek(pvc("minio-pvc"))?.metadata.ownerReferences).toEqual([owners[1]]);
  });

  it("ensureNamespace refuses a namespace that began terminating during the run", async () => {
    const fake = new FakeKubeClient().seed([{ ...NAMESPACE, status: { phase: "Terminating" } }]);
    await expect(run("ensureNamespace", { name: NS, exists: true }, context(fake))).rejects.toMatchObject({
      code: "NAMESPACE_TERMINATING",
      exitCode: 5,
    });
  });

  const pod = (name: string, labels: Record<string, string>, image = "mysql:8.4"): KubeObject => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: NS, labels },
    spec: { containers: [{ name: "mysql", image }] },
  });
  const podRef = (name: string): ObjectRef => ({ apiVersion: "v1", kind: "Pod", name, namespace: NS });
  const MYSQL_LABELS = { app: "mysql", "application-crd-id": "kubeflow-pipelines" };

  it("scaleDeployments sets the replicas of the Deployments that exist", async () => {
    const fake = new FakeKubeClient({ defaultNamespace: NS }).seed([
      NAMESPACE,
      deployment("ml-pipeline", "ghcr.io/kubeflow/kfp-api-server:2.5.0"),
    ]);
    await expect(
      run(
        "scaleDeployments",
        {
          namespace: NS,
          deployments: [
            { name: "ml-pipeline", from: 1, to: 0 },
            { name: "gone", from: 1, to: 0 },
          ],
          reason: "test",
        },
        context(fake),
      ),
    ).resolves.toBe("scaled ml-pipeline=0");
    expect(
      specOf<{ replicas: number }>(fake, {
        apiVersion: "apps/v1",
        kind: "Deployment",
        name: "ml-pipeline",
        namespace: NS,
      }).replicas,
    ).toBe(0);
  });

  it("waitEstablished waits for each CRD's kinds to be served too, and fails naming those discovery never serves", async () => {
    const viewerSpec = VIEWER_CRD.spec as { versions: unknown[] };
    const crd: KubeObject = {
      ...VIEWER_CRD,
      // A version the CRD no longer serves is not waited for.
      spec: {
        ...viewerSpec,
        versions: [...viewerSpec.versions, { name: "v1alpha1", served: false, storage: false }],
      },
      status: { conditions: [{ type: "Established", status: "True" }] },
    };
    const fake = new FakeKubeClient({ defaultNamespace: NS }).seed([crd]);
    await expect(run("waitEstablished", { crds: ["viewers.kubeflow.org"] }, context(fake))).resolves.toBe(
      "1 CRDs established and served",
    );
    expect(fake.callsOf("waitServed").map((call) => call.body)).toEqual([
      [{ apiVersion: "kubeflow.org/v1beta1", kind: "Viewer" }],
    ]);

    class LaggingDiscovery extends FakeKubeClient {
      override async waitServed(kinds: readonly ServedKind[]): Promise<ServedKind[]> {
        return [...kinds];
      }
    }
    const lagging = new LaggingDiscovery({ defaultNamespace: NS }).seed([crd]);
    await expect(
      run("waitEstablished", { crds: ["viewers.kubeflow.org"] }, context(lagging)),
    ).rejects.toMatchObject({
      code: "WAIT_TIMEOUT",
      message:
        "discovery still does not serve Viewer in kubeflow.org/v1beta1 5s after its CRD was established",
    });
  });

  it("waitPodsGone waits until no pod of the selector is left, and times out naming them", async () => {
    const fake = new FakeKubeClient({ defaultNamespace: NS }).seed([
      NAMESPACE,
      pod("mysql-old", MYSQL_LABELS),
      pod("other", { app: "other" }),
    ]);
    const ctx = { ...context(fake), timeoutSeconds: 1 };
    const step = { namespace: NS, workloads: [{ name: "mysql", selector: MYSQL_LABELS }], reason: "test" };
    await expect(run("waitPodsGone", step, ctx)).rejects.toMatchObject({
      code: "WAIT_TIMEOUT",
      message:
        "pods of deployment/mysql: timed out after 1s (Waiting for 1 pods to be gone (0 terminating): mysql-old)",
    });
    setTimeout(() => void fake.delete(podRef("mysql-old")), 100);
    await expect(run("waitPodsGone", step, { ...ctx, timeoutSeconds: 5 })).resolves.toBe(
      "no pod of mysql is left",
    );
  });

  it("verifyMysqlSeries fails when the running mysql pod is of another series", async () => {
    const fake = new FakeKubeClient({ defaultNamespace: NS }).seed([
      NAMESPACE,
      pod("mysql-old", MYSQL_LABELS, "gcr.io/ml-pipeline/mysql:8.0.26"),
    ]);
    const step = { namespace: NS, deployment: "mysql", selector: MYSQL_LABELS, series: "8.4" as const };
    await expect(run("verifyMysqlSeries", step, context(fake))).rejects.toMatchObject({
      code: "WAIT_FAILED",
      message:
        "deployment/mysql: pod mysql-old runs gcr.io/ml-pipeline/mysql:8.0.26 (MySQL 8.0), not MySQL 8.4",
    });
    await fake.delete(podRef("mysql-old"));
    fake.seed([pod("mysql-new", MYSQL_LABELS)]);
    await expect(run("verifyMysqlSeries", step, context(fake))).resolves.toBe(
      "pod mysql-new runs mysql:8.4 (MySQL 8.4)",
    );
  });

  it("recreateDeployment creates the new Deployment only once no pod of the old selector is left", async () => {
    const old = deployment("minio", "minio/minio:old");
    (old.spec as { selector: unknown }).selector = { matchLabels: { app: "minio" } };
    const fake = new FakeKubeClient({ defaultNamespace: NS })
      .seed([NAMESPACE, old, pod("minio-old", { app: "minio" }, "minio/minio:old")])
      .react(rollOut());
    // The old pod outlives its Deployment for a while, as a terminating pod does.
    setTimeout(() => void fake.delete(podRef("minio-old")), 300);
    const replacement = deployment("minio", "minio/minio:new");
    await expect(
      run(
        "recreateDeployment",
        { namespace: NS, name: "minio", reason: "selector changes", object: replacement },
        context(fake),
      ),
    ).resolves.toBe("deleted (no pod of the old selector left) and created again");
    const calls = fake.calls.map((c) => `${c.method} ${c.ref?.kind ?? ""}/${c.ref?.name ?? ""}`);
    const deletedPod = calls.indexOf("delete Pod/minio-old");
    const created = calls.lastIndexOf("apply Deployment/minio");
    expect(calls).toContain("delete Deployment/minio");
    expect(deletedPod).toBeGreaterThan(-1);
    expect(created).toBeGreaterThan(deletedPod);
    const deleteCall = fake.calls.find((c) => c.method === "delete" && c.ref?.kind === "Deployment");
    expect(deleteCall?.options).toMatchObject({ propagationPolicy: "Foreground" });
  });

  it("recreateDeployment run again (a resume) applies the already recreated Deployment", async () => {
    const current = deployment("minio", "minio/minio:new");
    const fake = new FakeKubeClient({ defaultNamespace: NS }).seed([NAMESPACE, current]);
    await expect(
      run(
        "recreateDeployment",
        {
          namespace: NS,
          name: "minio",
          reason: "selector changes",
          object: deployment("minio", "minio/minio:new"),
        },
        context(fake),
      ),
    ).resolves.toBe("already recreated with the new selector; applied");
    expect(fake.calls.some((c) => c.method === "delete")).toBe(false);
  });
});

describe("step preconditions: what the plan saw", () => {
  const released = (uid: string): KubeObject => ({
    ...hostPathVolume("kfp-mysql"),
    spec: {
      ...(hostPathVolume("kfp-mysql").spec as object),
      claimRef: { namespace: NS, name: "mysql-pv-claim", uid },
    },
    status: { phase: "Released" },
  });
  const uidOf = (fake: FakeKubeClient, ref: ObjectRef) => fake.peek(ref)?.metadata.uid as string;

  it("setReclaimPolicy refuses a PV of the same name with another UID, and changes nothing", async () => {
    const fake = new FakeKubeClient().seed([hostPathVolume("pvc-1", "Delete")]);
    await expect(
      run(
        "setReclaimPolicy",
        { volume: "pvc-1", volumeUid: "seen-uid", from: "Delete", to: "Retain" },
        context(fake),
      ),
    ).rejects.toMatchObject({
      code: "UID_CHANGED",
      exitCode: 5,
      message: `persistentvolume/pvc-1 has uid ${uidOf(fake, pv("pvc-1"))}, but the plan saw uid seen-uid: it was replaced since the plan was made`,
    });
    expect(reclaimPolicy(fake, "pvc-1")).toBe("Delete");
  });

  it("setReclaimPolicy switches the PV the plan saw", async () => {
    const fake = new FakeKubeClient().seed([hostPathVolume("pvc-1", "Delete")]);
    const uid = uidOf(fake, pv("pvc-1"));
    await run(
      "setReclaimPolicy",
      { volume: "pvc-1", volumeUid: uid, from: "Delete", to: "Retain" },
      context(fake),
    );
    expect(reclaimPolicy(fake, "pvc-1")).toBe("Retain");
  });

  it("releaseClaimRef refuses a stale claimRef other than the one the plan saw", async () => {
    const fake = new FakeKubeClient({ defaultNamespace: NS }).seed([released("newer-claim-uid")]);
    await expect(
      run(
        "releaseClaimRef",
        {
          volume: "kfp-mysql",
          staleClaim: { namespace: NS, name: "mysql-pv-claim", uid: "old" },
          claim: { namespace: NS, name: "mysql-pv-claim" },
        },
        context(fake),
      ),
    ).rejects.toMatchObject({
      code: "CLAIMREF_CHANGED",
      message:
        "persistentvolume/kfp-mysql now names claim kubeflow/mysql-pv-claim (uid newer-claim-uid), but the plan saw the stale claimRef kubeflow/mysql-pv-claim (uid old)",
    });
    expect(specOf<{ claimRef: { uid: string } }>(fake, pv("kfp-mysql")).claimRef.uid).toBe("newer-claim-uid");
  });

  it("releaseClaimRef refuses a PV replaced since the plan", async () => {
    const fake = new FakeKubeClient({ defaultNamespace: NS }).seed([released("old")]);
    await expect(
      run(
        "releaseClaimRef",
        {
          volume: "kfp-mysql",
          volumeUid: "seen",
          staleClaim: { namespace: NS, name: "mysql-pv-claim", uid: "old" },
        },
        context(fake),
      ),
    ).rejects.toMatchObject({ code: "UID_CHANGED" });
  });

  it("ensureVolume with exists refuses a PV of that name with another UID", async () => {
    const fake = new FakeKubeClient().seed([hostPathVolume("kfp-mysql")]);
    await expect(
      run(
        "ensureVolume",
        { role: "mysql", volume: hostPathVolume("kfp-mysql"), exists: true, volumeUid: "seen" },
        context(fake),
      ),
    ).rejects.toMatchObject({ code: "UID_CHANGED" });
  });

  it("ensureVolume refuses a PV of that name over other storage", async () => {
    const fake = new FakeKubeClient().seed([hostPathVolume("kfp-mysql")]);
    const wanted = {
      ...hostPathVolume("kfp-mysql"),
      spec: { ...(hostPathVolume("kfp-mysql").spec as object), hostPath: { path: "/data/other" } },
    };
    await expect(
      run("ensureVolume", { role: "mysql", volume: wanted, exists: false }, context(fake)),
    ).rejects.toMatchObject({
      code: "PV_DIFFERS",
      message:
        "persistentvolume/kfp-mysql exists over hostPath /data/kfp-mysql, but the plan creates it over hostPath /data/other: another volume of the same name",
    });
  });

  it("ensureClaim refuses a claim that is being deleted", async () => {
    const fake = new FakeKubeClient({ defaultNamespace: NS }).seed([
      NAMESPACE,
      {
        ...claimTemplate("mysql-pv-claim"),
        metadata: {
          ...claimTemplate("mysql-pv-claim").metadata,
          deletionTimestamp: "2026-01-01T00:00:00Z",
          finalizers: ["kubernetes.io/pvc-protection"],
        },
      },
    ]);
    await expect(
      run(
        "ensureClaim",
        { role: "mysql", claim: claimTemplate("mysql-pv-claim"), exists: false },
        context(fake),
      ),
    ).rejects.toMatchObject({ code: "CLAIM_TERMINATING" });
  });

  it("ensureClaim with exists refuses a claim of that name with another UID", async () => {
    const fake = new FakeKubeClient({ defaultNamespace: NS }).seed([
      NAMESPACE,
      claimTemplate("mysql-pv-claim"),
    ]);
    await expect(
      run(
        "ensureClaim",
        { role: "mysql", claim: claimTemplate("mysql-pv-claim"), exists: true, claimUid: "seen" },
        context(fake),
      ),
    ).rejects.toMatchObject({ code: "UID_CHANGED" });
  });

  it("recordDataWriter annotates each data claim's PV with what wrote its data", async () => {
    const fake = new FakeKubeClient({ defaultNamespace: NS }).seed([
      NAMESPACE,
      hostPathVolume("kfp-mysql"),
      claimTemplate("mysql-pv-claim"),
    ]);
    fake.bind({ namespace: NS, name: "mysql-pv-claim" }, "kfp-mysql");
    const writer = { kfpVersion: "2.14.4", mysqlSeries: "8.4", objectStore: "minio" as const };
    await expect(
      run(
        "recordDataWriter",
        { namespace: NS, claims: [{ role: "mysql", claim: "mysql-pv-claim" }], writer },
        context(fake),
      ),
    ).resolves.toBe("kfp-mysql: data written by KFP 2.14.4");
    expect(fake.peek(pv("kfp-mysql"))?.metadata.annotations).toEqual({
      "kfp-upgrade.kubeflow.org/data-written-by":
        '{"kfpVersion":"2.14.4","mysqlSeries":"8.4","objectStore":"minio"}',
    });
  });
});

/** A client whose first create reaches the server but whose answer is lost: the retry then gets 409. */
function losingFirstAnswer(fake: FakeKubeClient): FakeKubeClient {
  const create = fake.create.bind(fake);
  let lost = false;
  fake.create = async (object, options) => {
    if (!lost) {
      lost = true;
      await create(object, options);
    }
    return create(object, options);
  };
  return fake;
}

describe("a create retried after a lost answer gets 409: re-read and compared", () => {
  const cases = [
    {
      name: "the same PV: success",
      step: "ensureVolume" as const,
      seed: [] as KubeObject[],
      input: { role: "mysql" as const, volume: hostPathVolume("kfp-mysql"), exists: false },
      outcome: { resolves: "exists (created by an earlier attempt)" },
    },
    {
      name: "the same claim: success",
      step: "ensureClaim" as const,
      seed: [NAMESPACE],
      input: { role: "mysql" as const, claim: claimTemplate("mysql-pv-claim"), exists: false },
      outcome: { resolves: "exists (created by an earlier attempt)" },
    },
    {
      name: "the namespace: success",
      step: "ensureNamespace" as const,
      seed: [] as KubeObject[],
      input: { name: NS, exists: false },
      outcome: { resolves: "exists (created by an earlier attempt)" },
    },
  ];
  it.each(cases)("$name", async ({ step, seed, input }) => {
    const fake = losingFirstAnswer(new FakeKubeClient({ defaultNamespace: NS }).seed(seed));
    await expect(run(step, input as never, context(fake))).resolves.toBe(
      "exists (created by an earlier attempt)",
    );
  });

  it("another claim of that name got there first: an error, nothing overwritten", async () => {
    const fake = new FakeKubeClient({ defaultNamespace: NS }).seed([NAMESPACE]);
    const other = {
      ...claimTemplate("mysql-pv-claim"),
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
    };
    const create = fake.create.bind(fake);
    // Between our get and our create, someone else creates the claim.
    fake.create = async (object, options) => {
      await create(other);
      return create(object, options);
    };
    await expect(
      run(
        "ensureClaim",
        { role: "mysql", claim: claimTemplate("mysql-pv-claim"), exists: false },
        context(fake),
      ),
    ).rejects.toMatchObject({
      code: "CLAIM_DIFFERS",
      message:
        "persistentvolumeclaim/mysql-pv-claim -n kubeflow exists but is not the claim the plan creates: storage request 1Gi (planned 20Gi)",
    });
  });
});

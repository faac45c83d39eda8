import { describe, expect, it } from "vitest";
import { DryRunRefused } from "../../src/errors.js";
import { adoptObjects, LAST_APPLIED_ANNOTATION } from "../../src/execute/adopt-object.js";
import type { ExecutionContext } from "../../src/execute/execution-context.js";
import { forgetHelmRelease, HELM_RELEASE_TYPE } from "../../src/execute/forget-helm-release.js";
import { serverDryRun } from "../../src/execute/server-dry-run.js";
import { createKubeClient } from "../../src/kube/create-kube-client.js";
import type { KubeClient } from "../../src/kube/kube-client.js";
import type { KubeObject, ObjectRef } from "../../src/model/kube-object.js";
import type { Step } from "../../src/plan/step.js";
import { createTestNamespace, e2eCluster, kubectl, kubectlJson } from "../support/e2e-cluster.js";

// What the fake cannot prove: that the real API server keeps the managedFields adoptObjects sends in the same
// request that removes last-applied-configuration, and that server-side apply then really removes a probe handler
// `kubectl apply` (client-side) set. This is the failure of the issue (KFP 2.14.4 moved probes from exec to httpGet).

function probed(namespace: string, probe: Record<string, unknown>): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "ml-pipeline", namespace },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: "ml-pipeline" } },
      template: {
        metadata: { labels: { app: "ml-pipeline" } },
        spec: {
          containers: [
            {
              name: "ml-pipeline-api-server",
              image: "ghcr.io/kubeflow/kfp-api-server:2.5.0",
              livenessProbe: { ...probe, initialDelaySeconds: 3, periodSeconds: 5 },
            },
          ],
        },
      },
    },
  };
}

const EXEC = {
  exec: { command: ["wget", "-q", "-S", "-O", "-", "http://localhost:8888/apis/v1beta1/healthz"] },
};
const HTTP_GET = { httpGet: { path: "/apis/v1beta1/healthz", port: 8888 } };

function context(client: KubeClient, steps: Step[] = []): ExecutionContext & { warned: string[] } {
  const warned: string[] = [];
  return {
    client,
    timeoutSeconds: 30,
    signal: new AbortController().signal,
    progress: () => {},
    warn: (message) => warned.push(message),
    bindings: new Map(),
    saveVolume: async () => {},
    steps,
    warned,
  };
}

interface Entry {
  manager: string;
  operation: string;
  subresource?: string;
}

describe("adopting an object `kubectl apply` (client-side) made", () => {
  it("moves its fields to kfp-upgrade, so a server-side apply can replace an exec probe by httpGet", async () => {
    const namespace = await createTestNamespace("adopt");
    const client = await createKubeClient({ kubeconfig: e2eCluster().kubeconfigPath, env: {} });
    const ref: ObjectRef = { apiVersion: "apps/v1", kind: "Deployment", name: "ml-pipeline", namespace };
    await kubectl(["apply", "-f", "-"], { input: JSON.stringify(probed(namespace, EXEC)) });
    const installed = await kubectlJson<KubeObject>([
      "get",
      "deployment",
      "ml-pipeline",
      "-n",
      namespace,
      "--show-managed-fields",
    ]);
    expect((installed.metadata.managedFields as Entry[]).map((e) => e.manager)).toContain(
      "kubectl-client-side-apply",
    );

    // The failure, and the dry run that now catches it before anything changes.
    const next = probed(namespace, HTTP_GET);
    const apply: Step = {
      id: "02-applyObjects",
      kind: "applyObjects",
      group: "workloads",
      force: true,
      objects: [{ action: "update", object: next }],
    };
    const refused = await serverDryRun(
      { id: "01-serverDryRun", kind: "serverDryRun", steps: [apply.id] },
      context(client, [apply]),
    ).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DryRunRefused);
    expect((refused as DryRunRefused).details).toEqual([
      expect.stringMatching(/^apply deployment\/ml-pipeline -n .*may not specify more than 1 handler type/),
    ]);
    const afterDryRun = await client.get(ref);
    expect(afterDryRun?.metadata.resourceVersion).toBe(installed.metadata.resourceVersion);

    const ctx = context(client);
    const step = {
      id: "01-adoptObjects",
      kind: "adoptObjects" as const,
      from: ["kubectl-client-side-apply", "kubectl"],
      installers: ["kubectl (client-side apply)"],
      objects: [ref],
    };
    await expect(adoptObjects(step, ctx)).resolves.toBe("1 adopted from kubectl-client-side-apply, kubectl");
    const adopted = await kubectlJson<KubeObject>([
      "get",
      "deployment",
      "ml-pipeline",
      "-n",
      namespace,
      "--show-managed-fields",
    ]);
    expect(adopted.metadata.annotations?.[LAST_APPLIED_ANNOTATION]).toBeUndefined();
    const entries = (adopted.metadata.managedFields as Entry[]).filter((e) => !e.subresource);
    expect(entries.map((e) => `${e.manager}/${e.operation}`)).toEqual(["kfp-upgrade/Apply"]);
    expect(adopted.spec).toEqual(installed.spec);
    // Idempotent: nothing left to adopt, nothing written.
    await expect(adoptObjects(step, ctx)).resolves.toBe(
      "0 adopted from kubectl-client-side-apply, kubectl, 1 already kfp-upgrade's",
    );
    expect((await client.get(ref))?.metadata.resourceVersion).toBe(adopted.metadata.resourceVersion);

    await kubectl(["apply", "--server-side", "--field-manager=kfp-upgrade", "-f", "-"], {
      input: JSON.stringify(next),
    });
    const upgraded = await kubectlJson<{
      spec: { template: { spec: { containers: { livenessProbe: Record<string, unknown> }[] } } };
    }>(["get", "deployment", "ml-pipeline", "-n", namespace, "--show-managed-fields"]);
    const probe = upgraded.spec.template.spec.containers[0]?.livenessProbe ?? {};
    expect(probe.exec).toBeUndefined();
    expect(probe.httpGet).toMatchObject(HTTP_GET.httpGet);
    expect(ctx.warned).toEqual([]);

    // The README's way to hand the install back to kubectl: rename kfp-upgrade's field manager to kubectl's, then
    // `kubectl apply --server-side` owns those fields and really removes what its manifests drop (httpGet -> exec).
    const owned = await kubectl([
      "get",
      "deployment",
      "ml-pipeline",
      "-n",
      namespace,
      "-o",
      "json",
      "--show-managed-fields",
    ]);
    expect(owned).toContain('"manager": "kfp-upgrade"');
    await kubectl(["replace", "-f", "-"], {
      input: owned.replaceAll('"manager": "kfp-upgrade"', '"manager": "kubectl"'),
    });
    await kubectl(["apply", "--server-side", "-f", "-"], { input: JSON.stringify(probed(namespace, EXEC)) });
    const handedBack = await kubectlJson<{
      metadata: { managedFields: Entry[] };
      spec: { template: { spec: { containers: { livenessProbe: Record<string, unknown> }[] } } };
    }>(["get", "deployment", "ml-pipeline", "-n", namespace, "--show-managed-fields"]);
    const backProbe = handedBack.spec.template.spec.containers[0]?.livenessProbe ?? {};
    expect(backProbe.httpGet).toBeUndefined();
    expect(backProbe.exec).toMatchObject(EXEC.exec);
    expect(
      handedBack.metadata.managedFields
        .filter((e) => !e.subresource)
        .map((e) => `${e.manager}/${e.operation}`),
    ).toEqual(["kubectl/Apply"]);
  });
});

describe("forgetting an adopted Helm release", () => {
  it("deletes only the release's records (found by metadata-only lists) and removes Helm's marks", async () => {
    const namespace = await createTestNamespace("forget-helm");
    const client = await createKubeClient({ kubeconfig: e2eCluster().kubeconfigPath, env: {} });
    const labels = { owner: "helm", name: "kfp", status: "deployed", version: "1" };
    const secret = (name: string, type: string): KubeObject => ({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name, namespace, labels },
      type,
      data: { release: Buffer.from("H4sIAAAA").toString("base64") },
    });
    const record = await client.create(secret("sh.helm.release.v1.kfp.v1", HELM_RELEASE_TYPE));
    const impostor = await client.create(secret("sh.helm.release.v1.kfp.v2", "Opaque"));
    const marked = await client.create({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: "pipeline-install-config",
        namespace,
        labels: { "app.kubernetes.io/managed-by": "Helm", "application-crd-id": "kubeflow-pipelines" },
        annotations: { "meta.helm.sh/release-name": "kfp", "meta.helm.sh/release-namespace": namespace },
      },
      data: { appVersion: "2.5.0" },
    });
    const ctx = context(client);
    const configRef: ObjectRef = {
      apiVersion: "v1",
      kind: "ConfigMap",
      name: "pipeline-install-config",
      namespace,
    };
    const message = await forgetHelmRelease(
      {
        id: "09-forgetHelmRelease",
        kind: "forgetHelmRelease",
        release: "kfp",
        namespace,
        records: [
          { kind: "Secret", name: record.metadata.name, uid: String(record.metadata.uid) },
          { kind: "Secret", name: impostor.metadata.name, uid: String(impostor.metadata.uid) },
        ],
        unmark: [configRef],
      },
      ctx,
    );
    expect(message).toBe(
      `1 release records of kfp deleted, 1 kept (secret/sh.helm.release.v1.kfp.v2 -n ${namespace}), Helm's marks removed from 1 objects`,
    );
    expect(ctx.warned).toEqual([
      `kept secret/sh.helm.release.v1.kfp.v2 -n ${namespace}: it is not of type helm.sh/release.v1; Helm may still list release kfp`,
    ]);
    const secretRef = (name: string): ObjectRef => ({ apiVersion: "v1", kind: "Secret", name, namespace });
    expect(await client.get(secretRef(record.metadata.name))).toBeNull();
    expect(await client.get(secretRef(impostor.metadata.name))).not.toBeNull();
    const config = await client.get(configRef);
    expect(config?.metadata.labels).toEqual({ "application-crd-id": "kubeflow-pipelines" });
    expect(config?.metadata.annotations ?? {}).toEqual({});
    expect(config?.data).toEqual(marked.data);
  });
});

import { describe, expect, it } from "vitest";
import { KubeApiError } from "../../../src/errors.js";
import { readLiveObjects } from "../../../src/execute/read-live-objects.js";
import type { KubeObject, ObjectRef } from "../../../src/model/kube-object.js";
import { FakeKubeClient } from "../../support/fake-kube-client.js";
import { configMap, deployment, NS, secret } from "./executor-fixtures.js";

const NAMESPACE: KubeObject = { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } };
const ref = (kind: string, name: string, namespace: string | undefined = NS): ObjectRef => ({
  apiVersion: kind === "Deployment" ? "apps/v1" : "v1",
  kind,
  name,
  ...(namespace ? { namespace } : {}),
});

const reads = (fake: FakeKubeClient) =>
  fake.calls
    .filter((call) => call.method === "get" || call.method === "list")
    .map((call) => (call.method === "get" ? `get ${call.ref?.kind}/${call.ref?.name}` : `list ${call.kind}`));

describe("readLiveObjects", () => {
  it("reads several objects of a kind and namespace with one list; absent ones are null", async () => {
    const fake = new FakeKubeClient({ defaultNamespace: NS }).seed([
      NAMESPACE,
      configMap("a", { x: "1" }),
      configMap("b"),
      configMap("unrelated"),
      deployment("ml-pipeline", "api:2.5.0"),
    ]);
    const live = await readLiveObjects(fake, [
      ref("ConfigMap", "a"),
      ref("ConfigMap", "b"),
      ref("ConfigMap", "gone"),
      ref("Deployment", "ml-pipeline"),
    ]);
    expect(live.get(ref("ConfigMap", "a"))?.data).toEqual({ x: "1" });
    expect(live.get(ref("ConfigMap", "b"))?.metadata.resourceVersion).toBe(
      fake.peek(ref("ConfigMap", "b"))?.metadata.resourceVersion,
    );
    expect(live.get(ref("ConfigMap", "gone"))).toBeNull();
    expect(live.get(ref("Deployment", "ml-pipeline"))?.metadata.name).toBe("ml-pipeline");
    expect(live.get(ref("ConfigMap", "unrelated"))).toBeUndefined();
    // A single object of a kind is one GET: a list would read more for the same one request.
    expect(reads(fake).sort()).toEqual(["get Deployment/ml-pipeline", "list ConfigMap"]);
  });

  it("reads Secrets one by one, never listing every Secret of the namespace", async () => {
    const fake = new FakeKubeClient({ defaultNamespace: NS }).seed([
      NAMESPACE,
      secret("mysql-secret", { password: "p" }),
      secret("someone-elses", { token: "t" }),
    ]);
    const live = await readLiveObjects(fake, [
      ref("Secret", "mysql-secret"),
      ref("Secret", "mlpipeline-minio"),
    ]);
    expect(live.get(ref("Secret", "mysql-secret"))).not.toBeNull();
    expect(live.get(ref("Secret", "mlpipeline-minio"))).toBeNull();
    expect(reads(fake).sort()).toEqual(["get Secret/mlpipeline-minio", "get Secret/mysql-secret"]);
  });

  it("falls back to one GET per object when the server refuses the list", async () => {
    const fake = new FakeKubeClient({ defaultNamespace: NS }).seed([
      NAMESPACE,
      configMap("a"),
      configMap("b"),
    ]);
    const list = fake.list.bind(fake);
    fake.list = async (...args) => {
      await list(...args);
      throw new KubeApiError("configmaps is forbidden: cannot list", { statusCode: 403 });
    };
    const live = await readLiveObjects(fake, [ref("ConfigMap", "a"), ref("ConfigMap", "b")]);
    expect(live.get(ref("ConfigMap", "a"))?.metadata.name).toBe("a");
    expect(reads(fake).sort()).toEqual(["get ConfigMap/a", "get ConfigMap/b", "list ConfigMap"]);
  });

  it("reads refs without a namespace of a namespaced kind one by one (the list would span every namespace)", async () => {
    const fake = new FakeKubeClient({ defaultNamespace: NS }).seed([
      NAMESPACE,
      configMap("a"),
      configMap("b"),
    ]);
    const live = await readLiveObjects(fake, [ref("ConfigMap", "a", ""), ref("ConfigMap", "b", "")]);
    expect(live.get(ref("ConfigMap", "a", ""))?.metadata.name).toBe("a");
    expect(live.get(ref("ConfigMap", "b", ""))?.metadata.name).toBe("b");
  });
});

import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  baselineOf,
  inventoryStatus,
  kfpTransport,
  loadInventory,
  readKfpInventory,
  readKfpInventoryWithin,
  saveInventory,
} from "../../../src/cli/kfp-inventory.js";
import { ConfigError } from "../../../src/errors.js";
import { KfpApiError } from "../../../src/kfp/kfp-api-error.js";
import type { KfpTransport } from "../../../src/kfp/kfp-transport.js";
import { readInventory } from "../../../src/kfp/read-inventory.js";
import { appDir } from "../../support/app-dir.js";
import { FakeKubeClient } from "../../support/fake-kube-client.js";
import { kfpBehindServiceProxy, loadKfpApiFixture } from "../kfp/kfp-api-fixture.js";

const TWO_PAGES = loadKfpApiFixture("handmade/v2beta1-two-pages.json");

describe("kfpTransport", () => {
  it("without --kfp-endpoint: the service proxy to ml-pipeline:8888 in the namespace", async () => {
    const { fake } = kfpBehindServiceProxy(TWO_PAGES);
    const transport = kfpTransport(fake, "kubeflow", undefined, 30);
    expect(transport.target).toBe("service kubeflow/ml-pipeline:8888 (through the Kubernetes API server)");
    const inventory = await readInventory(transport);
    expect(inventory.experiments).toHaveLength(3);
    expect(fake.callsOf("serviceProxyGet")[0]?.options).toMatchObject({
      namespace: "kubeflow",
      service: "ml-pipeline",
      port: 8888,
      path: "/apis/v2beta1/healthz",
    });
  });

  it("with --kfp-endpoint: that URL, not the cluster", () => {
    const fake = new FakeKubeClient();
    expect(kfpTransport(fake, "kubeflow", "http://127.0.0.1:8888/pipeline", 30).target).toBe(
      "http://127.0.0.1:8888/pipeline",
    );
  });

  it("a proxy that never answers fails as unreachable after the timeout", async () => {
    const fake = new FakeKubeClient();
    fake.serviceProxyGet = () => new Promise(() => {});
    const transport = kfpTransport(fake, "kubeflow", undefined, 0.05);
    await expect(transport.get("/apis/v2beta1/healthz")).rejects.toMatchObject({
      failure: "unreachable",
      code: "KFP_API_UNREACHABLE",
      message: "no answer from KFP's API within 0.05s (/apis/v2beta1/healthz)",
    });
  });
});

describe("readKfpInventory", () => {
  it("a multi-user install without --kfp-namespaces and --kfp-user: a config error naming the flags", async () => {
    const { fake } = kfpBehindServiceProxy(loadKfpApiFixture("handmade/v2beta1-multi-user.json"));
    const read = readKfpInventory(kfpTransport(fake, "kubeflow", undefined, 30), {}, "2.0.5");
    await expect(read).rejects.toThrow(ConfigError);
    await expect(
      readKfpInventory(kfpTransport(fake, "kubeflow", undefined, 30), {}, "2.0.5"),
    ).rejects.toMatchObject({
      code: "KFP_MULTI_USER_OPTIONS",
      hint: expect.stringContaining("--kfp-namespaces"),
    });
  });

  it("a multi-user install read as the user, in the namespaces given", async () => {
    const { fake } = kfpBehindServiceProxy(loadKfpApiFixture("handmade/v2beta1-multi-user.json"));
    const inventory = await readKfpInventory(
      kfpTransport(fake, "kubeflow", undefined, 30),
      { kfpUser: "user@example.com", kfpNamespaces: ["kubeflow-user-example-com"] },
      "2.0.5",
    );
    expect(inventory.namespaces).toEqual(["kubeflow-user-example-com"]);
    expect(
      fake.callsOf("serviceProxyGet").map((call) => (call.options as { headers?: unknown }).headers),
    ).toContainEqual({
      "kubeflow-userid": "user@example.com",
    });
  });
});

describe("readKfpInventoryWithin", () => {
  it("asks again while the API server cannot reach KFP's pod, within the time given", async () => {
    const { transport } = kfpBehindServiceProxy(TWO_PAGES);
    let calls = 0;
    const flaky: typeof transport = {
      target: transport.target,
      get: (path, query, headers) => {
        calls += 1;
        if (calls === 1) return Promise.reject(new KfpApiError("unreachable", path, "connection refused"));
        return transport.get(path, query, headers);
      },
    };
    const read = await readKfpInventoryWithin(flaky, {}, "2.0.5", 5);
    expect(read.experiments).toHaveLength(3);
    expect(calls).toBeGreaterThan(1);
  });

  it("gives up once the time is out, and never asks again after KFP itself answered with an error", async () => {
    const unreachable: KfpTransport = {
      target: "t",
      get: (path) => Promise.reject(new KfpApiError("unreachable", path, "connection refused")),
    };
    await expect(readKfpInventoryWithin(unreachable, {}, null, 1)).rejects.toMatchObject({
      failure: "unreachable",
    });
    const asked: string[] = [];
    const answered: KfpTransport = {
      target: "t",
      get: (path) => {
        asked.push(path);
        return Promise.reject(new KfpApiError("answered", path, "404", { statusCode: 404 }));
      },
    };
    await expect(readKfpInventoryWithin(answered, {}, null, 5)).rejects.toMatchObject({
      failure: "answered",
    });
    // Each API version's health check once (v2beta1, then v1beta1), never a second round.
    expect(asked.length).toBeGreaterThan(0);
    expect(asked).toEqual([...new Set(asked)]);
  });
});

describe("inventoryStatus", () => {
  it("counts per kind when KFP answers", async () => {
    const { fake, transport } = kfpBehindServiceProxy(TWO_PAGES);
    await expect(inventoryStatus(fake, "kubeflow", {}, "2.0.5")).resolves.toEqual({
      read: await readInventory(transport),
      inventory: { experiments: 3, pipelines: 2, pipelineVersions: 3, runs: 1, recurringRuns: 1 },
      inventoryError: null,
    });
  });

  it("null counts and the reason when there is no KFP API", async () => {
    const fake = new FakeKubeClient();
    await expect(inventoryStatus(fake, "kubeflow", {}, null)).resolves.toEqual({
      read: null,
      inventory: null,
      inventoryError: expect.stringMatching(/^KFP_API_UNREACHABLE: .*services "ml-pipeline" not found/),
    });
  });
});

describe(".kfp-upgrade/inventory.json", () => {
  it("keeps the last inventory and when it was read", async () => {
    const { transport } = kfpBehindServiceProxy(TWO_PAGES);
    const inventory = await readInventory(transport);
    const dir = appDir();
    await expect(loadInventory(dir)).resolves.toBeUndefined();
    await saveInventory(dir, inventory, new Date("2026-12-02T20:00:00Z"));
    await expect(loadInventory(dir)).resolves.toEqual({ recordedAt: "2026-12-02T20:00:00.000Z", inventory });
    expect(baselineOf(inventory).experiments).toEqual(
      inventory.experiments.map(({ id, name }) => ({ id, name })),
    );
  });

  it.each([
    { name: "not JSON", content: "{", detail: "not JSON" },
    {
      name: "not an inventory",
      content: '{"recordedAt":"x","inventory":{}}',
      detail: expect.stringContaining("inventory"),
    },
  ])("a damaged file ($name) is a config error", async ({ content, detail }) => {
    const dir = appDir();
    await saveInventory(dir, await readInventory(kfpBehindServiceProxy(TWO_PAGES).transport), new Date());
    writeFileSync(path.join(dir, ".kfp-upgrade", "inventory.json"), content);
    await expect(loadInventory(dir)).rejects.toMatchObject({
      code: "INVENTORY_FILE_INVALID",
      exitCode: 3,
      details: expect.arrayContaining([detail]),
    });
  });
});

import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../src/errors.js";
import { inventoryCounts } from "../../../src/kfp/inventory.js";
import { KfpApiError } from "../../../src/kfp/kfp-api-error.js";
import { readInventory } from "../../../src/kfp/read-inventory.js";
import { kfpBehindServiceProxy, loadKfpApiFixture, sentRequests } from "./kfp-api-fixture.js";

const P1 = "c0ffee00-1111-4222-8333-444455556601";
const P2 = "c0ffee00-1111-4222-8333-444455556602";
const E0 = "0b3b7e1c-5a7e-4c3e-9d57-0f1d1e6c2a01";
const E1 = "6f9f6a3e-2a4b-4a52-8c0e-3b1a2d6e7f02";
const E2 = "a1c2e3f4-5b6d-4e7f-8a9b-0c1d2e3f4a03";
const RUN = "f00d0000-1234-4567-89ab-cdef00000001";
const RECURRING = "5ca1ab1e-0000-4000-8000-000000000001";
const NS = "kubeflow-user-example-com";

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail("expected a failure"),
    (error: unknown) => error,
  );
}

describe("readInventory (v2beta1)", () => {
  it("reads every list page by page and keeps the fields the pre-check needs", async () => {
    const { fake, transport } = kfpBehindServiceProxy(loadKfpApiFixture("handmade/v2beta1-two-pages.json"));
    const inventory = await readInventory(transport);
    expect(inventory).toEqual({
      api: "v2beta1",
      serverTag: "2.0.5",
      multiUser: false,
      namespaces: null,
      experiments: [
        { id: E0, name: "Default", storageState: "AVAILABLE" },
        { id: E1, name: "upgrade-test-1", storageState: "AVAILABLE" },
        { id: E2, name: "upgrade-test-2", storageState: "ARCHIVED" },
      ],
      pipelines: [
        { id: P1, name: "hello-world" },
        { id: P2, name: "two-step" },
      ],
      pipelineVersions: [
        { id: "beef0000-aaaa-4bbb-8ccc-dddd00000101", name: "hello-world", pipelineId: P1 },
        { id: "beef0000-aaaa-4bbb-8ccc-dddd00000102", name: "hello-world-v2", pipelineId: P1 },
        { id: "beef0000-aaaa-4bbb-8ccc-dddd00000201", name: "two-step", pipelineId: P2 },
      ],
      runs: [{ id: RUN, name: "run-1", experimentId: E1, state: "SUCCEEDED", storageState: "AVAILABLE" }],
      recurringRuns: [{ id: RECURRING, name: "every-hour", experimentId: E1 }],
    });
    expect(sentRequests(fake)).toEqual([
      "/apis/v2beta1/healthz",
      "/apis/v2beta1/experiments?page_size=200",
      "/apis/v2beta1/experiments?page_size=200&page_token=eyJTb3J0QnlGaWVsZE5hbWUiOiJDcmVhdGVkQXRJblNlYyJ9",
      "/apis/v2beta1/pipelines?page_size=200",
      `/apis/v2beta1/pipelines/${P1}/versions?page_size=200`,
      `/apis/v2beta1/pipelines/${P2}/versions?page_size=200`,
      "/apis/v2beta1/runs?page_size=200",
      "/apis/v2beta1/recurringruns?page_size=200",
    ]);
  });

  it("reads KFP's empty lists, which leave out the array and total_size", async () => {
    const { transport } = kfpBehindServiceProxy(loadKfpApiFixture("handmade/v2beta1-empty.json"));
    const inventory = await readInventory(transport, { kfpVersion: "2.0.5" });
    expect(inventoryCounts(inventory)).toEqual({
      experiments: 0,
      pipelines: 0,
      pipelineVersions: 0,
      runs: 0,
      recurringRuns: 0,
    });
  });

  it("reads a multi-user install per profile namespace, as the user, shared and namespaced pipelines once each", async () => {
    const { fake, transport } = kfpBehindServiceProxy(loadKfpApiFixture("handmade/v2beta1-multi-user.json"));
    const inventory = await readInventory(transport, {
      namespaces: [NS],
      user: { value: "user@example.com" },
    });
    expect(inventory).toMatchObject({ multiUser: true, namespaces: [NS] });
    expect(inventory.experiments).toEqual([
      { id: E1, name: "upgrade-test-1", namespace: NS, storageState: "AVAILABLE" },
    ]);
    expect(inventory.pipelines).toEqual([
      { id: P1, name: "hello-world" },
      { id: P2, name: "two-step", namespace: NS },
    ]);
    expect(inventory.runs.map((run) => run.namespace)).toEqual([NS]);
    expect(inventory.recurringRuns.map((run) => run.namespace)).toEqual([NS]);
    const headers = fake
      .callsOf("serviceProxyGet")
      .map((call) => (call.options as { headers: unknown }).headers);
    expect(new Set(headers.map((header) => JSON.stringify(header)))).toEqual(
      new Set([JSON.stringify({ "kubeflow-userid": "user@example.com" })]),
    );
    expect(sentRequests(fake)).toContain(`/apis/v2beta1/experiments?namespace=${NS}&page_size=200`);
  });

  it.each([
    {
      name: "no namespaces and no user",
      options: {},
      missing: "the profile namespaces to read and the user",
    },
    { name: "no user", options: { namespaces: [NS] }, missing: "needs the user to ask as" },
    {
      name: "no namespaces",
      options: { user: { value: "u" } },
      missing: "needs the profile namespaces to read",
    },
  ])("refuses to read a multi-user install with $name", async ({ options, missing }) => {
    const { transport } = kfpBehindServiceProxy(loadKfpApiFixture("handmade/v2beta1-multi-user.json"));
    const error = await failure(readInventory(transport, options));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({
      code: "KFP_MULTI_USER_OPTIONS",
      message: expect.stringContaining(missing),
    });
  });
});

describe("readInventory (v1beta1)", () => {
  const expected = {
    api: "v1beta1",
    serverTag: "1.8.5",
    multiUser: false,
    namespaces: null,
    experiments: [
      { id: E0, name: "Default", storageState: "STORAGESTATE_AVAILABLE" },
      { id: E1, name: "upgrade-test-1", storageState: "STORAGESTATE_AVAILABLE" },
    ],
    pipelines: [{ id: P1, name: "hello-world" }],
    pipelineVersions: [{ id: "beef0000-aaaa-4bbb-8ccc-dddd00000101", name: "hello-world", pipelineId: P1 }],
    runs: [
      {
        id: RUN,
        name: "run-1",
        experimentId: E1,
        state: "Succeeded",
        storageState: "STORAGESTATE_AVAILABLE",
      },
    ],
    recurringRuns: [{ id: RECURRING, name: "every-hour", experimentId: E1 }],
  };
  const v1Requests = [
    "/apis/v1beta1/healthz",
    "/apis/v1beta1/experiments?page_size=200",
    "/apis/v1beta1/pipelines?page_size=200",
    `/apis/v1beta1/pipeline_versions?resource_key.type=PIPELINE&resource_key.id=${P1}&page_size=200`,
    "/apis/v1beta1/runs?page_size=200",
    "/apis/v1beta1/jobs?page_size=200",
  ];

  it("falls back to v1beta1 when KFP answers 404 to v2beta1 (version unknown)", async () => {
    const { fake, transport } = kfpBehindServiceProxy(loadKfpApiFixture("handmade/v1beta1-1.8.5.json"));
    expect(await readInventory(transport)).toEqual(expected);
    expect(sentRequests(fake)).toEqual(["/apis/v2beta1/healthz", ...v1Requests]);
  });

  it.each([
    { name: "1.8.5", kfpVersion: "1.8.5" },
    { name: "0.5.1", kfpVersion: "0.5.1" },
  ])("asks v1beta1 at once when the installed version is $name", async ({ kfpVersion }) => {
    const { fake, transport } = kfpBehindServiceProxy(loadKfpApiFixture("handmade/v1beta1-1.8.5.json"));
    expect(await readInventory(transport, { kfpVersion })).toEqual(expected);
    expect(sentRequests(fake)).toEqual(v1Requests);
  });

  it("falls back to v1beta1 even when the recorded version says 2.x but KFP does not serve v2beta1", async () => {
    const { transport } = kfpBehindServiceProxy(loadKfpApiFixture("handmade/v1beta1-1.8.5.json"));
    expect((await readInventory(transport, { kfpVersion: "2.0.5" })).api).toBe("v1beta1");
  });
});

describe("readInventory failures", () => {
  it("reports a Service without ready pods as no-endpoints, and asks nothing else", async () => {
    const { fake, transport } = kfpBehindServiceProxy(loadKfpApiFixture("handmade/v2beta1-empty.json"));
    fake.update({ apiVersion: "v1", kind: "Pod", name: "ml-pipeline-7d9f", namespace: "kubeflow" }, (pod) => {
      pod.status = { conditions: [{ type: "Ready", status: "False" }] };
    });
    const error = await failure(readInventory(transport));
    expect(error).toBeInstanceOf(KfpApiError);
    expect(error).toMatchObject({ failure: "no-endpoints", code: "KFP_API_NO_ENDPOINTS", exitCode: 5 });
    expect(sentRequests(fake)).toEqual(["/apis/v2beta1/healthz"]);
  });

  it("does not take a missing Service's 404 for a 1.x server", async () => {
    const { fake, transport } = kfpBehindServiceProxy(loadKfpApiFixture("handmade/v1beta1-1.8.5.json"));
    await fake.delete({ apiVersion: "v1", kind: "Service", name: "ml-pipeline", namespace: "kubeflow" });
    const error = await failure(readInventory(transport));
    expect(error).toMatchObject({ failure: "unreachable", code: "KFP_API_UNREACHABLE" });
    expect((error as KfpApiError).message).toContain('services "ml-pipeline" not found');
    expect(sentRequests(fake)).toEqual(["/apis/v2beta1/healthz"]);
  });

  it("names every way an answer differs from KFP's API definition", async () => {
    const fixture = loadKfpApiFixture("handmade/v2beta1-empty.json");
    const experiments = fixture.exchanges.find((exchange) => exchange.path === "/apis/v2beta1/experiments");
    if (experiments) experiments.body = { experiments: [{ display_name: "no id" }], total_size: "1" };
    const { transport } = kfpBehindServiceProxy(fixture);
    const error = await failure(readInventory(transport));
    expect(error).toMatchObject({ failure: "invalid-answer", path: "/apis/v2beta1/experiments" });
    expect((error as KfpApiError).details).toEqual([
      "experiments.0.experiment_id: Invalid input: expected string, received undefined",
      "total_size: Invalid input: expected number, received string",
    ]);
  });

  it("stops when KFP hands out the same page token twice", async () => {
    const fixture = loadKfpApiFixture("handmade/v2beta1-empty.json");
    fixture.exchanges.push({
      path: "/apis/v2beta1/experiments",
      query: { page_size: "200", page_token: "again" },
      status: 200,
      body: { next_page_token: "again" },
    });
    const first = fixture.exchanges.find((exchange) => exchange.path === "/apis/v2beta1/experiments");
    if (first) first.body = { next_page_token: "again" };
    const { transport } = kfpBehindServiceProxy(fixture);
    const error = await failure(readInventory(transport));
    expect(error).toMatchObject({ failure: "invalid-answer" });
    expect((error as KfpApiError).message).toContain('page token "again" twice');
  });

  it("reports KFP's own refusal with its status code", async () => {
    const fixture = loadKfpApiFixture("handmade/v2beta1-empty.json");
    const runs = fixture.exchanges.find((exchange) => exchange.path === "/apis/v2beta1/runs");
    if (runs) {
      runs.status = 500;
      runs.body = {
        error: "Failed to list runs: database is locked",
        code: 13,
        message: "database is locked",
      };
    }
    const { transport } = kfpBehindServiceProxy(fixture);
    const error = await failure(readInventory(transport));
    expect(error).toMatchObject({ failure: "answered", statusCode: 500, path: "/apis/v2beta1/runs" });
    expect((error as KfpApiError).message).toBe(
      "get services/ml-pipeline:8888/proxy/apis/v2beta1/runs -n kubeflow: service ml-pipeline answered 500: database is locked",
    );
  });
});

import { describe, expect, it } from "vitest";
import { KubeApiError } from "../../../src/errors.js";
import { KfpApiError } from "../../../src/kfp/kfp-api-error.js";
import { serviceProxyTransport } from "../../../src/kfp/service-proxy-transport.js";

describe("serviceProxyTransport", () => {
  it("passes the path, query and headers to the bound proxy GET and returns its answer", async () => {
    const calls: unknown[] = [];
    const transport = serviceProxyTransport(async (path, query, headers) => {
      calls.push({ path, query, headers });
      return { multi_user: false };
    }, "service kubeflow/ml-pipeline:8888");
    expect(await transport.get("/apis/v2beta1/healthz", { a: 1 }, { "kubeflow-userid": "u" })).toEqual({
      multi_user: false,
    });
    expect(await transport.get("/apis/v2beta1/healthz")).toEqual({ multi_user: false });
    expect(calls).toEqual([
      { path: "/apis/v2beta1/healthz", query: { a: 1 }, headers: { "kubeflow-userid": "u" } },
      { path: "/apis/v2beta1/healthz", query: {}, headers: {} },
    ]);
    expect(transport.target).toBe("service kubeflow/ml-pipeline:8888");
  });

  it.each([
    {
      name: "no ready pod",
      error: new KubeApiError("no endpoints", { code: "KUBE_PROXY_NO_ENDPOINTS", statusCode: 503 }),
      failure: "no-endpoints",
      statusCode: 503,
    },
    {
      name: "KFP's own error answer",
      error: new KubeApiError("answered 404", { code: "KUBE_PROXY_SERVICE_ERROR", statusCode: 404 }),
      failure: "answered",
      statusCode: 404,
    },
    {
      name: "a missing Service (the API server's 404)",
      error: new KubeApiError("not found", { code: "KUBE_NOT_FOUND", statusCode: 404, reason: "NotFound" }),
      failure: "unreachable",
      statusCode: undefined,
    },
    {
      name: "no services/proxy permission",
      error: new KubeApiError("forbidden", { code: "KUBE_FORBIDDEN", statusCode: 403, hint: "ask an admin" }),
      failure: "unreachable",
      statusCode: undefined,
    },
  ])("turns $name into a `$failure` failure", async ({ error, failure, statusCode }) => {
    const transport = serviceProxyTransport(() => Promise.reject(error), "t");
    const caught = await transport.get("/apis/v2beta1/healthz").then(
      () => expect.fail("expected a failure"),
      (thrown: unknown) => thrown,
    );
    expect(caught).toBeInstanceOf(KfpApiError);
    expect(caught).toMatchObject({
      failure,
      statusCode,
      message: error.message,
      hint: error.hint,
      cause: error,
    });
  });

  it("lets a bug through untouched", async () => {
    const bug = new TypeError("x is not a function");
    const transport = serviceProxyTransport(() => Promise.reject(bug), "t");
    await expect(transport.get("/apis/v2beta1/healthz")).rejects.toBe(bug);
  });
});

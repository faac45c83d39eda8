import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it, onTestFinished } from "vitest";
import { UsageError } from "../../../src/errors.js";
import { directTransport } from "../../../src/kfp/direct-transport.js";
import { KfpApiError } from "../../../src/kfp/kfp-api-error.js";

interface Seen {
  url: string;
  headers: http.IncomingHttpHeaders;
}

/** A real HTTP server on 127.0.0.1 standing in for an ingress in front of KFP. */
async function endpoint(
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void,
): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? "", headers: req.headers });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}

async function failure(promise: Promise<unknown>): Promise<KfpApiError> {
  const error = await promise.then(
    () => expect.fail("expected a failure"),
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(KfpApiError);
  return error as KfpApiError;
}

describe("directTransport", () => {
  it("GETs below the endpoint's path prefix with the query and the user header", async () => {
    const { url, seen } = await endpoint((_req, res) => json(res, 200, { experiments: [] }));
    const transport = directTransport(`${url}/pipeline/`);
    const answer = await transport.get(
      "/apis/v2beta1/experiments",
      { page_size: 200, page_token: undefined, namespace: "team a" },
      { "kubeflow-userid": "user@example.com" },
    );
    expect(answer).toEqual({ experiments: [] });
    expect(seen[0]?.url).toBe("/pipeline/apis/v2beta1/experiments?page_size=200&namespace=team+a");
    expect(seen[0]?.headers["kubeflow-userid"]).toBe("user@example.com");
    expect(seen[0]?.headers.accept).toBe("application/json");
    expect(transport.target).toBe(`${url}/pipeline/`);
  });

  it("answers undefined for an empty body", async () => {
    const { url } = await endpoint((_req, res) => res.end());
    expect(await directTransport(url).get("/apis/v2beta1/healthz")).toBeUndefined();
  });

  it("reports KFP's error answer with its status, so a v2beta1 404 can fall back", async () => {
    const { url } = await endpoint((_req, res) =>
      json(res, 404, { error: "Not Found", code: 5, message: "Not Found" }),
    );
    const error = await failure(directTransport(url).get("/apis/v2beta1/healthz"));
    expect(error).toMatchObject({ failure: "answered", statusCode: 404, path: "/apis/v2beta1/healthz" });
    expect(error.message).toBe(`GET /apis/v2beta1/healthz at ${url}/: KFP answered 404: Not Found`);
  });

  it("does not follow a redirect to a login page, and says where it led", async () => {
    const { url } = await endpoint((_req, res) => {
      res.writeHead(302, { Location: "https://dex.example.com/auth" });
      res.end();
    });
    const error = await failure(directTransport(url).get("/apis/v2beta1/healthz"));
    expect(error).toMatchObject({ failure: "redirected", code: "KFP_API_REDIRECTED", statusCode: 302 });
    expect(error.message).toContain("redirected (302) to https://dex.example.com/auth");
  });

  it("refuses a 200 that is not JSON (the UI's HTML)", async () => {
    const { url } = await endpoint((_req, res) => {
      res.writeHead(200, { "Content-Type": "text/html" });
      res.end("<!doctype html><title>Kubeflow Pipelines</title>");
    });
    const error = await failure(directTransport(url).get("/apis/v2beta1/healthz"));
    expect(error).toMatchObject({ failure: "invalid-answer" });
  });

  it("reports a closed port as unreachable", async () => {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const closed = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const error = await failure(directTransport(closed).get("/apis/v2beta1/healthz"));
    expect(error).toMatchObject({ failure: "unreachable", code: "KFP_API_UNREACHABLE" });
    expect(error.message).toBe(`GET /apis/v2beta1/healthz at ${closed}/: cannot connect: ECONNREFUSED`);
  });

  it("gives up on a server that does not answer in time", async () => {
    const { url } = await endpoint(() => {});
    const error = await failure(directTransport(url, { timeoutSeconds: 0.2 }).get("/apis/v2beta1/healthz"));
    expect(error).toMatchObject({ failure: "unreachable" });
    expect(error.message).toContain("no answer within 0.2s");
  });

  it.each([
    { name: "no scheme", endpoint: "kfp.example.com" },
    { name: "another scheme", endpoint: "ftp://kfp.example.com" },
    { name: "a query", endpoint: "https://kfp.example.com/?x=1" },
  ])("refuses an endpoint with $name", ({ endpoint: given }) => {
    expect(() => directTransport(given)).toThrow(UsageError);
  });
});

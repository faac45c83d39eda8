import { describe, expect, it } from "vitest";
import { kfpApiForVersion, probeKfpServer } from "../../../src/kfp/probe-kfp-server.js";
import { kfpBehindServiceProxy, sentRequests } from "./kfp-api-fixture.js";

describe("kfpApiForVersion", () => {
  it.each([
    { name: "2.0.5", version: "2.0.5", api: "v2beta1" },
    { name: "2.17.0", version: "2.17.0", api: "v2beta1" },
    { name: "a v-prefixed tag", version: "v2.15.0", api: "v2beta1" },
    { name: "1.8.5", version: "1.8.5", api: "v1beta1" },
    { name: "0.5.1", version: "0.5.1", api: "v1beta1" },
    { name: "unknown", version: null, api: null },
    { name: "not a version", version: "main", api: null },
  ])("$name -> $api", ({ version, api }) => {
    expect(kfpApiForVersion(version)).toBe(api);
  });
});

describe("probeKfpServer", () => {
  it.each([
    {
      name: "a 2.x server",
      exchanges: [{ path: "/apis/v2beta1/healthz", body: { tag_name: "2.0.5", multi_user: true } }],
      server: { api: "v2beta1", multiUser: true, tag: "2.0.5" },
    },
    {
      name: "a 0.5 server, whose healthz says only its commit",
      exchanges: [
        { path: "/apis/v2beta1/healthz", status: 404, body: "404 page not found\n" },
        { path: "/apis/v1beta1/healthz", body: { commit_sha: "abc" } },
      ],
      server: { api: "v1beta1", multiUser: false, tag: null },
    },
    {
      name: "a server whose TAG_NAME is unset",
      exchanges: [{ path: "/apis/v2beta1/healthz", body: { tag_name: "unknown", multi_user: false } }],
      server: { api: "v2beta1", multiUser: false, tag: null },
    },
  ])("recognises $name", async ({ exchanges, server }) => {
    const { fake, transport } = kfpBehindServiceProxy({
      source: "inline",
      exchanges: exchanges.map((exchange) => ({ status: 200, query: {}, ...exchange })),
    });
    expect(await probeKfpServer(transport)).toEqual(server);
    expect(sentRequests(fake)).toEqual(exchanges.map((exchange) => exchange.path));
  });

  it("does not fall back on KFP's other errors", async () => {
    const { transport } = kfpBehindServiceProxy({
      source: "inline",
      exchanges: [{ path: "/apis/v2beta1/healthz", query: {}, status: 503, body: "upstream connect error" }],
    });
    await expect(probeKfpServer(transport)).rejects.toMatchObject({ failure: "answered", statusCode: 503 });
  });
});

import { readFileSync } from "node:fs";
import path from "node:path";
import { KFP_API_PORT, KFP_API_SERVICE, type KfpTransport } from "../../../src/kfp/kfp-transport.js";
import { serviceProxyTransport } from "../../../src/kfp/service-proxy-transport.js";
import type { ServiceProxyRequest } from "../../../src/kube/kube-client.js";
import type { KubeObject } from "../../../src/model/kube-object.js";
import { FakeKubeClient } from "../../support/fake-kube-client.js";

/** One request and KFP's answer; `body` is a string when the server answered plain text. */
export interface KfpApiExchange {
  path: string;
  query: Record<string, string>;
  status: number;
  body: unknown;
}
export interface KfpApiFixture {
  handmade?: boolean;
  source: string;
  exchanges: KfpApiExchange[];
}

const FIXTURES = path.resolve(import.meta.dirname, "../../fixtures/kfp-api");

/** `handmade/v2beta1-two-pages.json` */
export function loadKfpApiFixture(name: string): KfpApiFixture {
  return JSON.parse(readFileSync(path.join(FIXTURES, name), "utf8")) as KfpApiFixture;
}

const NAMESPACE = "kubeflow";
const CLUSTER: KubeObject[] = [
  { apiVersion: "v1", kind: "Namespace", metadata: { name: NAMESPACE } },
  {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: KFP_API_SERVICE, namespace: NAMESPACE },
    spec: { selector: { app: "ml-pipeline" }, ports: [{ name: "http", port: KFP_API_PORT }] },
  },
  {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "ml-pipeline-7d9f", namespace: NAMESPACE, labels: { app: "ml-pipeline" } },
    status: { conditions: [{ type: "Ready", status: "True" }] },
  },
];

/**
 * KFP's API server answering from a fixture behind the fake cluster's service proxy, and the transport the product
 * builds on `KubeClient.serviceProxyGet`: the whole path from the inventory reader to the proxy's error codes. A
 * request the fixture has no exchange for fails the test.
 */
export function kfpBehindServiceProxy(fixture: KfpApiFixture): {
  fake: FakeKubeClient;
  transport: KfpTransport;
} {
  const fake = new FakeKubeClient().seed(CLUSTER);
  fake.serveService({ namespace: NAMESPACE, service: KFP_API_SERVICE }, (request) => {
    const query = normalize(request.query);
    const exchange = fixture.exchanges.find(
      (candidate) => candidate.path === request.path && sameQuery(candidate.query, query),
    );
    if (!exchange)
      throw new Error(`the fixture has no answer for GET ${request.path} ${JSON.stringify(query)}`);
    return { status: exchange.status, body: exchange.body };
  });
  const transport = serviceProxyTransport(
    (requestPath, query, headers) =>
      fake.serviceProxyGet({
        namespace: NAMESPACE,
        service: KFP_API_SERVICE,
        port: KFP_API_PORT,
        path: requestPath,
        query,
        headers,
      }),
    `service ${NAMESPACE}/${KFP_API_SERVICE}:${KFP_API_PORT}`,
  );
  return { fake, transport };
}

/** The requests the reader sent, as `path?query` lines in order. */
export function sentRequests(fake: FakeKubeClient): string[] {
  return fake.callsOf("serviceProxyGet").map((call) => {
    const request = call.options as ServiceProxyRequest;
    const query = new URLSearchParams(normalize(request.query)).toString();
    return query ? `${request.path}?${query}` : request.path;
  });
}

function normalize(query: ServiceProxyRequest["query"]): Record<string, string> {
  return Object.fromEntries(
    Object.entries(query ?? {})
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [key, String(value)]),
  );
}

function sameQuery(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((key) => a[key] === b[key]);
}

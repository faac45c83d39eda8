import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import yaml from "js-yaml";
import { onTestFinished } from "vitest";

/**
 * A scripted HTTP API server for unit-testing the real HttpKubeClient end to end (sockets, retries, watch
 * streams, credentials) without a cluster. It answers discovery itself; everything else comes from `routes`, in
 * order: the first route whose method and path match answers. It can go down and come back on the same port, like
 * an API server restart.
 */

export interface StubRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

export interface StubAnswer {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A watch: the test writes events and may end or cut the stream. */
export interface StubWatch {
  request: StubRequest;
  send(type: string, object: unknown): void;
  end(): void;
  cut(): void;
}

export interface StubRoute {
  method: string;
  path: string | RegExp;
  /** Answer once, then fall through to later routes. */
  once?: boolean;
  answer?: (request: StubRequest) => StubAnswer;
  watch?: (watch: StubWatch) => void;
  /** Never answer, like a stalled API server; `onClose` runs when the client gives up on the request. */
  hang?: { onClose: () => void };
}

export interface DiscoveryGroup {
  group: string;
  version: string;
  resources: { resource: string; kind: string; namespaced: boolean }[];
}

export const STANDARD_DISCOVERY: DiscoveryGroup[] = [
  {
    group: "",
    version: "v1",
    resources: [
      { resource: "namespaces", kind: "Namespace", namespaced: false },
      { resource: "configmaps", kind: "ConfigMap", namespaced: true },
      { resource: "secrets", kind: "Secret", namespaced: true },
      { resource: "persistentvolumes", kind: "PersistentVolume", namespaced: false },
      { resource: "persistentvolumeclaims", kind: "PersistentVolumeClaim", namespaced: true },
    ],
  },
  {
    group: "apps",
    version: "v1",
    resources: [{ resource: "deployments", kind: "Deployment", namespaced: true }],
  },
  {
    group: "coordination.k8s.io",
    version: "v1",
    resources: [{ resource: "leases", kind: "Lease", namespaced: true }],
  },
  {
    group: "authorization.k8s.io",
    version: "v1",
    resources: [{ resource: "selfsubjectaccessreviews", kind: "SelfSubjectAccessReview", namespaced: false }],
  },
];

export interface StubServerOptions {
  discovery?: DiscoveryGroup[];
  /** Answer discovery like a pre-1.26 server: APIVersions/APIGroupList, then one request per group version. */
  legacyDiscovery?: boolean;
  /** Bearer token every request must carry (401 otherwise). */
  token?: string;
}

export class StubApiServer {
  readonly requests: StubRequest[] = [];
  readonly routes: StubRoute[] = [];
  private server: http.Server | null = null;
  private readonly sockets = new Set<Socket>();
  private port = 0;

  private constructor(private readonly options: StubServerOptions) {}

  static async start(options: StubServerOptions = {}): Promise<StubApiServer> {
    const stub = new StubApiServer(options);
    await stub.listen();
    onTestFinished(() => stub.stop());
    return stub;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  route(route: StubRoute): this {
    this.routes.push(route);
    return this;
  }

  /** Requests other than discovery, as `METHOD path`. */
  calls(): string[] {
    return this.requests
      .filter((request) => !/^\/(api|apis)(\/[^/]+){0,2}$/.test(request.path) || request.method !== "GET")
      .map((request) => `${request.method} ${request.path}`);
  }

  /** Closes the port and every open connection, like a killed API server. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async restart(): Promise<void> {
    await this.listen(this.port);
  }

  /** A kubeconfig for this server (plain HTTP needs insecure-skip-tls-verify), in a temp dir removed after the test. */
  writeKubeconfig(
    user: Record<string, unknown> = { token: this.options.token ?? "t" },
    server = this.url,
  ): string {
    const dir = mkdtempSync(path.join(tmpdir(), "kfp-stub-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, "config");
    writeFileSync(
      file,
      yaml.dump({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "stub", cluster: { server, "insecure-skip-tls-verify": true } }],
        users: [{ name: "tester", user }],
        contexts: [{ name: "stub", context: { cluster: "stub", user: "tester", namespace: "kubeflow" } }],
        "current-context": "stub",
      }),
    );
    return file;
  }

  private listen(port = 0): Promise<void> {
    const server = http.createServer((req, res) => this.handle(req, res));
    server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    this.server = server;
    return new Promise((resolve) =>
      server.listen(port, "127.0.0.1", () => {
        this.port = (server.address() as AddressInfo).port;
        resolve();
      }),
    );
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", this.url);
      const text = Buffer.concat(chunks).toString("utf8");
      const request: StubRequest = {
        method: req.method ?? "GET",
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: text ? JSON.parse(text) : undefined,
      };
      this.requests.push(request);
      if (this.options.token && req.headers.authorization !== `Bearer ${this.options.token}`) {
        reply(res, { status: 401, body: status(401, "Unauthorized", "Unauthorized") });
        return;
      }
      const discovery = this.discovery(request);
      if (discovery) {
        reply(res, { body: discovery });
        return;
      }
      const index = this.routes.findIndex(
        (route) =>
          route.method === request.method &&
          (typeof route.path === "string" ? route.path === request.path : route.path.test(request.path)) &&
          (route.watch ? request.query.get("watch") === "true" : request.query.get("watch") !== "true"),
      );
      const route = this.routes[index];
      if (!route) {
        reply(res, {
          status: 404,
          body: status(404, "NotFound", `the server could not find ${request.path}`),
        });
        return;
      }
      if (route.once) this.routes.splice(index, 1);
      if (route.hang) {
        res.on("close", route.hang.onClose);
        return;
      }
      if (route.watch) {
        res.writeHead(200, { "Content-Type": "application/json" });
        res.flushHeaders();
        route.watch({
          request,
          send: (type, object) => res.write(`${JSON.stringify({ type, object })}\n`),
          end: () => res.end(),
          cut: () => res.socket?.destroy(),
        });
        return;
      }
      reply(res, route.answer?.(request) ?? {});
    });
  }

  private discovery(request: StubRequest): unknown {
    if (request.method !== "GET") return undefined;
    const groups = this.options.discovery ?? STANDARD_DISCOVERY;
    const aggregated =
      !this.options.legacyDiscovery && String(request.headers.accept).includes("as=APIGroupDiscoveryList");
    const entry = (group: DiscoveryGroup) => ({
      metadata: group.group ? { name: group.group } : {},
      versions: [
        {
          version: group.version,
          resources: group.resources.map((resource) => ({
            resource: resource.resource,
            responseKind: { group: group.group, version: group.version, kind: resource.kind },
            scope: resource.namespaced ? "Namespaced" : "Cluster",
            verbs: ["get", "list", "watch", "create", "update", "patch", "delete"],
          })),
        },
      ],
    });
    const list = (items: DiscoveryGroup[]) => ({
      kind: "APIGroupDiscoveryList",
      apiVersion: "apidiscovery.k8s.io/v2",
      items: items.map(entry),
    });
    if (request.path === "/api") {
      return aggregated
        ? list(groups.filter((group) => !group.group))
        : {
            kind: "APIVersions",
            versions: groups.filter((group) => !group.group).map((group) => group.version),
          };
    }
    if (request.path === "/apis") {
      const named = groups.filter((group) => group.group);
      return aggregated
        ? list(named)
        : {
            kind: "APIGroupList",
            groups: named.map((group) => ({
              name: group.group,
              versions: [{ groupVersion: `${group.group}/${group.version}`, version: group.version }],
            })),
          };
    }
    const match = /^\/(?:api\/([^/]+)|apis\/([^/]+)\/([^/]+))$/.exec(request.path);
    if (!match) return undefined;
    const group = groups.find((candidate) =>
      match[1]
        ? !candidate.group && candidate.version === match[1]
        : candidate.group === match[2] && candidate.version === match[3],
    );
    if (!group) return undefined;
    return {
      kind: "APIResourceList",
      groupVersion: group.group ? `${group.group}/${group.version}` : group.version,
      resources: group.resources.map((resource) => ({
        name: resource.resource,
        kind: resource.kind,
        namespaced: resource.namespaced,
      })),
    };
  }
}

export function status(code: number, reason: string, message: string) {
  return { kind: "Status", apiVersion: "v1", status: "Failure", code, reason, message };
}

function reply(res: http.ServerResponse, answer: StubAnswer): void {
  const body = answer.body === undefined ? "" : JSON.stringify(answer.body);
  res.writeHead(answer.status ?? 200, { "Content-Type": "application/json", ...(answer.headers ?? {}) });
  res.end(body);
}

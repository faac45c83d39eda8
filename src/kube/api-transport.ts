import { createHash } from "node:crypto";
import http from "node:http";
import https from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import { HttpProxyAgent, HttpsProxyAgent } from "hpagent";
import { proxyForUrl } from "./proxy-from-env.js";
import { recordRequest } from "./request-counts.js";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
export type QueryParams = Record<string, string | number | boolean | undefined>;

export interface ApiRequest {
  method: HttpMethod;
  path: string;
  query?: QueryParams | undefined;
  body?: unknown;
  contentType?: string | undefined;
  accept?: string | undefined;
  /** Extra request headers (a proxied service's own, e.g. KFP's user header); they never replace the credentials. */
  headers?: Record<string, string> | undefined;
  /** Abandons the request (rejecting with the signal's reason). */
  signal?: AbortSignal | undefined;
}

/** A non-2xx answer; `body` is the parsed Status when the server sent one. */
export class ApiStatusError extends Error {
  readonly statusCode: number;
  readonly body: unknown;
  readonly headers: Record<string, string | string[] | undefined>;

  constructor(statusCode: number, body: unknown, headers: http.IncomingHttpHeaders) {
    super(`HTTP ${statusCode}`);
    this.name = "ApiStatusError";
    this.statusCode = statusCode;
    this.body = body;
    this.headers = headers;
  }
}

export type WatchEventHandler = (type: string, object: unknown) => void;

/**
 * Plain JSON over HTTP(S) with the kubeconfig's credentials. client-node's typed `KubernetesObjectApi` is not used
 * for requests: its serializer drops every field its models do not know (a manifest written for a newer
 * Kubernetes would be silently truncated), turns timestamps into Dates and cannot send JSON patches. client-node
 * still does the hard parts: kubeconfig parsing, exec/OIDC credentials and TLS material.
 */
export class ApiTransport {
  private count = 0;
  private readonly agents = new Map<string, http.Agent>();

  constructor(
    private readonly kubeConfig: KubeConfig,
    readonly server: string,
    private readonly requestTimeoutSeconds: number,
    private readonly env: Record<string, string | undefined> = process.env,
  ) {}

  requestCount(): number {
    return this.count;
  }

  async request<T = any>(request: ApiRequest): Promise<T> {
    this.count++;
    recordRequest(request.method, request.path);
    const body = request.body === undefined ? undefined : Buffer.from(JSON.stringify(request.body));
    const extraHeaders: http.OutgoingHttpHeaders = {
      ...request.headers,
      Accept: request.accept ?? "application/json",
    };
    if (body) {
      extraHeaders["Content-Type"] = request.contentType ?? "application/json";
      extraHeaders["Content-Length"] = body.length;
    }
    const { send, url, options } = await this.prepare(
      request.method,
      request.path,
      request.query,
      extraHeaders,
    );
    return new Promise<T>((resolve, reject) => {
      const req = send(url, options, (res) => {
        readBody(res).then((text) => {
          const status = res.statusCode ?? 0;
          const parsed = parseJson(text);
          if (status >= 200 && status < 300) resolve(parsed as T);
          else reject(new ApiStatusError(status, parsed, res.headers));
        }, reject);
      });
      req.setTimeout(this.requestTimeoutSeconds * 1000, () =>
        req.destroy(timeoutError(this.requestTimeoutSeconds)),
      );
      req.on("error", reject);
      const { signal } = request;
      if (signal) {
        const abort = () =>
          req.destroy(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
        if (signal.aborted) abort();
        else signal.addEventListener("abort", abort, { once: true });
        req.on("close", () => signal.removeEventListener("abort", abort));
      }
      req.end(body);
    });
  }

  /**
   * Opens a watch stream (`?watch=true`, one JSON event per line). `onDone` is called exactly once unless the
   * watch is stopped first: with null when the server closed the stream, with the error otherwise (including a
   * stream that could not be opened). The returned stop function works even while the connection is being made,
   * which client-node's `Watch` cannot do (it hands out its AbortController only once headers have arrived).
   */
  watch(
    path: string,
    query: QueryParams,
    onEvent: WatchEventHandler,
    onDone: (error: unknown) => void,
  ): () => void {
    this.count++;
    recordRequest("WATCH", path);
    let finished = false;
    let request: http.ClientRequest | undefined;
    const finish = (error: unknown) => {
      if (finished) return;
      finished = true;
      request?.destroy();
      onDone(error);
    };
    this.prepare("GET", path, { ...query, watch: true }, { Accept: "application/json" }).then(
      ({ send, url, options }) => {
        if (finished) return;
        request = send(url, options, (res) => {
          if (res.statusCode !== 200) {
            readBody(res).then(
              (text) => finish(new ApiStatusError(res.statusCode ?? 0, parseJson(text), res.headers)),
              finish,
            );
            return;
          }
          res.setEncoding("utf8");
          let pending = "";
          res.on("data", (chunk: string) => {
            pending += chunk;
            let newline = pending.indexOf("\n");
            while (newline >= 0 && !finished) {
              const line = pending.slice(0, newline).trim();
              pending = pending.slice(newline + 1);
              if (line) {
                const event = parseJson(line) as { type?: unknown; object?: unknown } | undefined;
                if (event && typeof event.type === "string") onEvent(event.type, event.object);
              }
              newline = pending.indexOf("\n");
            }
          });
          res.on("end", () => finish(null));
          res.on("error", finish);
          res.on("close", () => finish(res.complete ? null : connectionLost()));
        });
        request.on("error", finish);
        request.end();
      },
      finish,
    );
    return () => {
      finished = true;
      request?.destroy();
    };
  }

  private async prepare(
    method: HttpMethod,
    path: string,
    query: QueryParams | undefined,
    extra: http.OutgoingHttpHeaders,
  ) {
    const auth: https.RequestOptions = {};
    // Credentials are re-applied per request: exec plugins and OIDC tokens expire.
    await this.kubeConfig.applyToHTTPSOptions(auth);
    const url = this.url(path, query);
    const options: https.RequestOptions = {
      method,
      headers: { ...extra, ...(auth.headers ?? {}), "User-Agent": "kfp-upgrade" },
      auth: auth.auth,
      agent: this.agentFor(url, auth),
    };
    const send = url.protocol === "http:" ? http.request : https.request;
    return { send, url, options };
  }

  /** `server` may carry a path prefix (Rancher, proxies): `https://host/k8s/clusters/c-1` + `/api/v1`. */
  url(path: string, query: QueryParams = {}): URL {
    const url = new URL(this.server.replace(/\/$/, "") + path);
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url;
  }

  // client-node makes a fresh Agent (so a fresh TCP+TLS handshake) per request; reuse one per TLS identity instead.
  private agentFor(url: URL, options: https.RequestOptions): http.Agent | undefined {
    if (this.kubeConfig.getCurrentCluster()?.proxyUrl) {
      return options.agent instanceof http.Agent ? options.agent : undefined;
    }
    const tls = {
      ca: options.ca,
      cert: options.cert,
      key: options.key,
      pfx: options.pfx,
      passphrase: options.passphrase,
      rejectUnauthorized: options.rejectUnauthorized,
      servername: options.servername,
    };
    // HTTPS_PROXY / HTTP_PROXY / NO_PROXY, as kubectl honours them (a kubeconfig proxy-url wins, above).
    const proxy = proxyForUrl(url, this.env);
    const hash = createHash("sha256")
      .update(url.protocol)
      .update(`\0proxy=${proxy ?? ""}`);
    for (const [name, value] of Object.entries(tls)) hash.update(`\0${name}=`).update(String(value ?? ""));
    const key = hash.digest("hex");
    let agent = this.agents.get(key);
    if (!agent) {
      const options = { ...withoutUndefined(tls), keepAlive: true };
      if (proxy) {
        agent =
          url.protocol === "http:"
            ? new HttpProxyAgent({ proxy, keepAlive: true })
            : new HttpsProxyAgent({ ...options, proxy });
      } else {
        agent = url.protocol === "http:" ? new http.Agent({ keepAlive: true }) : new https.Agent(options);
      }
      this.agents.set(key, agent);
    }
    return agent;
  }
}

function readBody(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on("data", (chunk: Buffer) => chunks.push(chunk));
    res.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    res.on("error", reject);
    res.on("close", () => {
      if (!res.complete) reject(connectionLost());
    });
  });
}

function connectionLost(): Error {
  return Object.assign(new Error("connection closed before the answer was complete"), { code: "ECONNRESET" });
}

function timeoutError(seconds: number): Error {
  return Object.assign(new Error(`no answer within ${seconds}s`), { code: "KUBE_REQUEST_TIMEOUT" });
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

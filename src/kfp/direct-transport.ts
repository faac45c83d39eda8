import { UsageError } from "../errors.js";
import { KfpApiError } from "./kfp-api-error.js";
import type { KfpTransport } from "./kfp-transport.js";

export interface DirectTransportOptions {
  /** A request with no complete answer for this long fails as `unreachable` (default 30). */
  timeoutSeconds?: number | undefined;
  /** Node's global fetch unless given. */
  fetch?: typeof fetch | undefined;
}

/**
 * KFP's API at `--kfp-endpoint URL` (an ingress, a port-forward), with Node's fetch and nothing fancy:
 * - the URL's path is a prefix (`https://host/pipeline` + `/apis/v2beta1/...`, as Kubeflow's dashboard serves it);
 * - TLS is verified against Node's CA store (its bundled roots, plus NODE_EXTRA_CA_CERTS); there is no flag to skip
 *   verification and no client certificate; kubeconfig credentials are not used;
 * - redirects are not followed: an ingress that redirects to a login page fails as `redirected`, naming where to;
 * - no retries: the caller decides how long to wait for a rollout.
 */
export function directTransport(endpoint: string, options: DirectTransportOptions = {}): KfpTransport {
  const base = parseEndpoint(endpoint);
  const send = options.fetch ?? fetch;
  const timeoutSeconds = options.timeoutSeconds ?? 30;
  const target = base.href;
  return {
    target,
    async get(path, query = {}, headers = {}) {
      const url = new URL(base.href.replace(/\/$/, "") + path);
      for (const [key, value] of Object.entries(query)) {
        if (value !== undefined) url.searchParams.set(key, String(value));
      }
      const what = `GET ${url.pathname}${url.search} at ${target}`;
      let status: number;
      let location: string | null;
      let text: string;
      try {
        const response = await send(url, {
          method: "GET",
          headers: { ...headers, Accept: "application/json" },
          redirect: "manual",
          signal: AbortSignal.timeout(timeoutSeconds * 1000),
        });
        status = response.status;
        location = response.headers.get("location");
        text = await response.text();
      } catch (error) {
        const reason = describeFetchFailure(error, timeoutSeconds);
        throw new KfpApiError("unreachable", path, `${what}: ${reason}`, {
          cause: error,
          hint: "Check --kfp-endpoint (the URL that serves /apis/v2beta1/healthz) and that KFP is running.",
        });
      }
      if (status >= 300 && status < 400) {
        throw new KfpApiError("redirected", path, `${what}: redirected (${status}) to ${location ?? "?"}`, {
          statusCode: status,
          hint: "The endpoint sends requests elsewhere (a login page?): use a URL that serves KFP's API directly.",
        });
      }
      const body = parseJson(text);
      if (status < 200 || status >= 300) {
        throw new KfpApiError("answered", path, `${what}: KFP answered ${status}${errorText(body)}`, {
          statusCode: status,
        });
      }
      if (body === NOT_JSON) {
        throw new KfpApiError(
          "invalid-answer",
          path,
          `${what}: the answer is not JSON: ${text.slice(0, 80)}`,
          {
            hint: "Is --kfp-endpoint KFP's API (not the UI or a login page)?",
          },
        );
      }
      return body;
    },
  };
}

function parseEndpoint(endpoint: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:") || url.search || url.hash) {
    throw new UsageError("KFP_ENDPOINT_INVALID", `--kfp-endpoint ${endpoint}: not an http(s) URL`, {
      hint: "Pass the URL KFP's API is served at, e.g. https://kubeflow.example.com/pipeline",
    });
  }
  return url;
}

const NOT_JSON = Symbol("not JSON");

function parseJson(text: string): unknown {
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}

// grpc-gateway error bodies: `{error, code, message, details}` (v1) or `{code, message, details}`.
function errorText(body: unknown): string {
  if (typeof body !== "object" || body === null) return "";
  const record = body as Record<string, unknown>;
  const text = [record.message, record.error].find((value) => typeof value === "string" && value);
  return typeof text === "string" ? `: ${text.slice(0, 300)}` : "";
}

function describeFetchFailure(error: unknown, timeoutSeconds: number): string {
  const record = typeof error === "object" && error !== null ? (error as Record<string, unknown>) : {};
  if (record.name === "TimeoutError") return `no answer within ${timeoutSeconds}s`;
  const cause = typeof record.cause === "object" && record.cause !== null ? record.cause : undefined;
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (typeof code === "string") return `cannot connect: ${code}`;
  const message = error instanceof Error ? error.message : String(error);
  // undici says only "fetch failed"; the reason is in `cause` ("bad port", an invalid header, …).
  return cause instanceof Error ? `${message}: ${cause.message}` : message;
}

import { readFile } from "node:fs/promises";
import { Agent, request as httpsRequest } from "node:https";
import { setTimeout as sleep } from "node:timers/promises";
import type { Pki } from "./generate-pki.js";

/**
 * The harness talks to the apiserver over plain HTTPS with the admin cert: it must not depend on the code under
 * test (src/kube) nor on a kubectl of some other version.
 */
export interface KubeRest {
  request(
    method: string,
    path: string,
    body?: unknown,
    contentType?: string,
  ): Promise<{ statusCode: number; body: unknown; text: string }>;
  /** Like request, but throws unless the status is 2xx (or listed in `allow`). */
  expect(method: string, path: string, body?: unknown, allow?: number[]): Promise<unknown>;
}

export async function createKubeRest(apiServerUrl: string, pki: Pki): Promise<KubeRest> {
  const agent = new Agent({
    ca: await readFile(pki.caCert),
    cert: await readFile(pki.adminCert),
    key: await readFile(pki.adminKey),
    keepAlive: false,
  });
  const rest: KubeRest = {
    request(method, path, body, contentType = "application/json") {
      return new Promise((resolve, reject) => {
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const req = httpsRequest(
          new URL(path, apiServerUrl),
          {
            method,
            agent,
            timeout: 10_000,
            headers: {
              accept: "application/json",
              ...(payload === undefined ? {} : { "content-type": contentType }),
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (chunk: Buffer) => chunks.push(chunk));
            res.on("end", () => {
              const text = Buffer.concat(chunks).toString("utf8");
              let parsed: unknown = text;
              try {
                parsed = JSON.parse(text);
              } catch {
                // not JSON (e.g. /readyz): keep the text
              }
              resolve({ statusCode: res.statusCode ?? 0, body: parsed, text });
            });
            res.on("error", reject);
          },
        );
        req.on("timeout", () => req.destroy(new Error(`${method} ${path}: timed out`)));
        req.on("error", reject);
        req.end(payload);
      });
    },
    async expect(method, path, body, allow = []) {
      const res = await rest.request(method, path, body);
      if ((res.statusCode >= 200 && res.statusCode < 300) || allow.includes(res.statusCode)) return res.body;
      throw new Error(`${method} ${path}: API server says ${res.statusCode}: ${res.text.slice(0, 500)}`);
    },
  };
  return rest;
}

/** Polls `check` until it returns a value other than undefined; the error names `what` and the last failure. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  options: { timeoutMs: number; intervalMs?: number; onTimeout?: () => Promise<string> },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    await sleep(options.intervalMs ?? 250);
  }
  const detail = lastError instanceof Error ? `: ${lastError.message}` : "";
  const extra = options.onTimeout ? `\n${await options.onTimeout()}` : "";
  throw new Error(`timed out after ${options.timeoutMs / 1000}s waiting for ${what}${detail}${extra}`);
}

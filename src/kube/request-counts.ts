import { writeFileSync } from "node:fs";

/**
 * Every request this process sent to the API server, by `METHOD resource` (`PATCH deployments`, `WATCH pods`,
 * `POST selfsubjectaccessreviews`), for `npm run bench`. With KFP_UPGRADE_REQUEST_COUNTS=<file> the counts are
 * written there as JSON when the process exits; nothing is printed otherwise.
 */
export const REQUEST_COUNTS_ENV = "KFP_UPGRADE_REQUEST_COUNTS";

export interface RequestCounts {
  total: number;
  byRoute: Record<string, number>;
}

const counts: RequestCounts = { total: 0, byRoute: {} };
let dumpInstalled = false;

/** The resource a request path names: `/apis/apps/v1/namespaces/x/deployments/y/status` -> `deployments`. */
export function resourceOfPath(path: string): string {
  const parts = path.split("?")[0]?.split("/").filter(Boolean) ?? [];
  // /api/<version>/... or /apis/<group>/<version>/...
  const rest = parts[0] === "api" ? parts.slice(2) : parts[0] === "apis" ? parts.slice(3) : null;
  if (rest === null) return parts.length > 0 ? `/${parts.join("/")}` : "/";
  if (rest.length === 0) return "discovery";
  const scoped = rest[0] === "namespaces" && rest.length >= 3 ? rest.slice(2) : rest;
  const [resource, , sub] = scoped;
  return sub ? `${resource}/${sub}` : (resource ?? "discovery");
}

export function recordRequest(method: string, path: string): void {
  const route = `${method} ${resourceOfPath(path)}`;
  counts.total += 1;
  counts.byRoute[route] = (counts.byRoute[route] ?? 0) + 1;
}

export function requestCounts(): RequestCounts {
  return { total: counts.total, byRoute: { ...counts.byRoute } };
}

/** When `env` names a file, writes the counts there as the process exits (once per process). */
export function dumpRequestCountsOnExit(env: Record<string, string | undefined>): void {
  const file = env[REQUEST_COUNTS_ENV];
  if (!file || dumpInstalled) return;
  dumpInstalled = true;
  process.once("exit", () => {
    const sorted = Object.fromEntries(Object.entries(counts.byRoute).sort(([a], [b]) => (a < b ? -1 : 1)));
    writeFileSync(file, `${JSON.stringify({ total: counts.total, byRoute: sorted }, null, 2)}\n`);
  });
}

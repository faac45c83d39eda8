import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";

/**
 * A stand-in of the Google Cloud APIs gcloud calls (Compute Engine v1, Deployment Manager v2, Source Repositories
 * v1), on 127.0.0.1, for the REAL gcloud to talk to through `api_endpoint_overrides`. It answers with the APIs'
 * JSON shapes, taken from their public discovery documents:
 * - Compute Engine v1 https://compute.googleapis.com/$discovery/rest?version=v1 : schemas "Disk" (disks.get,
 *   regionDisks.get, disks.insert), "DiskAggregatedList" (disks.aggregatedList), "Operation" (zoneOperations.get / .wait: status PENDING -> RUNNING -> DONE);
 *   "Snapshot" (snapshots.insert `POST projects/P/global/snapshots`, which is what `gcloud compute snapshots create
 *   --source-disk` sends, checked by running it against this stand-in; snapshots.get; status CREATING -> READY) with
 *   its "Operation" (globalOperations.get / .wait);
 * - Deployment Manager v2 https://deploymentmanager.googleapis.com/$discovery/rest?version=v2 : "Deployment"
 *   (deployments.get) and "ResourcesListResponse" / "Resource" (resources.list);
 * - Cloud Source Repositories v1 https://sourcerepo.googleapis.com/$discovery/rest?version=v1 : "Repo" (repos.get,
 *   `GET v1/projects/P/repos/R`: `{name: "projects/P/repos/R", url, size, mirrorConfig?}`, size an int64 string) and
 *   "ListReposResponse" (repos.list). The real `url` is `https://source.developers.google.com/p/P/r/R`; here it is
 *   `file://` + a local git repository, which `gcloud source repos clone` hands to `git clone` as it is (it adds its
 *   credential helper only for https://source.developers.google.com/ URLs: googlecloudsdk/api_lib/source/git.py
 *   `_GetCredHelperCommand`, gcloud 528), so the REAL gcloud clones offline;
 * - errors in Google's JSON error format (https://cloud.google.com/apis/design/errors): `{error: {code, message,
 *   status, errors: [{reason, domain, message}], details: [google.rpc.ErrorInfo]}}`.
 * It keeps state (disks, deployments, operations), records every request, and can be told to fail requests.
 *
 * What it cannot show: real IAM, real quotas, or how long real operations take; the errors it returns are the
 * documented shapes, not captured from a real project. A snapshot here holds no data (there is none on its disks),
 * and no disk can be created from one.
 */

export interface StandInDisk {
  name: string;
  /** Zonal disk: its zone. */
  zone?: string;
  /** Regional disk: its region and the zones it is replicated in. */
  region?: string;
  replicaZones?: string[];
  sizeGb: number;
  /** Instance names it is attached to. */
  users?: string[];
}

export interface StandInDeployment {
  name: string;
  resources: Array<{ name: string; type: string; properties?: string }>;
}

/** A Cloud Source Repositories repository, served from a local git repository (cloned over `file://`). */
export interface StandInSourceRepo {
  name: string;
  /** A git repository on this machine (a working tree or a bare one). */
  gitDir: string;
  /** A mirrored repository (GitHub, Bitbucket): gcloud warns that pushes to the clone have no effect. */
  mirrorUrl?: string;
}

export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  /** The JSON body of a POST, parsed. */
  body?: unknown;
}

export interface StandInSnapshot {
  name: string;
  /** The disk's URL, as the API stores it (`https://www.googleapis.com/compute/v1/projects/P/zones/Z/disks/D`). */
  sourceDisk: string;
  diskSizeGb: number;
  /** CREATING until `readyAfterGets` GETs of it have been answered, then READY. */
  status: "CREATING" | "READY" | "FAILED";
}

/** `hang`: never answers (gcloud waits until it times out). */
export type FailureKind = "permission" | "apiDisabled" | "quota" | "notFound" | "hang";

export interface InjectedFailure {
  method?: string;
  path: RegExp;
  kind: FailureKind;
  /** How many requests fail; unlimited when omitted. */
  times?: number;
}

export interface GcloudStandIn {
  readonly url: string;
  readonly project: string;
  readonly requests: RecordedRequest[];
  addDisk(disk: StandInDisk): void;
  addDeployment(deployment: StandInDeployment): void;
  addSourceRepo(repo: StandInSourceRepo): void;
  /** A snapshot that exists already (as an earlier attempt left it). */
  addSnapshot(snapshot: StandInSnapshot): void;
  snapshot(name: string): StandInSnapshot | undefined;
  fail(failure: InjectedFailure): void;
  /**
   * Called with each request before it is answered (gcloud waits for the answer meanwhile): a test can look at the
   * cluster at the moment gcloud asked. Replaces the previous hook; null removes it.
   */
  onRequest(hook: ((request: RecordedRequest) => Promise<void> | void) | null): void;
  /**
   * A throwaway CLOUDSDK_CONFIG pointing gcloud at this stand-in; removed by close(). `account`: core/account (what
   * `gcloud config get-value account` prints). `accessTokenFile`: auth/access_token_file names a file holding a
   * dummy token. `gcloud source repos clone` insists on loaded credentials even with auth/disable_credentials (its
   * Run() calls `c_store.Load()`, which raises "You do not currently have an active account selected" otherwise:
   * surface/source/repos/clone.py and core/credentials/store.py `_Load`, gcloud 528, seen when run against this
   * stand-in); an access token file satisfies it without any login. With auth/disable_credentials the token is
   * never sent.
   */
  configDir(options?: {
    disableCredentials?: boolean;
    account?: string;
    accessTokenFile?: boolean;
  }): Promise<string>;
  /** The requests gcloud made, as `GET /compute/v1/projects/p/zones/z/disks/d`. */
  requestLines(): string[];
  close(): Promise<void>;
}

const COMPUTE = "https://www.googleapis.com/compute/v1";
const run = promisify(execFile);

export async function startGcloudStandIn(
  options: {
    project?: string;
    /** How many GETs of a new snapshot answer CREATING before it is READY (2 unless told). */
    snapshotReadyAfterGets?: number;
  } = {},
): Promise<GcloudStandIn> {
  const project = options.project ?? "kfp-test-project";
  const readyAfterGets = options.snapshotReadyAfterGets ?? 2;
  const snapshots = new Map<string, StandInSnapshot & { gets: number; created: string }>();
  const disks = new Map<string, StandInDisk>();
  const deployments = new Map<string, StandInDeployment>();
  const sourceRepos = new Map<string, StandInSourceRepo>();
  const operations = new Map<string, { polls: number; body: Record<string, unknown>; done: () => void }>();
  const failures: InjectedFailure[] = [];
  const requests: RecordedRequest[] = [];
  const dirs: string[] = [];
  let operationCount = 0;
  let requestHook: ((request: RecordedRequest) => Promise<void> | void) | null = null;

  const diskKey = (location: string, name: string) => `${location}/${name}`;
  const diskJson = (disk: StandInDisk) => ({
    kind: "compute#disk",
    id: String(1_000_000 + disk.name.length),
    creationTimestamp: "2019-04-01T10:00:00.000-07:00",
    name: disk.name,
    sizeGb: String(disk.sizeGb),
    ...(disk.zone ? { zone: `${COMPUTE}/projects/${project}/zones/${disk.zone}` } : {}),
    ...(disk.region
      ? {
          region: `${COMPUTE}/projects/${project}/regions/${disk.region}`,
          replicaZones: (disk.replicaZones ?? []).map(
            (zone) => `${COMPUTE}/projects/${project}/zones/${zone}`,
          ),
        }
      : {}),
    status: "READY",
    selfLink: `${COMPUTE}/projects/${project}/${disk.zone ? `zones/${disk.zone}` : `regions/${disk.region}`}/disks/${disk.name}`,
    type: `${COMPUTE}/projects/${project}/zones/${disk.zone ?? disk.replicaZones?.[0]}/diskTypes/pd-standard`,
    ...(disk.users && disk.users.length > 0
      ? {
          users: disk.users.map(
            (user) =>
              `${COMPUTE}/projects/${project}/zones/${disk.zone ?? disk.replicaZones?.[0]}/instances/${user}`,
          ),
        }
      : {}),
    physicalBlockSizeBytes: "4096",
  });

  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on("end", async () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const method = req.method ?? "GET";
      const route = url.pathname;
      const recorded = {
        method,
        path: route,
        ...(method === "POST" && body ? { body: parseJson(body) } : {}),
      };
      requests.push(recorded);
      await requestHook?.(recorded);
      const send = (status: number, json: unknown) => {
        res.writeHead(status, { "content-type": "application/json; charset=UTF-8" });
        res.end(JSON.stringify(json));
      };
      const failure = failures.find((f) => (f.method ?? method) === method && f.path.test(route));
      if (failure) {
        if (failure.times !== undefined && --failure.times <= 0)
          failures.splice(failures.indexOf(failure), 1);
        const [status, error] = errorBody(failure.kind, route, project, method);
        send(status, error);
        return;
      }
      const notFound = () => {
        const [status, error] = errorBody("notFound", route, project);
        send(status, error);
      };
      const other = /^\/(compute\/v1|deploymentmanager\/v2|v1)\/projects\/([^/]+)/.exec(route);
      if (other && other[2] !== project) {
        // The real APIs name the project, not the resource, when the project does not exist.
        const message = `The resource 'projects/${other[2]}' was not found`;
        send(404, {
          error: { code: 404, message, errors: [{ message, domain: "global", reason: "notFound" }] },
        });
        return;
      }
      if (route === `/compute/v1/projects/${project}/aggregated/disks` && method === "GET") {
        // disks.aggregatedList: "DiskAggregatedList", items keyed by scope; gcloud applies --filter itself too.
        const items: Record<string, { disks: unknown[] }> = {};
        for (const disk of disks.values()) {
          const scope = disk.zone ? `zones/${disk.zone}` : `regions/${disk.region}`;
          items[scope] ??= { disks: [] };
          items[scope].disks.push(diskJson(disk));
        }
        send(200, { kind: "compute#diskAggregatedList", id: `projects/${project}/aggregated/disks`, items });
        return;
      }
      // sourcerepo v1 repos.get ("Repo") and repos.list ("ListReposResponse").
      const repoGet = /^\/v1\/projects\/([^/]+)\/repos\/([^/]+)$/.exec(route);
      if (repoGet && method === "GET") {
        const repo = sourceRepos.get(decodeURIComponent(repoGet[2] ?? ""));
        if (repo) send(200, repoJson(project, repo));
        else notFound();
        return;
      }
      if (route === `/v1/projects/${project}/repos` && method === "GET") {
        send(200, { repos: [...sourceRepos.values()].map((repo) => repoJson(project, repo)) });
        return;
      }
      let m = /^\/compute\/v1\/projects\/([^/]+)\/(zones|regions)\/([^/]+)\/disks\/([^/]+)$/.exec(route);
      if (m && method === "GET") {
        const disk = m[1] === project ? disks.get(diskKey(`${m[2]}/${m[3]}`, m[4] ?? "")) : undefined;
        if (disk) send(200, diskJson(disk));
        else notFound();
        return;
      }
      m = /^\/compute\/v1\/projects\/([^/]+)\/zones\/([^/]+)\/disks$/.exec(route);
      if (m && method === "POST" && m[1] === project) {
        const zone = m[2] ?? "";
        const request = JSON.parse(body || "{}") as { name: string; sizeGb?: string };
        const name = `operation-${++operationCount}`;
        const selfLink = `${COMPUTE}/projects/${project}/zones/${zone}/operations/${name}`;
        const operation = {
          kind: "compute#operation",
          id: String(9_000 + operationCount),
          name,
          zone: `${COMPUTE}/projects/${project}/zones/${zone}`,
          operationType: "insert",
          targetLink: `${COMPUTE}/projects/${project}/zones/${zone}/disks/${request.name}`,
          status: "PENDING",
          progress: 0,
          insertTime: new Date().toISOString(),
          selfLink,
        };
        operations.set(name, {
          polls: 0,
          body: operation,
          done: () =>
            disks.set(diskKey(`zones/${zone}`, request.name), {
              name: request.name,
              zone,
              sizeGb: Number(request.sizeGb ?? "500"),
            }),
        });
        send(200, operation);
        return;
      }
      m = /^\/compute\/v1\/projects\/([^/]+)\/global\/snapshots$/.exec(route);
      if (m && method === "POST") {
        const request = JSON.parse(body || "{}") as { name: string; sourceDisk: string };
        if (snapshots.has(request.name)) {
          const message = `The resource 'projects/${project}/global/snapshots/${request.name}' already exists`;
          send(409, {
            error: { code: 409, message, errors: [{ message, domain: "global", reason: "alreadyExists" }] },
          });
          return;
        }
        const disk = [...disks.values()].find((d) =>
          request.sourceDisk.endsWith(
            `/${d.zone ? `zones/${d.zone}` : `regions/${d.region}`}/disks/${d.name}`,
          ),
        );
        if (!disk) return notFound();
        const name = `operation-${++operationCount}`;
        const operation = {
          kind: "compute#operation",
          id: String(9_000 + operationCount),
          name,
          operationType: "insert",
          targetLink: `${COMPUTE}/projects/${project}/global/snapshots/${request.name}`,
          status: "PENDING",
          progress: 0,
          insertTime: new Date().toISOString(),
          selfLink: `${COMPUTE}/projects/${project}/global/operations/${name}`,
        };
        operations.set(name, {
          polls: 0,
          body: operation,
          done: () =>
            snapshots.set(request.name, {
              name: request.name,
              sourceDisk: `${COMPUTE}/projects/${project}/${disk.zone ? `zones/${disk.zone}` : `regions/${disk.region}`}/disks/${disk.name}`,
              diskSizeGb: disk.sizeGb,
              status: "CREATING",
              gets: 0,
              created: new Date().toISOString(),
            }),
        });
        send(200, operation);
        return;
      }
      m = /^\/compute\/v1\/projects\/([^/]+)\/global\/snapshots\/([^/]+)$/.exec(route);
      if (m && method === "GET") {
        const snapshot = snapshots.get(m[2] ?? "");
        if (!snapshot) return notFound();
        snapshot.gets += 1;
        if (snapshot.status === "CREATING" && snapshot.gets > readyAfterGets) snapshot.status = "READY";
        send(200, snapshotJson(snapshot));
        return;
      }
      m = /^\/compute\/v1\/projects\/([^/]+)\/(?:zones\/[^/]+|global)\/operations\/([^/]+?)(\/wait)?$/.exec(
        route,
      );
      if (m) {
        const operation = operations.get(m[2] ?? "");
        if (!operation) return notFound();
        operation.polls += 1;
        // PENDING when created, RUNNING at the first poll, DONE (and the disk created) from the second.
        const status = operation.polls >= 2 ? "DONE" : "RUNNING";
        if (status === "DONE" && operation.body.status !== "DONE") operation.done();
        operation.body = { ...operation.body, status, progress: status === "DONE" ? 100 : 50 };
        send(200, operation.body);
        return;
      }
      m = /^\/deploymentmanager\/v2\/projects\/([^/]+)\/global\/deployments\/([^/]+)(\/resources)?$/.exec(
        route,
      );
      if (m && method === "GET") {
        const deployment = m[1] === project ? deployments.get(m[2] ?? "") : undefined;
        if (!deployment) return notFound();
        if (m[3]) {
          send(200, {
            resources: deployment.resources.map((resource, index) => ({
              id: String(7_000 + index),
              name: resource.name,
              type: resource.type,
              ...(resource.properties
                ? { properties: resource.properties, finalProperties: resource.properties }
                : {}),
              url:
                resource.type === "compute.v1.disk"
                  ? `${COMPUTE}/projects/${project}/zones/x/disks/${resource.name}`
                  : undefined,
              insertTime: "2019-04-01T10:00:00.000-07:00",
            })),
          });
        } else {
          send(200, {
            id: "5555",
            name: deployment.name,
            fingerprint: "AAAAAAAAAAA=",
            insertTime: "2019-04-01T10:00:00.000-07:00",
            operation: {
              kind: "deploymentmanager#operation",
              name: "operation-1554138000000",
              status: "DONE",
              progress: 100,
            },
            selfLink: `https://www.googleapis.com/deploymentmanager/v2/projects/${project}/global/deployments/${deployment.name}`,
          });
        }
        return;
      }
      notFound();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    project,
    requests,
    addDisk(disk) {
      const location = disk.zone ? `zones/${disk.zone}` : `regions/${disk.region}`;
      disks.set(diskKey(location, disk.name), disk);
    },
    addDeployment(deployment) {
      deployments.set(deployment.name, deployment);
    },
    addSourceRepo(repo) {
      sourceRepos.set(repo.name, repo);
    },
    addSnapshot(snapshot) {
      snapshots.set(snapshot.name, { ...snapshot, gets: 0, created: new Date().toISOString() });
    },
    snapshot(name) {
      const found = snapshots.get(name);
      if (!found) return undefined;
      const { gets: _gets, created: _created, ...snapshot } = found;
      return snapshot;
    },
    fail(failure) {
      failures.push({ ...failure });
    },
    onRequest(hook) {
      requestHook = hook;
    },
    async configDir(configOptions = {}) {
      const dir = await mkdtemp(path.join(os.tmpdir(), "kfp-gcloud-config-"));
      dirs.push(dir);
      const settings: Array<[string, string]> = [
        ["core/project", project],
        ["api_endpoint_overrides/compute", `${url}/compute/v1/`],
        ["api_endpoint_overrides/deploymentmanager", `${url}/`],
        ["api_endpoint_overrides/sourcerepo", `${url}/`],
        ["core/disable_usage_reporting", "true"],
        ["component_manager/disable_update_check", "true"],
      ];
      if (configOptions.disableCredentials !== false) settings.unshift(["auth/disable_credentials", "true"]);
      if (configOptions.account) settings.push(["core/account", configOptions.account]);
      if (configOptions.accessTokenFile) {
        const tokenFile = path.join(dir, "dummy-access-token");
        await writeFile(tokenFile, "not-a-real-token\n");
        settings.push(["auth/access_token_file", tokenFile]);
      }
      for (const [key, value] of settings) {
        await run("gcloud", ["config", "set", key, value, "--quiet"], {
          env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root", CLOUDSDK_CONFIG: dir },
        });
      }
      return dir;
    },
    requestLines() {
      return requests.map((request) => `${request.method} ${request.path}`);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A Repo resource (sourcerepo v1 discovery schema "Repo"): `size` is an int64, so a string. */
function repoJson(project: string, repo: StandInSourceRepo) {
  return {
    name: `projects/${project}/repos/${repo.name}`,
    size: "2048",
    url: pathToFileURL(repo.gitDir).href,
    ...(repo.mirrorUrl ? { mirrorConfig: { url: repo.mirrorUrl, webhookId: "1", deployKeyId: "1" } } : {}),
  };
}

/** A Snapshot resource (discovery schema "Snapshot"): int64 fields are strings, links are URLs. */
function snapshotJson(snapshot: StandInSnapshot & { created: string }) {
  const project = /\/projects\/([^/]+)\//.exec(snapshot.sourceDisk)?.[1] ?? "";
  return {
    kind: "compute#snapshot",
    id: String(3_000_000 + snapshot.name.length),
    creationTimestamp: snapshot.created,
    name: snapshot.name,
    status: snapshot.status,
    sourceDisk: snapshot.sourceDisk,
    sourceDiskId: String(1_000_000 + (snapshot.sourceDisk.split("/").at(-1) ?? "").length),
    diskSizeGb: String(snapshot.diskSizeGb),
    storageBytes: snapshot.status === "READY" ? String(snapshot.diskSizeGb * 1024 ** 2) : "0",
    storageBytesStatus: snapshot.status === "READY" ? "UP_TO_DATE" : "UPDATING",
    storageLocations: ["us"],
    selfLink: `${COMPUTE}/projects/${project}/global/snapshots/${snapshot.name}`,
  };
}

function errorBody(kind: FailureKind, route: string, project: string, method = "GET"): [number, unknown] {
  const resource = route.replace(/^\/(compute\/|deploymentmanager\/)?v\d+\//, "");
  // Cloud Source Repositories is a One Platform API: its errors carry the google.rpc status and its canonical
  // message (https://cloud.google.com/apis/design/errors#handling_errors), not Compute's `errors[]` reasons.
  if (route.startsWith("/v1/") && (kind === "notFound" || kind === "permission")) {
    const [code, status, message] =
      kind === "notFound"
        ? [404, "NOT_FOUND", "Requested entity was not found."]
        : [403, "PERMISSION_DENIED", "The caller does not have permission"];
    return [code, { error: { code, message, status } }];
  }
  switch (kind) {
    case "notFound": {
      const message = `The resource '${resource}' was not found`;
      return [
        404,
        { error: { code: 404, message, errors: [{ message, domain: "global", reason: "notFound" }] } },
      ];
    }
    case "permission": {
      const permission = /\/snapshots/.test(route)
        ? `compute.snapshots.${method === "POST" ? "create" : "get"}`
        : "compute.disks.get";
      const message = `Required '${permission}' permission for '${resource}'`;
      return [
        403,
        {
          error: {
            code: 403,
            message,
            errors: [{ message, domain: "global", reason: "forbidden" }],
            status: "PERMISSION_DENIED",
          },
        },
      ];
    }
    case "apiDisabled": {
      const [service, title] = route.startsWith("/deploymentmanager")
        ? ["deploymentmanager.googleapis.com", "Cloud Deployment Manager V2 API"]
        : route.startsWith("/v1/")
          ? ["sourcerepo.googleapis.com", "Cloud Source Repositories API"]
          : ["compute.googleapis.com", "Compute Engine API"];
      const message = `${title} has not been used in project ${project} before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/${service}/overview?project=${project} then retry.`;
      return [
        403,
        {
          error: {
            code: 403,
            message,
            errors: [
              {
                message,
                domain: "usageLimits",
                reason: "accessNotConfigured",
                extendedHelp: "https://console.developers.google.com",
              },
            ],
            status: "PERMISSION_DENIED",
            details: [
              {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                reason: "SERVICE_DISABLED",
                domain: "googleapis.com",
                metadata: { service, consumer: `projects/${project}` },
              },
            ],
          },
        },
      ];
    }
    case "quota": {
      const message = `Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute' of service 'compute.googleapis.com' for consumer 'project_number:123456789'.`;
      return [
        429,
        {
          error: {
            code: 429,
            message,
            errors: [{ message, domain: "usageLimits", reason: "rateLimitExceeded" }],
            status: "RESOURCE_EXHAUSTED",
            details: [
              {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                reason: "RATE_LIMIT_EXCEEDED",
                domain: "googleapis.com",
                metadata: { service: "compute.googleapis.com", consumer: "projects/123456789" },
              },
            ],
          },
        },
      ];
    }
    case "hang":
      return [504, {}];
    default:
      kind satisfies never;
      return [500, {}];
  }
}

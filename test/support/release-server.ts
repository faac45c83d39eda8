import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** How the server answers one archive: the bytes, or a failure mode a test wants to see handled. */
export type ArchiveBehaviour =
  | { kind: "serve"; body: Uint8Array }
  /** Sends `body` in `chunks` pieces, `delayMs` apart (progress is visible; an idle timeout below delayMs fires). */
  | { kind: "slow"; body: Uint8Array; chunks: number; delayMs: number }
  /** Answers with this HTTP status. */
  | { kind: "fail"; status: number }
  /** Sends headers and half the body, then stalls until the client gives up. */
  | { kind: "stall"; body: Uint8Array };

export interface ReleaseServer {
  /** `http://127.0.0.1:<port>`: use as --release-source and as KFP_UPGRADE_GITHUB_API. */
  url: string;
  /** Every request path (with query), in order. */
  requests: string[];
  archives: Map<string, ArchiveBehaviour>;
  close(): Promise<void>;
}

export interface ReleaseServerOptions {
  archives?: Record<string, ArchiveBehaviour>;
  /** Tag names for `GET /repos/kubeflow/pipelines/tags`, newest first as GitHub lists them. */
  tags?: readonly string[];
  /** A token the tags endpoint requires as `Authorization: Bearer <token>`, when set. */
  token?: string;
}

/**
 * A stand-in for github.com and api.github.com on 127.0.0.1, following their documented layout: source archives at
 * `/archive/refs/tags/<tag>.tar.gz` (https://docs.github.com/en/repositories/working-with-files/using-files/downloading-source-code-archives)
 * and the tag list at `/repos/<owner>/<repo>/tags?per_page=N&page=P` with a `Link: <…>; rel="next"` header while more
 * pages follow (https://docs.github.com/en/rest/repos/repos#list-repository-tags,
 * https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api). It cannot show GitHub's
 * redirects to codeload.github.com, its rate limits or its archive caching.
 */
export async function startReleaseServer(options: ReleaseServerOptions = {}): Promise<ReleaseServer> {
  const requests: string[] = [];
  const archives = new Map(Object.entries(options.archives ?? {}));
  const tags = options.tags ?? [];
  const open = new Set<ServerResponse>();
  let base = "";
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    requests.push(`${url.pathname}${url.search}`);
    open.add(response);
    response.on("close", () => open.delete(response));
    const archive = /^\/archive\/refs\/tags\/(.+)\.tar\.gz$/.exec(url.pathname);
    if (archive?.[1]) return serveArchive(archives.get(decodeURIComponent(archive[1])), response);
    if (url.pathname === "/repos/kubeflow/pipelines/tags") {
      if (options.token && request.headers.authorization !== `Bearer ${options.token}`) {
        response.writeHead(401, { "content-type": "application/json" });
        return response.end(JSON.stringify({ message: "Bad credentials" }));
      }
      const perPage = Math.min(Number(url.searchParams.get("per_page") ?? 30), 100);
      const page = Number(url.searchParams.get("page") ?? 1);
      const slice = tags.slice((page - 1) * perPage, page * perPage);
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (page * perPage < tags.length) {
        headers.link = `<${base}/repos/kubeflow/pipelines/tags?per_page=${perPage}&page=${page + 1}>; rel="next"`;
      }
      response.writeHead(200, headers);
      return response.end(
        JSON.stringify(
          slice.map((name) => ({
            name,
            zipball_url: `${base}/repos/kubeflow/pipelines/zipball/refs/tags/${name}`,
            tarball_url: `${base}/repos/kubeflow/pipelines/tarball/refs/tags/${name}`,
            commit: {
              sha: "0".repeat(40),
              url: `${base}/repos/kubeflow/pipelines/commits/${"0".repeat(40)}`,
            },
            node_id: `REF_${name}`,
          })),
        ),
      );
    }
    response.writeHead(404).end("Not Found");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    requests,
    archives,
    close: () =>
      new Promise<void>((resolve) => {
        for (const response of open) response.destroy();
        server.close(() => resolve());
      }),
  };
}

function serveArchive(behaviour: ArchiveBehaviour | undefined, response: ServerResponse): void {
  if (!behaviour) {
    response.writeHead(404).end("Not Found");
    return;
  }
  if (behaviour.kind === "fail") {
    response.writeHead(behaviour.status).end("failure injected by the test");
    return;
  }
  const headers = {
    "content-type": "application/x-gzip",
    "content-length": String(behaviour.body.length),
  };
  response.writeHead(200, headers);
  if (behaviour.kind === "serve") {
    response.end(behaviour.body);
    return;
  }
  if (behaviour.kind === "stall") {
    response.write(behaviour.body.subarray(0, Math.floor(behaviour.body.length / 2)));
    return;
  }
  const size = Math.ceil(behaviour.body.length / behaviour.chunks);
  let offset = 0;
  const next = () => {
    if (response.destroyed) return;
    const chunk = behaviour.body.subarray(offset, offset + size);
    offset += size;
    if (offset >= behaviour.body.length) response.end(chunk);
    else {
      response.write(chunk);
      setTimeout(next, behaviour.delayMs);
    }
  };
  next();
}

import { ConfigError } from "../../errors.js";

export interface DownloadOptions {
  /** Called as bytes arrive: received so far, and the total when the server sent Content-Length. */
  onProgress?: (received: number, total: number | undefined) => void;
  /** Give up when no byte arrives for this long (a stalled server); default 60 s. */
  idleTimeoutMs?: number;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/**
 * GETs a URL into memory with node's fetch. A non-2xx answer, a connection error, a stall longer than the idle timeout
 * or a body shorter than its Content-Length is a RELEASE_FETCH_FAILED error naming the URL (never a header: a token
 * may be in them).
 */
export async function download(url: string, options: DownloadOptions = {}): Promise<Uint8Array> {
  const idleMs = options.idleTimeoutMs ?? 60_000;
  const controller = new AbortController();
  const onAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener("abort", onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  let stalled = false;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      controller.abort();
    }, idleMs);
  };
  const failed = (why: string, cause?: unknown) =>
    new ConfigError("RELEASE_FETCH_FAILED", `Cannot download ${url}: ${why}`, {
      cause,
      hint: "Check the network or --release-source; offline, pass --manifests DIR with bundles from `kfp-upgrade release pull`",
    });
  try {
    arm();
    const response = await fetch(url, {
      signal: controller.signal,
      redirect: "follow",
      headers: options.headers,
    });
    if (!response.ok || response.body === null)
      throw failed(`HTTP ${response.status} ${response.statusText}`);
    const lengthHeader = response.headers.get("content-length");
    const total = lengthHeader === null ? undefined : Number(lengthHeader);
    const chunks: Uint8Array[] = [];
    let received = 0;
    const reader = response.body.getReader();
    for (;;) {
      arm();
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      received += value.length;
      options.onProgress?.(received, total);
    }
    if (total !== undefined && received !== total) throw failed(`got ${received} of ${total} bytes`);
    return Buffer.concat(chunks);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    if (stalled) throw failed(`no data for ${Math.round(idleMs / 1000)} s`, error);
    if (options.signal?.aborted) throw error;
    throw failed(describe(error), error);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code ? `${code} (${cause.message})` : cause.message;
  }
  return error.message;
}

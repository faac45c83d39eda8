import { mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { ConfigError } from "../../errors.js";
import { deriveReleaseInfo } from "../derive-release-info.js";
import { loadBundle } from "../load-bundle.js";
import { formatSha256Sums, SHA256SUMS, sha256 } from "../sha256sums.js";
import { download } from "./download.js";
import { extractKustomizeTree } from "./extract-kustomize-tree.js";
import { readTar } from "./read-tar.js";
import { renderKustomization, renderTargets } from "./render-bundle.js";

export const SOURCE_FILE = "source.json";

export interface FetchReleaseOptions {
  /** `https://github.com/kubeflow/pipelines` or a mirror laid out the same way. */
  source: string;
  /** Rendered bundles go to `<outDir>/<version>/`. */
  outDir: string;
  /** One line per step, and download progress. */
  progress?: (message: string) => void;
  idleTimeoutMs?: number;
  kubectl?: string;
  signal?: AbortSignal;
}

export interface FetchedRelease {
  version: string;
  dir: string;
  url: string;
  archiveSha256: string;
  files: string[];
}

export function archiveUrl(source: string, tag: string): string {
  return `${source.replace(/\/+$/, "")}/archive/refs/tags/${encodeURIComponent(tag)}.tar.gz`;
}

/**
 * Downloads the source archive of `version`, checks it (gzip CRC and length, every tar header checksum, one top
 * folder, and that the rendered API server is `version`), renders its kustomizations with `kubectl kustomize`, and
 * writes `<outDir>/<version>/` with SHA256SUMS and source.json (archive URL and sha256). The directory appears only
 * when everything passed: it is built beside it and renamed into place.
 */
export async function fetchRelease(version: string, options: FetchReleaseOptions): Promise<FetchedRelease> {
  const url = archiveUrl(options.source, version);
  const progress = options.progress ?? (() => {});
  await mkdir(options.outDir, { recursive: true });
  const work = await mkdtemp(path.join(options.outDir, `.fetch-${version}-`));
  try {
    progress(`Downloading KFP ${version}: ${url}`);
    let lastReport = 0;
    const gz = await download(url, {
      ...(options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.idleTimeoutMs }),
      ...(options.signal ? { signal: options.signal } : {}),
      onProgress: (received, total) => {
        if (received - lastReport < 1024 * 1024 && received !== total) return;
        lastReport = received;
        progress(`  ${formatBytes(received)}${total === undefined ? "" : ` of ${formatBytes(total)}`}`);
      },
    });
    const archiveSha256 = sha256(gz);
    progress(`  ${formatBytes(gz.length)} downloaded, sha256 ${archiveSha256}`);

    progress("Checking the archive (gzip, tar headers, layout)");
    const tar = gunzip(gz, url);
    const entries = readTar(tar, url);
    const tree = await extractKustomizeTree(entries, path.join(work, "src"), url);

    const bundleDir = path.join(work, "bundle");
    await mkdir(bundleDir);
    const files = new Map<string, string>();
    for (const target of await renderTargets(tree.root)) {
      progress(`Rendering manifests/kustomize/${target.path} (kubectl kustomize)`);
      const text = await renderKustomization(path.join(tree.root, target.path), options.kubectl);
      files.set(target.file, text);
      await writeFile(path.join(bundleDir, target.file), text);
    }

    progress(`Verifying the rendered bundle is KFP ${version}`);
    const derived = deriveReleaseInfo((await loadBundle(bundleDir)).objects, `${url} (rendered)`);
    if (derived.version !== version) {
      throw new ConfigError(
        "ARCHIVE_VERSION_MISMATCH",
        `${url} renders KFP ${derived.version} (appVersion / API server image), not ${version}`,
        {
          hint: "The release source serves the wrong or a modified archive for this tag; nothing was cached",
        },
      );
    }
    const sourceJson = `${JSON.stringify(
      {
        version,
        url,
        archiveSha256,
        archiveBytes: gz.length,
        topFolder: tree.topFolder,
        rendered: [...files.keys()],
        renderer: "kubectl kustomize",
      },
      null,
      2,
    )}\n`;
    await writeFile(path.join(bundleDir, SOURCE_FILE), sourceJson);
    files.set(SOURCE_FILE, sourceJson);
    await writeFile(path.join(bundleDir, SHA256SUMS), formatSha256Sums(files));

    const dir = path.join(options.outDir, version);
    await rm(dir, { recursive: true, force: true });
    await rename(bundleDir, dir);
    progress(`KFP ${version} ready in ${dir}`);
    return { version, dir, url, archiveSha256, files: [...files.keys()].sort() };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function gunzip(gz: Uint8Array, url: string): Uint8Array {
  try {
    return gunzipSync(gz);
  } catch (error) {
    throw new ConfigError("ARCHIVE_CORRUPT", `${url} is not a valid gzip file: ${(error as Error).message}`, {
      cause: error,
      hint: "Fetch it again; if it keeps failing, the release source serves a damaged or different file",
    });
  }
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

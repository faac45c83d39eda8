import path from "node:path";
import type { KfpApp } from "../app/kfp-app.js";
import { type LoadedApp, loadApp } from "../app/load-app.js";
import { PreflightRefusal, UsageError } from "../errors.js";
import type { KubeClient } from "../kube/kube-client.js";
import {
  DEFAULT_GITHUB_API,
  DEFAULT_RELEASE_SOURCE,
  type UpstreamConfig,
} from "../release/ensure-release.js";
import { parsedYamlCacheDir } from "../release/parsed-yaml-cache.js";
import { releaseCacheRoot } from "../release/release-cache.js";
import type { CommandDeps } from "./command-deps.js";
import type { GlobalOptions } from "./global-options.js";
import type { ReleaseLookup } from "./resolve-release-for-app.js";

export interface PreparedRun {
  loaded: LoadedApp;
  app: KfpApp;
  appDir: string;
  manifestsDir: string | null;
  /** --manifests, or (without it) the release cache and the source it is filled from. */
  releases: ReleaseLookup;
  /** Creates the client and checks the context; call it after validating everything that needs no cluster. */
  connect(): Promise<KubeClient>;
}

/**
 * Loads the KFAPP, picks the bundle directory and the cluster, and refuses a namespace or context that is not the
 * one the app names (unless --context says so explicitly). Changes nothing.
 */
export async function prepareRun(global: GlobalOptions, deps: CommandDeps): Promise<PreparedRun> {
  const appDir = path.resolve(global.appDir);
  const loaded = await loadApp(appDir);
  for (const note of loaded.notes) deps.output.info(`note: ${note}`);
  const fromFile = loaded.source !== "none";
  if (fromFile && global.namespace && global.namespace !== loaded.app.namespace) {
    throw new PreflightRefusal(
      "NAMESPACE_MISMATCH",
      `-n ${global.namespace} differs from namespace "${loaded.app.namespace}" of the app in ${appDir}`,
      {
        hint: `Drop -n, or run \`kfp-upgrade params set namespace ${global.namespace}\` if the app really moved.`,
      },
    );
  }
  const app: KfpApp = { ...loaded.app, namespace: global.namespace ?? loaded.app.namespace };
  const manifestsDir = resolveManifestsDir(global, deps.env, app, appDir);
  const releases: ReleaseLookup = {
    manifestsDir,
    upstream: manifestsDir === null ? upstreamFor(global, deps, app) : null,
    imageRegistry: global.imageRegistry ?? app.release.imageRegistry ?? null,
    parsedYamlCache: parsedYamlCacheDir(deps.env),
  };
  const connect = async (): Promise<KubeClient> => {
    const { createKubeClient } = await import("../kube/create-kube-client.js");
    const client = await createKubeClient({
      kubeconfig: global.kubeconfig,
      context: global.context,
      namespace: app.namespace,
    });
    if (app.context && !global.context && client.context !== app.context) {
      throw new PreflightRefusal(
        "CONTEXT_MISMATCH",
        `the current kubeconfig context is "${client.context ?? "(in-cluster)"}", but the app in ${appDir} belongs to context "${app.context}"`,
        { hint: `Switch with \`kubectl config use-context ${app.context}\`, or pass --context explicitly.` },
      );
    }
    return client;
  };
  return { loaded, app, appDir, manifestsDir, releases, connect };
}

function resolveManifestsDir(
  global: GlobalOptions,
  env: NodeJS.ProcessEnv,
  app: KfpApp,
  appDir: string,
): string | null {
  const fromFlag = global.manifests ?? env.KFP_UPGRADE_MANIFESTS;
  if (fromFlag) return path.resolve(fromFlag);
  if (app.release.manifests) return path.resolve(appDir, app.release.manifests);
  return null;
}

/** --release-source, then KFP_UPGRADE_RELEASE_SOURCE, then kfp-app.yaml's release.source, then GitHub. */
export function upstreamFor(
  global: Pick<GlobalOptions, "releaseSource" | "quiet">,
  deps: Pick<CommandDeps, "env" | "output" | "signal">,
  app: Pick<KfpApp, "release">,
): UpstreamConfig {
  const fromEnv = deps.env.KFP_UPGRADE_RELEASE_SOURCE;
  if (fromEnv !== undefined && !/^https?:\/\/[^/]/.test(fromEnv)) {
    throw new UsageError(
      "RELEASE_SOURCE_INVALID",
      `KFP_UPGRADE_RELEASE_SOURCE="${fromEnv}" is not an http(s) URL`,
      {
        hint: "Name the kubeflow/pipelines repository or a mirror of it, e.g. https://github.com/kubeflow/pipelines",
      },
    );
  }
  return {
    source: global.releaseSource ?? fromEnv ?? app.release.source ?? DEFAULT_RELEASE_SOURCE,
    api: deps.env.KFP_UPGRADE_GITHUB_API || DEFAULT_GITHUB_API,
    ...(deps.env.GITHUB_TOKEN ? { token: deps.env.GITHUB_TOKEN } : {}),
    cacheRoot: releaseCacheRoot(deps.env),
    ...(global.quiet ? {} : { progress: (message: string) => deps.output.info(message) }),
    signal: deps.signal,
  };
}

/** The release source of the app in --app-dir (loaded only for its `release.source`), for commands without a run. */
export async function upstreamForAppDir(global: GlobalOptions, deps: CommandDeps): Promise<UpstreamConfig> {
  const loaded = await loadApp(path.resolve(global.appDir));
  return upstreamFor(global, deps, loaded.app);
}

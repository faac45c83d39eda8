import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import type { Cluster, Context, KubeConfig, User } from "@kubernetes/client-node";
import yaml from "js-yaml";
import { z } from "zod";
import { ConfigError } from "../errors.js";

/** The part of @kubernetes/client-node used here (tests pass the whole module). */
export interface ClientNodeModule {
  KubeConfig: typeof KubeConfig;
}

export interface KubeConfigSelection {
  /** `--kubeconfig`: this file only. */
  kubeconfig?: string | undefined;
  /** `--context`: overrides current-context. */
  context?: string | undefined;
  /** Defaults to process.env (KUBECONFIG, KUBERNETES_SERVICE_HOST/PORT). */
  env?: Record<string, string | undefined> | undefined;
  /** Defaults to the user's home directory (for ~/.kube/config). */
  homeDir?: string | undefined;
  /** Prefix of /var/run/secrets/kubernetes.io/serviceaccount, for tests. */
  inClusterRoot?: string | undefined;
}

export interface LoadedKubeConfig {
  kubeConfig: KubeConfig;
  /** null in-cluster. */
  context: string | null;
  /** The context's namespace, if it sets one. */
  namespace: string | null;
  server: string;
  user: string | null;
  /** The kubeconfig files read, in order, or `["in-cluster"]`. */
  sources: string[];
}

const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";
const NO_KUBECONFIG_HINT =
  "Pass --kubeconfig PATH, set KUBECONFIG, or create ~/.kube/config (e.g. with your cloud's get-credentials command).";

/**
 * Chooses the kubeconfig the way kubectl does: `--kubeconfig`, else every file in KUBECONFIG merged (first one to
 * define a name wins, missing files are skipped), else ~/.kube/config, else the in-cluster service account; then
 * `--context` or current-context. client-node's `loadFromDefault` is not used: it throws on a name defined in two
 * files and lets the last file's current-context win, both unlike kubectl.
 */
export function loadKubeConfig(k8s: ClientNodeModule, selection: KubeConfigSelection = {}): LoadedKubeConfig {
  const env = selection.env ?? process.env;
  const files = kubeconfigFiles(selection, env);
  const kubeConfig = new k8s.KubeConfig();
  if (files.length === 0) {
    const root = selection.inClusterRoot ?? "";
    if (env.KUBERNETES_SERVICE_HOST && existsSync(`${root}${SERVICE_ACCOUNT_DIR}/token`)) {
      // client-node reads the service host and port from process.env only.
      withEnv(env, () => kubeConfig.loadFromCluster(root));
      const cluster = kubeConfig.getCurrentCluster();
      const namespace = kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace?.trim();
      return {
        kubeConfig,
        context: null,
        namespace: namespace || null,
        server: cluster?.server ?? "",
        user: null,
        sources: ["in-cluster"],
      };
    }
    throw new ConfigError("NO_KUBECONFIG", "no kubeconfig found and not running inside a cluster", {
      hint: NO_KUBECONFIG_HINT,
    });
  }

  const merged = mergeFirstWins(files.map((file) => readKubeconfig(k8s, file)));
  kubeConfig.loadFromOptions(merged);
  const available = merged.contexts.map((context) => context.name);
  const contextName = selection.context ?? merged.currentContext;
  if (!contextName) {
    throw new ConfigError("NO_CONTEXT", `no current context is set in ${files.join(", ")}`, {
      hint: `Pass --context NAME; available: ${listOrNone(available)}.`,
    });
  }
  const context = kubeConfig.getContextObject(contextName);
  if (!context) {
    throw new ConfigError("UNKNOWN_CONTEXT", `context "${contextName}" is not in ${files.join(", ")}`, {
      hint: `Available contexts: ${listOrNone(available)}.`,
    });
  }
  const cluster = kubeConfig.getCluster(context.cluster);
  if (!cluster) {
    throw new ConfigError(
      "UNKNOWN_CLUSTER",
      `context "${contextName}" names cluster "${context.cluster}", which is not defined (or is invalid) in ${files.join(", ")}`,
      { hint: "Fix the kubeconfig (kubectl config view) or pick another --context." },
    );
  }
  kubeConfig.setCurrentContext(contextName);
  return {
    kubeConfig,
    context: contextName,
    namespace: context.namespace || null,
    server: cluster.server,
    user: context.user || null,
    sources: files,
  };
}

export function kubeconfigFiles(
  selection: KubeConfigSelection,
  env: Record<string, string | undefined>,
): string[] {
  if (selection.kubeconfig) {
    if (!existsSync(selection.kubeconfig)) {
      throw new ConfigError("KUBECONFIG_NOT_FOUND", `kubeconfig ${selection.kubeconfig} does not exist`, {
        hint: NO_KUBECONFIG_HINT,
      });
    }
    return [selection.kubeconfig];
  }
  const fromEnv = (env.KUBECONFIG ?? "").split(path.delimiter).filter((file) => file !== "");
  if (fromEnv.length > 0) {
    const existing = fromEnv.filter((file) => existsSync(file));
    if (existing.length === 0) {
      throw new ConfigError("NO_KUBECONFIG", `none of the files in KUBECONFIG exist: ${fromEnv.join(", ")}`, {
        hint: NO_KUBECONFIG_HINT,
      });
    }
    return existing;
  }
  const home = selection.homeDir ?? homedir();
  const defaultFile = path.join(home, ".kube", "config");
  return existsSync(defaultFile) ? [defaultFile] : [];
}

interface KubeconfigParts {
  clusters: Cluster[];
  users: User[];
  contexts: Context[];
  currentContext: string;
}

/** The top level kubectl expects; client-node meets anything else with a TypeError. */
const kubeconfigShapeSchema = z.looseObject({
  clusters: z.array(z.unknown()).nullish(),
  contexts: z.array(z.unknown()).nullish(),
  users: z.array(z.unknown()).nullish(),
  "current-context": z.string().nullish(),
});

/** What is wrong with the file's shape, in words; undefined when it looks like a kubeconfig (or is not YAML). */
function shapeProblem(text: string): string | undefined {
  let document: unknown;
  try {
    document = yaml.load(text);
  } catch {
    return undefined; // client-node's parser names the line
  }
  if (document === undefined || document === null) return "the file is empty";
  if (typeof document !== "object" || Array.isArray(document)) {
    return `expected a YAML mapping with clusters, contexts and users, found ${Array.isArray(document) ? "a list" : `a ${typeof document}`}`;
  }
  const parsed = kubeconfigShapeSchema.safeParse(document);
  if (parsed.success) return undefined;
  return parsed.error.issues
    .map(
      (issue) =>
        `${issue.path.join(".")}: expected ${issue.path[0] === "current-context" ? "a context name" : "a list"}`,
    )
    .join("; ");
}

function readKubeconfig(k8s: ClientNodeModule, file: string): KubeconfigParts {
  const config = new k8s.KubeConfig();
  const problem = shapeProblem(readFileSync(file, "utf8"));
  if (problem !== undefined) {
    throw new ConfigError("KUBECONFIG_INVALID", `kubeconfig ${file} is not a kubeconfig: ${problem}`, {
      hint: "Fix the file (kubectl config view shows what kubectl makes of it), or point --kubeconfig at another.",
    });
  }
  try {
    // "filter": like kubectl, an entry that is invalid only matters when it is the one selected.
    config.loadFromFile(file, { onInvalidEntry: "filter" });
  } catch (error) {
    throw new ConfigError(
      "KUBECONFIG_INVALID",
      `cannot read kubeconfig ${file}: ${error instanceof Error ? error.message : String(error)}`,
      { hint: "Fix the file (kubectl config view shows what kubectl makes of it).", cause: error },
    );
  }
  return {
    clusters: config.clusters ?? [],
    users: config.users ?? [],
    contexts: config.contexts ?? [],
    currentContext: config.currentContext ?? "",
  };
}

function mergeFirstWins(parts: KubeconfigParts[]): KubeconfigParts {
  const firstByName = <T extends { name: string }>(lists: T[][]): T[] => {
    const seen = new Map<string, T>();
    for (const item of lists.flat()) if (!seen.has(item.name)) seen.set(item.name, item);
    return [...seen.values()];
  };
  return {
    clusters: firstByName(parts.map((part) => part.clusters)),
    users: firstByName(parts.map((part) => part.users)),
    contexts: firstByName(parts.map((part) => part.contexts)),
    currentContext: parts.find((part) => part.currentContext)?.currentContext ?? "",
  };
}

function withEnv(env: Record<string, string | undefined>, action: () => void): void {
  if (env === process.env) {
    action();
    return;
  }
  const keys = ["KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT"] as const;
  const saved = keys.map((key) => process.env[key]);
  keys.forEach((key) => {
    if (env[key] === undefined) delete process.env[key];
    else process.env[key] = env[key];
  });
  try {
    action();
  } finally {
    keys.forEach((key, index) => {
      const value = saved[index];
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    });
  }
}

function listOrNone(names: string[]): string {
  return names.length > 0 ? names.join(", ") : "(none)";
}

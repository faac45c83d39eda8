import type { KubeClient } from "./kube-client.js";
import { dumpRequestCountsOnExit } from "./request-counts.js";

export interface CreateKubeClientOptions {
  /** `--kubeconfig` */
  kubeconfig?: string | undefined;
  /** `--context` */
  context?: string | undefined;
  /** `-n/--namespace`; else the context's namespace; else `default`. */
  namespace?: string | undefined;
  /** How long transient API failures are retried before they surface (default 30). */
  retrySeconds?: number | undefined;
  /** A single request with no answer for this long is abandoned and retried (default 60). */
  requestTimeoutSeconds?: number | undefined;
  /** For tests: defaults to process.env and the user's home directory. */
  env?: Record<string, string | undefined> | undefined;
  homeDir?: string | undefined;
}

/**
 * Builds the real client. @kubernetes/client-node and everything that needs it load here, on first use, so that
 * `kfp-upgrade --help` never pays for them. Makes no request: a wrong cluster shows on the first call.
 */
export async function createKubeClient(options: CreateKubeClientOptions = {}): Promise<KubeClient> {
  const [k8s, { loadKubeConfig }, { HttpKubeClient }] = await Promise.all([
    import("./kube-config-class.js"),
    import("./load-kube-config.js"),
    import("./http-kube-client.js"),
  ]);
  dumpRequestCountsOnExit(options.env ?? process.env);
  const loaded = loadKubeConfig(k8s, {
    kubeconfig: options.kubeconfig,
    context: options.context,
    env: options.env,
    homeDir: options.homeDir,
  });
  return new HttpKubeClient({
    kubeConfig: loaded.kubeConfig,
    server: loaded.server,
    context: loaded.context,
    user: loaded.user,
    namespace: options.namespace || loaded.namespace || "default",
    retrySeconds: options.retrySeconds,
    requestTimeoutSeconds: options.requestTimeoutSeconds,
    env: options.env ?? process.env,
  });
}

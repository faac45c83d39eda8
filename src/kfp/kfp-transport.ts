export type KfpQuery = Record<string, string | number | undefined>;
export type KfpHeaders = Record<string, string>;

/**
 * The one way src/kfp reaches KFP's REST API: a GET of a path (`/apis/v2beta1/experiments`) with a query (undefined
 * values are left out) and headers, answering the parsed JSON (undefined for an empty body). Every failure is a
 * `KfpApiError`. Two implementations: `serviceProxyTransport` (through the Kubernetes API server, built on
 * `KubeClient.serviceProxyGet`) and `directTransport` (`--kfp-endpoint URL`).
 */
export interface KfpTransport {
  /** Where requests go, for messages: `service kubeflow/ml-pipeline:8888 (through the Kubernetes API server)`. */
  readonly target: string;
  get(path: string, query?: KfpQuery, headers?: KfpHeaders): Promise<unknown>;
}

/** The Service and port of KFP's API server in every release (0.5 to 2.17: `ml-pipeline`, port `http` 8888). */
export const KFP_API_SERVICE = "ml-pipeline";
export const KFP_API_PORT = 8888;

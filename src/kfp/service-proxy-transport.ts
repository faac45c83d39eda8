import { KubeApiError } from "../errors.js";
import { KfpApiError } from "./kfp-api-error.js";
import type { KfpHeaders, KfpQuery, KfpTransport } from "./kfp-transport.js";

/**
 * A GET through the Kubernetes API server's service proxy, bound to one Service: in practice
 * `(path, query, headers) => client.serviceProxyGet({namespace, service: KFP_API_SERVICE, port: KFP_API_PORT,
 * path, query, headers})`. src/kfp does not import src/kube (they are peer layers), so the caller binds it.
 */
export type ServiceProxyGet = (path: string, query: KfpQuery, headers: KfpHeaders) => Promise<unknown>;

/**
 * KFP's API through the service proxy: needs only `services/proxy` RBAC and works wherever kubectl works. The
 * `KubeApiError` codes of `KubeClient.serviceProxyGet` become failures: KUBE_PROXY_NO_ENDPOINTS -> `no-endpoints`,
 * KUBE_PROXY_SERVICE_ERROR (KFP's own answer) -> `answered`, anything else from the API server -> `unreachable`.
 */
export function serviceProxyTransport(get: ServiceProxyGet, target: string): KfpTransport {
  return {
    target,
    async get(path, query = {}, headers = {}) {
      try {
        return await get(path, query, headers);
      } catch (error) {
        if (!(error instanceof KubeApiError)) throw error;
        const options = { cause: error, hint: error.hint, statusCode: error.statusCode };
        if (error.code === "KUBE_PROXY_NO_ENDPOINTS") {
          throw new KfpApiError("no-endpoints", path, error.message, options);
        }
        if (error.code === "KUBE_PROXY_SERVICE_ERROR") {
          throw new KfpApiError("answered", path, error.message, options);
        }
        throw new KfpApiError("unreachable", path, error.message, { cause: error, hint: error.hint });
      }
    },
  };
}

import { EXIT_CODES, KfpError, type KfpErrorOptions } from "../errors.js";

/**
 * How a KFP API request failed:
 * - `unreachable`: no answer from KFP (the API server refused the proxy request, no such Service, network, TLS,
 *   timeout);
 * - `no-endpoints`: the `ml-pipeline` Service has no ready pod;
 * - `answered`: KFP's API server answered with an HTTP error (`statusCode`);
 * - `redirected`: the endpoint answered with a redirect (an ingress sending us to a login page);
 * - `invalid-answer`: a 2xx answer that is not the JSON KFP's API definitions describe.
 */
export type KfpApiFailure = "unreachable" | "no-endpoints" | "answered" | "redirected" | "invalid-answer";

const CODES: Record<KfpApiFailure, string> = {
  unreachable: "KFP_API_UNREACHABLE",
  "no-endpoints": "KFP_API_NO_ENDPOINTS",
  answered: "KFP_API_ERROR",
  redirected: "KFP_API_REDIRECTED",
  "invalid-answer": "KFP_API_INVALID_ANSWER",
};

/** KFP's own REST API could not be read: exit 5, like the Kubernetes API. */
export class KfpApiError extends KfpError {
  readonly failure: KfpApiFailure;
  /** KFP's HTTP status for `answered` (and `redirected`); undefined otherwise. */
  readonly statusCode: number | undefined;
  /** The KFP API path asked for (`/apis/v2beta1/experiments`). */
  readonly path: string;

  constructor(
    failure: KfpApiFailure,
    path: string,
    message: string,
    options: KfpErrorOptions & { statusCode?: number | undefined } = {},
  ) {
    super(CODES[failure], EXIT_CODES.cluster, message, options);
    this.failure = failure;
    this.statusCode = options.statusCode;
    this.path = path;
  }
}

/** KFP itself answered 404: the path is not served (a 1.x server asked for v2beta1), not a missing Service. */
export function isKfpPathNotFound(error: unknown): boolean {
  return error instanceof KfpApiError && error.failure === "answered" && error.statusCode === 404;
}

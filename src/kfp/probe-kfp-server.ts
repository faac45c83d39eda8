import { z } from "zod";
import type { KfpApiVersion } from "./inventory.js";
import { isKfpPathNotFound } from "./kfp-api-error.js";
import type { KfpHeaders, KfpTransport } from "./kfp-transport.js";
import { readAnswer } from "./read-answer.js";

/**
 * `/apis/{v2beta1,v1beta1}/healthz`, served by every release (backend/src/apiserver/main.go: 0.5.1 answers
 * `{commit_sha}` only; 1.x and 2.x add `tag_name` and `multi_user`; TAG_NAME unset reads "unknown").
 */
const healthzSchema = z.object({
  commit_sha: z.string().optional(),
  tag_name: z.string().optional(),
  multi_user: z.boolean().optional(),
});

export interface KfpServer {
  api: KfpApiVersion;
  multiUser: boolean;
  /** healthz `tag_name` (`2.0.5`); null when the server does not say. */
  tag: string | null;
}

/**
 * The rule for the API version: by the installed release when it is known (v2beta1 from KFP 2.0.0 on; 0.x and 1.x
 * serve only v1beta1); null when it is not known, and then `probeKfpServer` tries v2beta1 first.
 */
export function kfpApiForVersion(version: string | null | undefined): KfpApiVersion | null {
  const major = version ? /^v?(\d+)\./.exec(version.trim())?.[1] : undefined;
  if (major === undefined) return null;
  return Number(major) >= 2 ? "v2beta1" : "v1beta1";
}

/**
 * Asks KFP's healthz which API to use and whether the install is multi-user. It starts with the API the installed
 * version picks (v2beta1 when unknown); when KFP itself answers 404 to v2beta1 (a 0.x or 1.x server, or a
 * misrecorded version), it falls back to v1beta1. A 404 that is not KFP's (no such Service) is no reason to fall
 * back and fails as it is, like every other failure: the server cannot be read.
 */
export async function probeKfpServer(
  transport: KfpTransport,
  options: { kfpVersion?: string | null | undefined; headers?: KfpHeaders | undefined } = {},
): Promise<KfpServer> {
  const headers = options.headers ?? {};
  const first = kfpApiForVersion(options.kfpVersion) ?? "v2beta1";
  const healthz = (api: KfpApiVersion) =>
    readAnswer(transport, `/apis/${api}/healthz`, {}, headers, healthzSchema);
  let api: KfpApiVersion = first;
  let answer: z.infer<typeof healthzSchema>;
  try {
    answer = await healthz(first);
  } catch (error) {
    if (first !== "v2beta1" || !isKfpPathNotFound(error)) throw error;
    api = "v1beta1";
    answer = await healthz(api);
  }
  const tag = answer.tag_name && answer.tag_name !== "unknown" ? answer.tag_name : null;
  return { api, multiUser: answer.multi_user === true, tag };
}

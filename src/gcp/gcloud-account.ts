import { z } from "zod";
import type { Gcloud } from "./gcloud.js";

/** `gcloud config get-value account --format=json` prints the account as a JSON string, or `[]` when it is unset. */
const accountSchema = z.union([
  z.string(),
  z
    .array(z.never())
    .length(0)
    .transform(() => ""),
]);

/**
 * The account gcloud acts as (`gcloud config get-value account`): on GKE the Kubernetes user name of a person or
 * service account that got its kubeconfig from `gcloud container clusters get-credentials`. null when none is set.
 */
export async function gcloudAccount(gcloud: Gcloud): Promise<string | null> {
  const account = (await gcloud.json(["config", "get-value", "account"], accountSchema)).trim();
  return account === "" ? null : account;
}

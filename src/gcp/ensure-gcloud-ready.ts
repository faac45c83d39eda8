import { z } from "zod";
import type { Gcloud } from "./gcloud.js";
import { notLoggedIn } from "./gcloud-failure.js";

/** `gcloud config list --format=json`: only the properties read here. */
export const gcloudConfigSchema = z.object({
  auth: z.object({ disable_credentials: z.string().optional() }).optional(),
  core: z.object({ account: z.string().optional(), project: z.string().optional() }).optional(),
});

/** `gcloud auth list --format=json`: credentialed accounts (names only; gcloud never prints tokens here). */
export const gcloudAccountsSchema = z.array(z.object({ account: z.string(), status: z.string().optional() }));

/**
 * Refuses early when gcloud cannot answer at all: not installed (from the first run) or no active account. An
 * account is not needed when the configuration says `auth/disable_credentials true` (requests go out
 * unauthenticated, as against a local stand-in of the APIs).
 */
export async function ensureGcloudReady(gcloud: Gcloud): Promise<void> {
  const config = await gcloud.json(["config", "list"], gcloudConfigSchema);
  if (/^true$/i.test(config.auth?.disable_credentials ?? "")) return;
  const accounts = await gcloud.json(["auth", "list", "--filter=status:ACTIVE"], gcloudAccountsSchema);
  if (accounts.length === 0) throw notLoggedIn("gcloud auth list");
}

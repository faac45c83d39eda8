import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { appPaths } from "../app/app-paths.js";
import { readOptionalFile } from "../app/read-optional-file.js";
import { writeFileAtomic } from "../app/write-file-atomic.js";
import { ConfigError, KfpError } from "../errors.js";
import { formatZodIssues } from "../format-zod-issues.js";
import { directTransport } from "../kfp/direct-transport.js";
import {
  type InventoryCounts,
  inventoryCounts,
  type KfpInventory,
  kfpInventorySchema,
} from "../kfp/inventory.js";
import { KfpApiError } from "../kfp/kfp-api-error.js";
import { KFP_API_PORT, KFP_API_SERVICE, type KfpTransport } from "../kfp/kfp-transport.js";
import { readInventory } from "../kfp/read-inventory.js";
import { serviceProxyTransport } from "../kfp/service-proxy-transport.js";
import type { KubeClient } from "../kube/kube-client.js";
import type { MultiUserAccess } from "../plan/inventory-plan.js";
import type { InventoryBaseline } from "../plan/step.js";
import type { KfpApiOptions } from "./inventory-options.js";

/** How long one read of KFP's API before planning may take: a dead API server must not hold the run up. */
export const BEFORE_READ_TIMEOUT_SECONDS = 10;

/**
 * KFP's API: at `--kfp-endpoint`, else through the Kubernetes API server's service proxy to `ml-pipeline:8888` in
 * the namespace. Every request fails as `unreachable` after `timeoutSeconds`.
 */
export function kfpTransport(
  client: KubeClient,
  namespace: string,
  endpoint: string | undefined,
  timeoutSeconds: number,
): KfpTransport {
  if (endpoint !== undefined) return directTransport(endpoint, { timeoutSeconds });
  const proxy = serviceProxyTransport(
    (path, query, headers) =>
      client.serviceProxyGet({
        namespace,
        service: KFP_API_SERVICE,
        port: KFP_API_PORT,
        path,
        query,
        headers,
      }),
    `service ${namespace}/${KFP_API_SERVICE}:${KFP_API_PORT} (through the Kubernetes API server)`,
  );
  return {
    target: proxy.target,
    get: (path, query, headers) => withTimeout(proxy.get(path, query, headers), path, timeoutSeconds),
  };
}

/** Reads the inventory with the user's multi-user options; failures are `KfpApiError`s (or a ConfigError). */
export async function readKfpInventory(
  transport: KfpTransport,
  options: KfpApiOptions,
  kfpVersion: string | null,
): Promise<KfpInventory> {
  try {
    return await readInventory(transport, {
      kfpVersion,
      ...(options.kfpNamespaces ? { namespaces: options.kfpNamespaces } : {}),
      ...(options.kfpUser ? { user: { value: options.kfpUser } } : {}),
    });
  } catch (error) {
    if (error instanceof ConfigError && error.code === "KFP_MULTI_USER_OPTIONS") {
      throw new ConfigError(error.code, error.message, {
        cause: error,
        hint: "Pass --kfp-namespaces with the profile namespaces (comma-separated) and --kfp-user with a user allowed to see them (as KFP's kubeflow-userid header carries it), or --skip-inventory to upgrade without the inventory checks.",
      });
    }
    throw error;
  }
}

/**
 * `readKfpInventory`, asked again every second while the API server cannot reach KFP's pod (a pod restarting), for
 * at most `seconds`: the before-run read and `status` give a server that is coming up a moment to answer.
 */
export async function readKfpInventoryWithin(
  transport: KfpTransport,
  options: KfpApiOptions,
  kfpVersion: string | null,
  seconds: number,
): Promise<KfpInventory> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    try {
      return await readKfpInventory(transport, options, kfpVersion);
    } catch (error) {
      const retry =
        error instanceof KfpApiError && error.failure === "unreachable" && Date.now() + 1000 < deadline;
      if (!retry) throw error;
      await sleep(1000);
    }
  }
}

/** `status`: what KFP's API lists (the whole read and its counts), or why it could not be read (null). */
export async function inventoryStatus(
  client: KubeClient,
  namespace: string,
  options: KfpApiOptions,
  installedVersion: string | null,
): Promise<{ read: KfpInventory | null; inventory: InventoryCounts | null; inventoryError: string | null }> {
  try {
    const transport = kfpTransport(client, namespace, options.kfpEndpoint, BEFORE_READ_TIMEOUT_SECONDS);
    const read = await readKfpInventoryWithin(
      transport,
      options,
      installedVersion,
      BEFORE_READ_TIMEOUT_SECONDS,
    );
    return { read, inventory: inventoryCounts(read), inventoryError: null };
  } catch (error) {
    return { read: null, inventory: null, inventoryError: inventoryFailureReason(error, true) };
  }
}

/** The multi-user flags, when both are given, for the plan's check steps (resume reads with the same). */
export function multiUserOf(options: KfpApiOptions): MultiUserAccess | undefined {
  return options.kfpUser && options.kfpNamespaces
    ? { namespaces: options.kfpNamespaces, user: options.kfpUser }
    : undefined;
}

/** The ids and names a later check compares with (the plan carries them). */
export function baselineOf(inventory: KfpInventory): InventoryBaseline {
  const pick = (objects: { id: string; name: string }[]) => objects.map(({ id, name }) => ({ id, name }));
  return {
    experiments: pick(inventory.experiments),
    pipelines: pick(inventory.pipelines),
    pipelineVersions: pick(inventory.pipelineVersions),
    runs: pick(inventory.runs),
    recurringRuns: pick(inventory.recurringRuns),
  };
}

const inventoryFileSchema = z.object({ recordedAt: z.string(), inventory: kfpInventorySchema }).strict();
export type RecordedInventory = z.infer<typeof inventoryFileSchema>;

/** `.kfp-upgrade/inventory.json`: the last inventory a run read, replaced atomically. */
export async function saveInventory(
  appDir: string,
  inventory: KfpInventory,
  recordedAt: Date,
): Promise<void> {
  const record: RecordedInventory = { recordedAt: recordedAt.toISOString(), inventory };
  await writeFileAtomic(appPaths(appDir).inventoryFile, `${JSON.stringify(record, null, 2)}\n`);
}

export async function loadInventory(appDir: string): Promise<RecordedInventory | undefined> {
  const source = await readOptionalFile(appPaths(appDir).inventoryFile);
  if (source === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch {
    value = undefined;
  }
  const parsed = inventoryFileSchema.safeParse(value);
  if (!parsed.success) {
    throw new ConfigError("INVENTORY_FILE_INVALID", ".kfp-upgrade/inventory.json is damaged", {
      details: value === undefined ? ["not JSON"] : formatZodIssues(parsed.error),
      hint: "Remove .kfp-upgrade/inventory.json (reinstall then compares with nothing) or restore it from a backup.",
    });
  }
  return parsed.data;
}

/**
 * Why the inventory could not be read (`KFP_API_NO_ENDPOINTS: …`): KFP's API failing is a reason, anything else
 * (a multi-user install without `--kfp-namespaces`, a bug) is thrown, unless `anyKfpError` (status reports it).
 */
export function inventoryFailureReason(error: unknown, anyKfpError = false): string {
  if (error instanceof KfpApiError || (anyKfpError && error instanceof KfpError)) {
    return `${error.code}: ${error.message}`;
  }
  throw error;
}

async function withTimeout<T>(promise: Promise<T>, path: string, seconds: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new KfpApiError("unreachable", path, `no answer from KFP's API within ${seconds}s (${path})`)),
      seconds * 1000,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

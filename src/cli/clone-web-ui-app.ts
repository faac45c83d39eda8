import { mkdir, mkdtemp, readdir, rename, rm, rmdir, stat } from "node:fs/promises";
import path from "node:path";
import { detectLegacyKsonnet, importLegacyKsonnet, LEGACY_PARAMS_FILE } from "../app/legacy-ksonnet.js";
import { ConfigError, UsageError } from "../errors.js";
import { ensureGcloudReady } from "../gcp/ensure-gcloud-ready.js";
import type { Gcloud } from "../gcp/gcloud.js";
import { cloneSourceRepo, describeSourceRepo, type SourceRepo } from "../gcp/source-repo.js";

export interface ClonedWebUiApp {
  repo: string;
  /** The clone, as the user named it. */
  dir: string;
  /** The KFAPP inside it: the directory holding ks_app/ (the web UI saved one per deployment, named after it). */
  kfappDir: string;
  /** Every KFAPP the repository holds, relative to its root ("." for the root itself). */
  kfapps: string[];
  mirror: string | null;
  /** What the legacy import found (the same notes every command prints for this KFAPP). */
  notes: string[];
  version: string | null;
}

/**
 * Clones the web UI's `${PROJECT}-kubeflow-config` repository with `gcloud source repos clone` and finds the KFAPP in
 * it. The clone goes to a temporary directory beside `dir` first and is moved to `dir` only when it holds the KFAPP
 * asked for, so a failure leaves nothing behind. `dir` must not exist or be empty; nothing is written into the clone.
 */
export async function cloneWebUiApp(input: {
  gcloud: Gcloud;
  repo: string;
  dir: string;
  /** The deployment whose KFAPP to use when the repository holds several. */
  name?: string | undefined;
}): Promise<ClonedWebUiApp> {
  const { gcloud, repo } = input;
  const dir = path.resolve(input.dir);
  const existing = await stat(dir).catch(() => null);
  if (existing && !existing.isDirectory()) {
    throw new UsageError("CLONE_DIR_NOT_EMPTY", `${dir} exists and is not a directory; nothing was changed`, {
      hint: "Pass another --dir, or move it away.",
    });
  }
  if (existing && (await readdir(dir)).length > 0) {
    throw new UsageError("CLONE_DIR_NOT_EMPTY", `${dir} is not empty; nothing was changed`, {
      hint: "Pass an empty or new directory with --dir (gcloud clones only into one).",
    });
  }
  await ensureGcloudReady(gcloud);
  const described: SourceRepo = await describeSourceRepo(gcloud, repo);
  await mkdir(path.dirname(dir), { recursive: true });
  const temporary = await mkdtemp(path.join(path.dirname(dir), `.${path.basename(dir)}.clone-`));
  try {
    await cloneSourceRepo(gcloud, repo, temporary);
    const kfapps = await findKfapps(temporary);
    const chosen = chooseKfapp(kfapps, input.name, repo);
    if (existing) await rmdir(dir);
    await rename(temporary, dir);
    const kfappDir = path.join(dir, chosen);
    const imported = await importLegacyKsonnet(kfappDir);
    return {
      repo,
      dir,
      kfappDir,
      kfapps,
      mirror: described.mirrorConfig?.url ?? null,
      notes: imported?.notes ?? [],
      version: imported?.app.version ?? null,
    };
  } catch (error) {
    await rm(temporary, { recursive: true, force: true });
    throw error;
  }
}

/** The root and its direct subdirectories that hold a ksonnet KFAPP with a pipeline component. */
async function findKfapps(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true });
  const candidates = [
    ".",
    ...entries
      .filter((e) => e.isDirectory() && !e.name.startsWith("."))
      .map((e) => e.name)
      .sort(),
  ];
  const found: string[] = [];
  for (const candidate of candidates) {
    const detected = await detectLegacyKsonnet(path.join(root, candidate));
    if (detected?.hasPipeline) found.push(candidate);
  }
  return found;
}

function chooseKfapp(kfapps: string[], name: string | undefined, repo: string): string {
  if (name !== undefined) {
    if (kfapps.includes(name)) return name;
    throw new ConfigError(
      "WEBUI_KFAPP_MISSING",
      `repository ${repo} has no KFAPP "${name}" (a directory with ${LEGACY_PARAMS_FILE} and a pipeline component); nothing was kept`,
      {
        details: [`its KFAPPs: ${kfapps.join(", ") || "none"}`],
        hint: kfapps.length > 0 ? `Pass one of them with --name.` : "Check the repository's contents.",
      },
    );
  }
  const [only, ...others] = kfapps;
  if (only === undefined) {
    throw new ConfigError(
      "WEBUI_KFAPP_MISSING",
      `repository ${repo} holds no KFAPP with a pipeline component (no ${LEGACY_PARAMS_FILE} at its root or one level down); nothing was kept`,
      {
        hint: "The web UI saved each deployment's KFAPP in a directory named after it; check the repository with `gcloud source repos browse` or the Cloud Console.",
      },
    );
  }
  if (others.length > 0) {
    throw new ConfigError(
      "WEBUI_KFAPP_AMBIGUOUS",
      `repository ${repo} holds ${kfapps.length} KFAPPs; say which with --name; nothing was kept`,
      { details: [`its KFAPPs: ${kfapps.join(", ")}`], hint: `Run again with --name ${only} (or another).` },
    );
  }
  return only;
}

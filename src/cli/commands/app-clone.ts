import path from "node:path";
import { z } from "zod";
import { createGcloud } from "../../gcp/gcloud.js";
import { webUiRepoName } from "../../gcp/source-repo.js";
import { cloneWebUiApp } from "../clone-web-ui-app.js";
import type { CommandDeps } from "../command-deps.js";
import type { CommandResult } from "../command-result.js";
import { parseOptions } from "../parse-options.js";

/** A GCP project ID: 6-30 lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen. */
export const appCloneOptionsSchema = z.object({
  project: z
    .string({ error: "required: the GCP project the web UI deployed to" })
    .regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, "not a GCP project ID (6-30 of a-z, 0-9, -)"),
  dir: z.string().min(1).optional(),
  name: z.string().min(1).optional(),
});

/**
 * `kfp-upgrade app clone --project P`: the web UI deployment's KFAPP, cloned from `${P}-kubeflow-config` with the real
 * gcloud, read as a legacy ksonnet KFAPP, and the next command to run in it.
 */
export async function appClone(raw: unknown, deps: CommandDeps): Promise<CommandResult> {
  const options = parseOptions(appCloneOptionsSchema, raw);
  const repo = webUiRepoName(options.project);
  const gcloud = createGcloud({ project: options.project, env: deps.env });
  const cloned = await cloneWebUiApp({
    gcloud,
    repo,
    dir: options.dir ?? repo,
    name: options.name,
  });
  const appDir = path.relative(process.cwd(), cloned.kfappDir) || ".";
  const next = `kfp-upgrade --app-dir ${appDir} upgrade --dry-run`;
  const lines = [
    `Cloned ${repo} (project ${options.project}) to ${cloned.dir}.`,
    ...(cloned.mirror
      ? [`warning: ${repo} is a mirror of ${cloned.mirror}: pushes to this clone have no effect upstream`]
      : []),
    `KFAPP: ${cloned.kfappDir}${cloned.kfapps.length > 1 ? ` (one of ${cloned.kfapps.join(", ")})` : ""}`,
    ...cloned.notes.map((note) => `  - ${note}`),
    "",
    `Next: ${next}`,
    "(for a GCP app the upgrade plan includes the admin-binding ClusterRoleBinding when your account lacks the rights it needs)",
  ];
  return {
    data: {
      repo,
      project: options.project,
      dir: cloned.dir,
      kfappDir: cloned.kfappDir,
      kfapps: cloned.kfapps,
      mirror: cloned.mirror,
      version: cloned.version,
      notes: cloned.notes,
      next,
    },
    text: lines.join("\n"),
  };
}

import { z } from "zod";
import { GcpError, isKfpError } from "../errors.js";
import type { Gcloud } from "./gcloud.js";

/**
 * A Cloud Source Repositories repository as `gcloud source repos describe R --format=json` prints it: the API's Repo
 * resource (sourcerepo v1, https://cloud.google.com/source-repositories/docs/reference/rest/v1/projects.repos,
 * discovery document https://sourcerepo.googleapis.com/$discovery/rest?version=v1, schema "Repo"): `name` is
 * `projects/P/repos/R`, `url` the URL git clones, `size` an int64 (a string), `mirrorConfig` set for a mirror.
 */
export const sourceRepoSchema = z.object({
  name: z.string(),
  url: z.string().optional(),
  size: z.union([z.string(), z.number()]).transform(String).optional(),
  mirrorConfig: z.object({ url: z.string().optional() }).optional(),
});
export type SourceRepo = z.infer<typeof sourceRepoSchema>;

/** `${PROJECT}-kubeflow-config`: the repository the Kubeflow 0.x web UI (deploy.kubeflow.cloud) saved KFAPPs to. */
export function webUiRepoName(project: string): string {
  return `${project}-kubeflow-config`;
}

/**
 * `gcloud source repos describe REPO`: the repository, or a GcpError naming the command that lists the project's
 * repositories when there is none of that name.
 */
export async function describeSourceRepo(gcloud: Gcloud, repo: string): Promise<SourceRepo> {
  try {
    return await gcloud.json(["source", "repos", "describe", repo], sourceRepoSchema);
  } catch (error) {
    throw sourceRepoError(gcloud, repo, error);
  }
}

/**
 * `gcloud source repos clone REPO DIR`: DIR must exist and be empty (gcloud then checks for git before it clones, and
 * refuses a directory that is not empty). gcloud runs `git clone URL DIR` itself and configures its credential helper
 * for source.developers.google.com.
 */
export async function cloneSourceRepo(gcloud: Gcloud, repo: string, dir: string): Promise<void> {
  try {
    await gcloud.json(["source", "repos", "clone", repo, dir], z.unknown());
  } catch (error) {
    throw sourceRepoError(gcloud, repo, error);
  }
}

/** The ladder's error made specific to Source Repositories: a missing repo, a missing git, the role that may read. */
function sourceRepoError(gcloud: Gcloud, repo: string, error: unknown): unknown {
  if (!(error instanceof GcpError)) return error;
  const said = error.details.join(" ");
  const list = `gcloud source repos list --project ${gcloud.project}`;
  if (/Cannot find git|No such file or directory: '?git'?/i.test(said)) {
    return new GcpError("GIT_MISSING", "git was not found: gcloud needs it to clone; nothing was changed", {
      command: error.command,
      details: error.details,
      hint: "Install git (e.g. `apt-get install git`), check with `git --version`, and run the command again.",
    });
  }
  if (isKfpError(error) && error.code === "GCP_NOT_FOUND") {
    return new GcpError(
      "GCP_SOURCE_REPO_MISSING",
      `project ${gcloud.project} has no Cloud Source Repository "${repo}"; nothing was changed`,
      {
        command: error.command,
        details: error.details,
        hint: `\`${list}\` lists its repositories. The web UI saved its KFAPPs to ${webUiRepoName(gcloud.project)}; a deployment made with kfctl.sh has its KFAPP on the machine that ran it (pass it with --app-dir).`,
      },
    );
  }
  if (error.code === "GCP_PROJECT_NOT_FOUND") {
    return new GcpError(error.code, error.message, {
      command: error.command,
      details: error.details,
      hint: `Check the project ID with \`gcloud projects list\` (the web UI deployed to the project whose ID it was given), then pass it with --project.`,
    });
  }
  if (error.code === "GCP_PERMISSION_DENIED") {
    return new GcpError(
      error.code,
      `the gcloud account may not read Cloud Source Repository "${repo}" of project ${gcloud.project}; nothing was changed`,
      {
        command: error.command,
        details: error.details,
        hint: `\`gcloud auth list\` shows the account; it needs source.repos.get (e.g. roles/source.reader): see \`gcloud projects get-iam-policy ${gcloud.project}\`.`,
      },
    );
  }
  return error;
}

import { z } from "zod";
import { ConfigError } from "../../errors.js";
import { download } from "./download.js";

const tagsPageSchema = z.array(z.object({ name: z.string() }));
const PER_PAGE = 100;
/** kubeflow/pipelines has ~700 tags; a bound keeps a misbehaving server from paging forever. */
const MAX_PAGES = 50;

export interface ListTagsOptions {
  /** `https://api.github.com` or a server that answers the same REST paths. */
  api: string;
  /** Sent as `Authorization: Bearer …` (GitHub's higher rate limit); never printed. */
  token?: string;
  idleTimeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Every tag name of kubeflow/pipelines, from `GET <api>/repos/kubeflow/pipelines/tags?per_page=100&page=N`
 * (https://docs.github.com/en/rest/repos/repos#list-repository-tags), page after page until a short or empty page.
 */
export async function listUpstreamTags(options: ListTagsOptions): Promise<string[]> {
  const names: string[] = [];
  const headers: Record<string, string> = {
    accept: "application/vnd.github+json",
    "x-github-api-version": "2022-11-28",
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
  };
  for (let page = 1; page <= MAX_PAGES; page++) {
    const url = `${options.api.replace(/\/+$/, "")}/repos/kubeflow/pipelines/tags?per_page=${PER_PAGE}&page=${page}`;
    const body = await download(url, {
      headers,
      ...(options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.idleTimeoutMs }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const parsed = tagsPageSchema.safeParse(parseJson(Buffer.from(body).toString("utf8")));
    if (!parsed.success) {
      throw new ConfigError("TAGS_ANSWER_INVALID", `${url} did not answer with a list of tags`, {
        hint: "KFP_UPGRADE_GITHUB_API must name a GitHub REST API (default https://api.github.com)",
      });
    }
    names.push(...parsed.data.map((tag) => tag.name));
    if (parsed.data.length < PER_PAGE) return names;
  }
  return names;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

import { readFileSync } from "node:fs";
import yaml from "js-yaml";
import { z } from "zod";
import { kubeconfigFiles } from "../../kube/load-kube-config.js";
import { CATALOGUE } from "../../release/catalogue.js";
import { compareVersions } from "../../release/compare-versions.js";
import type { CompletionSources } from "./complete-words.js";

const contextsSchema = z.object({ contexts: z.array(z.object({ name: z.string() })).nullish() });

/**
 * The catalogue's releases (newest first) and the contexts of the kubeconfig kubectl would read. A completion never
 * fails: an unreadable kubeconfig completes no context.
 */
export function completionSources(
  env: Record<string, string | undefined>,
  kubeconfig?: string,
): CompletionSources {
  return {
    tags: () => CATALOGUE.releases.map((release) => release.version).sort((a, b) => compareVersions(b, a)),
    contexts: () => {
      try {
        return kubeconfigFiles({ kubeconfig, env }, env).flatMap((file) => {
          const parsed = contextsSchema.safeParse(yaml.load(readFileSync(file, "utf8")));
          return parsed.success ? (parsed.data.contexts ?? []).map((context) => context.name) : [];
        });
      } catch {
        return [];
      }
    },
  };
}

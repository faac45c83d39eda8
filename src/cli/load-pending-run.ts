import { type Journal, readJournal, readJournalPlan } from "../app/journal.js";
import { ConfigError } from "../errors.js";
import { formatZodIssues } from "../format-zod-issues.js";
import { type Plan, planSchema } from "../plan/plan.js";
import type { Release } from "../release/release.js";
import { hydrateSecrets } from "./hydrate-secrets.js";
import { resolveReleaseForApp } from "./resolve-release-for-app.js";

export interface PendingRun {
  journal: Journal;
  plan: Plan;
  completed: Set<string>;
  warnings: string[];
}

/** The run a crash, Ctrl-C or lost connection left unfinished, ready to continue; undefined when there is none. */
export async function loadPendingRun(
  appDir: string,
  manifestsDir: string | null,
): Promise<PendingRun | undefined> {
  const journal = await readJournal(appDir);
  if (!journal || journal.status === "succeeded") return undefined;
  const parsed = planSchema.safeParse(await readJournalPlan(appDir));
  if (!parsed.success) {
    throw new ConfigError("JOURNAL_PLAN_INVALID", "the journaled plan of the unfinished run cannot be read", {
      details: formatZodIssues(parsed.error),
      hint: "Check the cluster with `kfp-upgrade status`, then remove .kfp-upgrade/journal and run the command again.",
    });
  }
  const dir = journal.release.manifests ?? manifestsDir;
  const versions = [...new Set([...parsed.data.hops.map((hop) => hop.to), journal.release.version])];
  const releases: Release[] = [];
  for (const version of versions) {
    releases.push(await resolveReleaseForApp(version, dir, journal.release.variant));
  }
  const hydrated = hydrateSecrets(parsed.data, releases);
  return {
    journal,
    plan: hydrated.plan,
    completed: new Set(journal.completedStepIds),
    warnings: hydrated.warnings,
  };
}

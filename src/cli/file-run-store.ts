import path from "node:path";
import { appendHistory } from "../app/history.js";
import {
  clearJournal,
  JOURNAL_PLAN_PATH,
  type Journal,
  readBeforeStates,
  readJournal,
  readJournalPlan,
  writeBeforeStates,
  writeJournal,
  writeJournalPlan,
} from "../app/journal.js";
import { kfappFiles } from "../app/kfapp-files.js";
import type { KfpApp } from "../app/kfp-app.js";
import { saveApp } from "../app/save-app.js";
import { saveVolumeDefinition } from "../app/saved-volumes.js";
import { ConfigError } from "../errors.js";
import type { RunRecord, RunStore } from "../execute/run-command.js";
import { formatZodIssues } from "../format-zod-issues.js";
import type { KubeObject } from "../model/kube-object.js";
import { type Plan, planSchema } from "../plan/plan.js";
import { redactSecrets } from "../redact.js";
import type { Release } from "../release/release.js";
import { hydrateSecrets } from "./hydrate-secrets.js";
import { type ReleaseLookup, resolveReleaseForApp } from "./resolve-release-for-app.js";

/** What a command keeps with its journal: the release it applies and the kfp-app.yaml it writes on success. */
export interface RunContext {
  release: Journal["release"];
  app: KfpApp;
}

/**
 * The run's state in the KFAPP directory: `.kfp-upgrade/journal/` (plan, record, before-states), the history and the
 * saved PV definitions. `currentApp` is the app as loaded, for journals written before they carried the app.
 */
export function fileRunStore(
  appDir: string,
  lookup: ReleaseLookup,
  currentApp: KfpApp,
): RunStore<RunContext> {
  let release: Journal["release"] | undefined;
  let app: KfpApp | undefined;
  const toJournal = (record: RunRecord): Journal => ({
    runId: record.runId,
    command: record.command,
    startedAt: record.startedAt,
    planHash: record.planHash,
    planPath: JOURNAL_PLAN_PATH,
    completedStepIds: record.completedStepIds,
    ...(record.currentStepId ? { currentStepId: record.currentStepId } : {}),
    status: record.status,
    release: release ?? { version: "unknown", variant: "default" },
    ...(app ? { app } : {}),
  });
  const toRecord = (journal: Journal): RunRecord => ({
    runId: journal.runId,
    command: journal.command,
    startedAt: journal.startedAt,
    planHash: journal.planHash,
    completedStepIds: journal.completedStepIds,
    currentStepId: journal.currentStepId,
    status: journal.status,
  });
  return {
    async unfinished() {
      const journal = await readJournal(appDir);
      if (!journal || journal.status === "succeeded") return undefined;
      return { record: toRecord(journal), to: journal.release.version };
    },
    async load() {
      const journal = await readJournal(appDir);
      if (!journal || journal.status === "succeeded") return undefined;
      const parsed = planSchema.safeParse(await readJournalPlan(appDir));
      if (!parsed.success) {
        throw new ConfigError(
          "JOURNAL_PLAN_INVALID",
          "the journaled plan of the unfinished run cannot be read",
          {
            details: formatZodIssues(parsed.error),
            hint: "Check the cluster with `kfp-upgrade status`, then remove .kfp-upgrade/journal and run the command again.",
          },
        );
      }
      release = journal.release;
      app = journal.app ?? appAfter(appDir, currentApp, parsed.data, journal.release);
      return { record: toRecord(journal), plan: parsed.data, context: { release, app } };
    },
    async hydrate(plan, context) {
      // The bundles the plan was made from: the run's --manifests, else this run's (cache or --manifests).
      const from: ReleaseLookup = context.release.manifests
        ? { manifestsDir: context.release.manifests, upstream: null }
        : lookup;
      const versions = [...new Set([...plan.hops.map((hop) => hop.to), context.release.version])];
      const releases: Release[] = [];
      for (const version of versions) {
        releases.push(await resolveReleaseForApp(version, from, context.release.variant));
      }
      return hydrateSecrets(plan, releases);
    },
    async begin(run) {
      release = run.context.release;
      app = run.context.app;
      await writeJournalPlan(appDir, redactSecrets(run.plan));
      await writeJournal(appDir, toJournal(run.record));
    },
    save: (record) => writeJournal(appDir, toJournal(record)),
    saveBefore: (group, states) => writeBeforeStates(appDir, group, states),
    loadBefore: async (group) =>
      (await readBeforeStates(appDir, group)) as [string, KubeObject | null][] | undefined,
    clear: () => clearJournal(appDir),
    async saveVolume(role, volume) {
      await saveVolumeDefinition(appDir, role, volume);
    },
    appFiles: kfappFiles(appDir),
    appendHistory: (entry) => appendHistory(appDir, entry),
    async succeeded(_plan, context) {
      await saveApp(appDir, context.app);
    },
  };
}

/** The app a journal without one would have written: as loaded, at the plan's version, with its PVs and source. */
function appAfter(appDir: string, app: KfpApp, plan: Plan, release: Journal["release"]): KfpApp {
  const storage = { ...app.storage };
  for (const entry of plan.storage) {
    if (
      entry.mode === "pvName" &&
      entry.volumeName &&
      (entry.role === "mysql" || entry.role === "objectStore")
    ) {
      storage[entry.role] = { pvName: entry.volumeName };
    }
  }
  return {
    ...app,
    version: plan.to,
    storage,
    release: {
      ...app.release,
      variant: release.variant,
      ...(release.manifests ? { manifests: path.relative(appDir, release.manifests) || "." } : {}),
    },
  };
}

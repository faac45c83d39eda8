import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { appPaths } from "../app/app-paths.js";
import { type Journal, readJournal, writeJournal } from "../app/journal.js";
import type { JournalSink } from "../execute/journal-sink.js";
import type { KubeObject } from "../model/kube-object.js";

/**
 * The executor's journal on disk: `.kfp-upgrade/journal/journal.json` is rewritten atomically after every step, and
 * the before-states rollback needs sit beside it. `onChange` mirrors progress elsewhere (the lock Lease).
 */
export function fileJournal(
  appDir: string,
  initial: Journal,
  onChange?: (journal: Journal) => Promise<void>,
): JournalSink {
  let journal = initial;
  const beforeFile = (group: number) => path.join(appPaths(appDir).journalDir, `before-${group}.json`);
  const save = async (next: Journal) => {
    journal = next;
    await writeJournal(appDir, journal);
    await onChange?.(journal);
  };
  return {
    stepStarted: (stepId) => save({ ...journal, currentStepId: stepId }),
    stepCompleted: (stepId) =>
      save({ ...journal, completedStepIds: [...journal.completedStepIds, stepId], currentStepId: undefined }),
    async saveBefore(group, states) {
      await mkdir(appPaths(appDir).journalDir, { recursive: true });
      await writeFile(beforeFile(group), JSON.stringify(states));
    },
    async loadBefore(group) {
      try {
        return JSON.parse(await readFile(beforeFile(group), "utf8")) as [string, KubeObject | null][];
      } catch {
        return undefined;
      }
    },
  };
}

export async function markJournal(appDir: string, status: Journal["status"]): Promise<void> {
  const journal = await readJournal(appDir);
  if (journal) await writeJournal(appDir, { ...journal, status });
}

import { rm } from "node:fs/promises";
import { z } from "zod";
import { ConfigError, InternalError } from "../errors.js";
import { appPaths } from "./app-paths.js";
import { formatYamlIssues } from "./format-yaml-issues.js";
import { readOptionalFile } from "./read-optional-file.js";
import { writeFileAtomic } from "./write-file-atomic.js";

/** The run in progress: enough to resume it after a crash or to roll it back after a failure. */
export const journalSchema = z
  .object({
    runId: z.string().min(1),
    command: z.enum(["deploy", "upgrade", "reinstall", "rollback"]),
    startedAt: z.iso.datetime({ offset: true }),
    planHash: z.string().min(1),
    /** Where the plan is stored, relative to the KFAPP directory (`.kfp-upgrade/journal/plan.json`). */
    planPath: z.string().min(1),
    completedStepIds: z.array(z.string().min(1)),
    currentStepId: z.string().min(1).optional(),
    status: z.enum(["running", "failed", "interrupted", "succeeded"]),
    release: z
      .object({
        version: z.string().min(1),
        manifests: z.string().min(1).optional(),
        variant: z.enum(["default", "minio"]),
      })
      .strict(),
  })
  .strict();
export type Journal = z.infer<typeof journalSchema>;

export const JOURNAL_PLAN_PATH = ".kfp-upgrade/journal/plan.json";
const JOURNAL_FILE = ".kfp-upgrade/journal/journal.json";
const HINT =
  "The run's record is damaged; check the cluster with `kfp-upgrade status`, then remove .kfp-upgrade/journal";

/** Replaces the journal atomically (temp file, fsync, rename): a crash leaves the old journal or the new one. */
export async function writeJournal(dir: string, journal: Journal): Promise<void> {
  const parsed = journalSchema.safeParse(journal, { reportInput: true });
  if (!parsed.success) {
    throw new InternalError("refusing to write an invalid journal", {
      details: formatYamlIssues(parsed.error, { source: "", fileName: JOURNAL_FILE }),
    });
  }
  await writeFileAtomic(appPaths(dir).journalFile, `${JSON.stringify(parsed.data, null, 2)}\n`);
}

/** The run in progress, or undefined when there is none. */
export async function readJournal(dir: string): Promise<Journal | undefined> {
  const source = await readOptionalFile(appPaths(dir).journalFile);
  if (source === undefined) return undefined;
  const parsed = journalSchema.safeParse(parseJson(source, JOURNAL_FILE), { reportInput: true });
  if (parsed.success) return parsed.data;
  throw new ConfigError("JOURNAL_INVALID", `${JOURNAL_FILE} is not a valid journal`, {
    details: formatYamlIssues(parsed.error, { source, fileName: JOURNAL_FILE, schema: journalSchema }),
    hint: HINT,
  });
}

/** Removes the journal first, then its plan, so a crash in between never leaves a journal without its plan. */
export async function clearJournal(dir: string): Promise<void> {
  const paths = appPaths(dir);
  await rm(paths.journalFile, { force: true });
  await rm(paths.journalDir, { recursive: true, force: true });
}

/** Stores the plan the journal refers to; write it before the journal that names it. */
export async function writeJournalPlan(dir: string, planJson: unknown): Promise<string> {
  const file = appPaths(dir).journalPlanFile;
  await writeFileAtomic(file, `${JSON.stringify(planJson, null, 2)}\n`);
  return file;
}

/** The stored plan as plain JSON (the plan layer validates it), or undefined when there is none. */
export async function readJournalPlan(dir: string): Promise<unknown> {
  const source = await readOptionalFile(appPaths(dir).journalPlanFile);
  return source === undefined ? undefined : parseJson(source, JOURNAL_PLAN_PATH);
}

function parseJson(source: string, fileName: string): unknown {
  try {
    return JSON.parse(source);
  } catch (error) {
    throw new ConfigError("JOURNAL_INVALID", `${fileName} is not valid JSON`, {
      details: [error instanceof Error ? error.message : String(error)],
      hint: HINT,
      cause: error,
    });
  }
}

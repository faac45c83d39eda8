import { rm } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { ConfigError, InternalError } from "../errors.js";
import { appPaths } from "./app-paths.js";
import { formatYamlIssues } from "./format-yaml-issues.js";
import { kfpAppSchema } from "./kfp-app.js";
import { readOptionalFile } from "./read-optional-file.js";
import { writeFileAtomic } from "./write-file-atomic.js";

/** The run in progress: enough to resume it after a crash or to roll it back after a failure. */
export const journalSchema = z
  .object({
    runId: z.string().min(1),
    command: z.enum(["deploy", "upgrade", "reinstall", "rollback", "uninstall"]),
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
    /** The kfp-app.yaml the run writes when it succeeds, so a resumed run writes the same (absent in older journals). */
    app: kfpAppSchema.optional(),
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

const beforeStatesSchema = z.array(z.tuple([z.string().min(1), z.looseObject({}).nullable()]));
export type BeforeStates = [string, Record<string, unknown> | null][];

function beforeFile(dir: string, group: number): string {
  return path.join(appPaths(dir).journalDir, `before-${group}.json`);
}

/**
 * The stateless objects a group of steps (a hop) will touch, as they were before it: what an automatic rollback
 * restores. Written atomically, since a torn file would make a rollback restore half of them.
 */
export async function writeBeforeStates(dir: string, group: number, states: BeforeStates): Promise<void> {
  await writeFileAtomic(beforeFile(dir, group), `${JSON.stringify(states)}\n`);
}

/**
 * The before-states of a group, or undefined when none were captured yet. A file that cannot be read is an error,
 * never a reason to capture again: by then the cluster may be half changed, and a new capture would make that the
 * state a rollback restores.
 */
export async function readBeforeStates(dir: string, group: number): Promise<BeforeStates | undefined> {
  const file = beforeFile(dir, group);
  const source = await readOptionalFile(file);
  if (source === undefined) return undefined;
  const fileName = `.kfp-upgrade/journal/before-${group}.json`;
  const parsed = beforeStatesSchema.safeParse(parseJson(source, fileName));
  if (parsed.success) return parsed.data as BeforeStates;
  throw new ConfigError("JOURNAL_INVALID", `${fileName} is not a list of before-states`, {
    details: parsed.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`),
    hint: `${HINT}; an automatic rollback of this run is not possible without it`,
  });
}

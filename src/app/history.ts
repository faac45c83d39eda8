import { appendFile, mkdir, open, truncate } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { ConfigError, InternalError } from "../errors.js";
import { backupRecordSchema } from "../model/backup.js";
import { appPaths } from "./app-paths.js";
import { formatYamlIssues } from "./format-yaml-issues.js";
import { readOptionalFile } from "./read-optional-file.js";

export const historyEntrySchema = z
  .object({
    /** 1-based, in the order the runs started. */
    id: z.number().int().positive(),
    command: z.enum(["deploy", "upgrade", "reinstall", "rollback", "uninstall"]),
    user: z.string().min(1),
    startedAt: z.iso.datetime({ offset: true }),
    finishedAt: z.iso.datetime({ offset: true }),
    /** KFP version before the run; null for a first deploy. */
    from: z.string().min(1).nullable(),
    to: z.string().min(1),
    planHash: z.string().min(1),
    outcome: z.enum(["succeeded", "failed", "rolled-back", "failed-forward", "interrupted", "refused"]),
    message: z.string().optional(),
    /** What KFP's API listed after the run's last inventory check (counts per kind). */
    inventory: z
      .object({
        experiments: z.number().int().nonnegative(),
        pipelines: z.number().int().nonnegative(),
        pipelineVersions: z.number().int().nonnegative(),
        runs: z.number().int().nonnegative(),
        recurringRuns: z.number().int().nonnegative(),
      })
      .strict()
      .optional(),
    /** Backups the run took before its first change (VolumeSnapshots), ready when recorded. */
    backups: z.array(backupRecordSchema).optional(),
  })
  .strict();
export type HistoryEntry = z.infer<typeof historyEntrySchema>;
export type NewHistoryEntry = Omit<HistoryEntry, "id">;

const FILE_NAME = ".kfp-upgrade/history.jsonl";

/**
 * Appends a run to `.kfp-upgrade/history.jsonl` (one JSON object a line, so an append never rewrites earlier runs)
 * and returns it with its id. Runs are serialised by the cluster lock, so the next id is the last one plus one.
 */
export async function appendHistory(dir: string, entry: NewHistoryEntry): Promise<HistoryEntry> {
  const file = appPaths(dir).historyFile;
  const source = await readOptionalFile(file);
  const existing = source === undefined ? [] : parseHistory(source);
  const parsed = historyEntrySchema.safeParse(
    { ...entry, id: (existing.at(-1)?.id ?? 0) + 1 },
    { reportInput: true },
  );
  if (!parsed.success) {
    throw new InternalError("refusing to record an invalid history entry", {
      details: formatYamlIssues(parsed.error, { source: "", fileName: FILE_NAME }),
    });
  }
  const record = parsed.data;
  await mkdir(path.dirname(file), { recursive: true });
  if (source && !source.endsWith("\n")) {
    // A crash mid-append left half a line; drop it so the new record starts on a line of its own.
    await truncate(file, Buffer.byteLength(source.slice(0, source.lastIndexOf("\n") + 1)));
  }
  await appendFile(file, `${JSON.stringify(record)}\n`, "utf8");
  const handle = await open(file, "r+");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  return record;
}

/** Every recorded run, oldest first; empty when there is no history yet. */
export async function readHistory(dir: string): Promise<HistoryEntry[]> {
  const source = await readOptionalFile(appPaths(dir).historyFile);
  return source === undefined ? [] : parseHistory(source);
}

function parseHistory(source: string): HistoryEntry[] {
  const lines = source.split("\n");
  // The last line is only complete when it ends in a newline; anything after it is a torn append.
  const complete = lines.slice(0, -1);
  const entries: HistoryEntry[] = [];
  const problems: string[] = [];
  complete.forEach((line, index) => {
    if (line.trim() === "") return;
    const where = `${FILE_NAME} line ${index + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      problems.push(`${where}: not JSON`);
      return;
    }
    const parsed = historyEntrySchema.safeParse(value, { reportInput: true });
    if (parsed.success) entries.push(parsed.data);
    else
      problems.push(
        ...formatYamlIssues(parsed.error, { source: "", fileName: FILE_NAME }).map((p) => `${where}: ${p}`),
      );
  });
  if (problems.length > 0) {
    throw new ConfigError("HISTORY_INVALID", `${FILE_NAME} is damaged`, {
      details: problems,
      hint: `Fix or remove the lines listed above in ${FILE_NAME}; the cluster keeps its own copy of the history in a ConfigMap`,
    });
  }
  return entries;
}

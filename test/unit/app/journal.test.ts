import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  clearJournal,
  type Journal,
  readBeforeStates,
  readJournal,
  readJournalPlan,
  writeBeforeStates,
  writeJournal,
  writeJournalPlan,
} from "../../../src/app/journal.js";
import { appDir } from "../../support/app-dir.js";

const journal: Journal = {
  runId: "run-20250301-100000",
  command: "upgrade",
  startedAt: "2025-03-01T10:00:00.000Z",
  planHash: "sha256:4f2a",
  planPath: ".kfp-upgrade/journal/plan.json",
  completedStepIds: ["check-namespace", "retain-mysql-pv"],
  currentStepId: "apply-crds",
  status: "running",
  release: { version: "2.14.4", variant: "default" },
};
const journalDir = (dir: string) => path.join(dir, ".kfp-upgrade/journal");

describe("journal", () => {
  it("reads undefined when no run is in progress", async () => {
    const dir = appDir();
    await expect(readJournal(dir)).resolves.toBeUndefined();
    await expect(readJournalPlan(dir)).resolves.toBeUndefined();
  });

  it("writes, replaces and reads back the journal and its plan", async () => {
    const dir = appDir();
    const plan = { steps: [{ id: "check-namespace", kind: "check" }] };
    await expect(writeJournalPlan(dir, plan)).resolves.toBe(path.join(journalDir(dir), "plan.json"));
    await writeJournal(dir, journal);
    const next: Journal = {
      ...journal,
      completedStepIds: [...journal.completedStepIds, "apply-crds"],
      currentStepId: undefined,
    };
    await writeJournal(dir, next);
    await expect(readJournal(dir)).resolves.toEqual(next);
    await expect(readJournalPlan(dir)).resolves.toEqual(plan);
    expect((await readdir(journalDir(dir))).sort()).toEqual(["journal.json", "plan.json"]);
  });

  it("keeps the previous journal when a write was torn before its rename", async () => {
    const dir = appDir();
    await writeJournal(dir, journal);
    // What a crash mid-write leaves: a half-written temp file next to the intact journal.
    await writeFile(path.join(journalDir(dir), `.journal.json.999.deadbeef.tmp`), '{"runId": "run-2", "comp');
    await expect(readJournal(dir)).resolves.toEqual(journal);
    await writeJournal(dir, { ...journal, status: "interrupted" });
    await expect(readJournal(dir)).resolves.toMatchObject({ status: "interrupted" });
  });

  it("clears the journal and the plan", async () => {
    const dir = appDir();
    await writeJournalPlan(dir, { steps: [] });
    await writeJournal(dir, journal);
    await clearJournal(dir);
    await expect(readJournal(dir)).resolves.toBeUndefined();
    await expect(readJournalPlan(dir)).resolves.toBeUndefined();
    await clearJournal(dir);
  });

  it("refuses a journal that is not JSON", async () => {
    const dir = appDir({ ".kfp-upgrade/journal/journal.json": '{"runId": "run-1", ' });
    await expect(readJournal(dir)).rejects.toMatchObject({
      code: "JOURNAL_INVALID",
      exitCode: 3,
      message: ".kfp-upgrade/journal/journal.json is not valid JSON",
    });
  });

  it("refuses a journal with a bad field, naming the field and line", async () => {
    const source = `${JSON.stringify({ ...journal, status: "paused" }, null, 2)}\n`;
    const dir = appDir({ ".kfp-upgrade/journal/journal.json": source });
    const line = source.split("\n").findIndex((text) => text.includes('"status"')) + 1;
    await expect(readJournal(dir)).rejects.toMatchObject({
      code: "JOURNAL_INVALID",
      details: [
        `status: expected one of "running"|"failed"|"interrupted"|"succeeded", got "paused" (.kfp-upgrade/journal/journal.json line ${line})`,
      ],
    });
  });

  it("refuses to write an invalid journal, and writes nothing", async () => {
    const dir = appDir();
    await expect(writeJournal(dir, { ...journal, completedStepIds: [""] })).rejects.toMatchObject({
      code: "INTERNAL",
    });
    await expect(readJournal(dir)).resolves.toBeUndefined();
  });

  it("stores the journal as readable JSON", async () => {
    const dir = appDir();
    await writeJournal(dir, journal);
    expect(JSON.parse(await readFile(path.join(journalDir(dir), "journal.json"), "utf8"))).toEqual(journal);
  });
});

describe("before-states", () => {
  const states: [string, Record<string, unknown> | null][] = [
    ['["apps/v1","Deployment","kubeflow","ml-pipeline"]', { apiVersion: "apps/v1", kind: "Deployment" }],
    ['["v1","ConfigMap","kubeflow","kfp-launcher"]', null],
  ];

  it("are written atomically and read back; none captured yet reads undefined", async () => {
    const dir = appDir();
    await expect(readBeforeStates(dir, 1)).resolves.toBeUndefined();
    await writeBeforeStates(dir, 1, states);
    await expect(readBeforeStates(dir, 1)).resolves.toEqual(states);
    expect((await readdir(journalDir(dir))).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });

  it.each([
    { name: "a torn file", content: '[["a",{"kind":' },
    { name: "not a list of pairs", content: '{"a":1}' },
  ])("$name is an error, never a reason to capture again", async ({ content }) => {
    const dir = appDir();
    await writeBeforeStates(dir, 2, states);
    await writeFile(path.join(journalDir(dir), "before-2.json"), content);
    await expect(readBeforeStates(dir, 2)).rejects.toMatchObject({ code: "JOURNAL_INVALID", exitCode: 3 });
  });
});

import { appendFile, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { appendHistory, type NewHistoryEntry, readHistory } from "../../../src/app/history.js";
import { appDir } from "../../support/app-dir.js";

const run = (overrides: Partial<NewHistoryEntry> = {}): NewHistoryEntry => ({
  command: "upgrade",
  user: "alice",
  startedAt: "2025-03-01T10:00:00.000Z",
  finishedAt: "2025-03-01T10:04:30.000Z",
  from: "2.5.0",
  to: "2.14.4",
  planHash: "sha256:4f2a",
  outcome: "succeeded",
  ...overrides,
});

describe("history", () => {
  it("is empty before the first run", async () => {
    await expect(readHistory(appDir())).resolves.toEqual([]);
  });

  it("appends runs with 1-based ids and reads them back in order", async () => {
    const dir = appDir();
    await expect(
      appendHistory(dir, run({ command: "deploy", from: null, to: "2.5.0" })),
    ).resolves.toMatchObject({ id: 1 });
    await expect(
      appendHistory(dir, run({ outcome: "rolled-back", message: "ml-pipeline did not become ready" })),
    ).resolves.toMatchObject({ id: 2 });
    await expect(readHistory(dir)).resolves.toEqual([
      { ...run({ command: "deploy", from: null, to: "2.5.0" }), id: 1 },
      { ...run({ outcome: "rolled-back", message: "ml-pipeline did not become ready" }), id: 2 },
    ]);
    const lines = (await readFile(path.join(dir, ".kfp-upgrade/history.jsonl"), "utf8")).split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe("");
  });

  it("keeps the inventory counts of the run's last check", async () => {
    const dir = appDir();
    const inventory = { experiments: 3, pipelines: 3, pipelineVersions: 4, runs: 1, recurringRuns: 1 };
    await appendHistory(dir, run({ inventory }));
    await expect(readHistory(dir)).resolves.toEqual([{ ...run({ inventory }), id: 1 }]);
  });

  it("ignores an id the caller passes", async () => {
    const dir = appDir();
    await expect(appendHistory(dir, { ...run(), id: 42 } as NewHistoryEntry)).resolves.toMatchObject({
      id: 1,
    });
  });

  it("drops a line torn by a crash mid-append, and the next run starts a line of its own", async () => {
    const dir = appDir();
    await appendHistory(dir, run());
    await appendFile(path.join(dir, ".kfp-upgrade/history.jsonl"), '{"id":2,"command":"upg');
    await expect(readHistory(dir)).resolves.toHaveLength(1);
    await expect(appendHistory(dir, run({ to: "2.17.0" }))).resolves.toMatchObject({ id: 2 });
    await expect(readHistory(dir)).resolves.toMatchObject([{ id: 1 }, { id: 2, to: "2.17.0" }]);
  });

  it("refuses a damaged line, naming it and the field", async () => {
    const dir = appDir({
      ".kfp-upgrade/history.jsonl": `${JSON.stringify({ ...run(), id: 1 })}\nnot json\n${JSON.stringify({ ...run(), id: 3, outcome: "done" })}\n`,
    });
    await expect(readHistory(dir)).rejects.toMatchObject({
      code: "HISTORY_INVALID",
      exitCode: 3,
      message: ".kfp-upgrade/history.jsonl is damaged",
      details: [
        ".kfp-upgrade/history.jsonl line 2: not JSON",
        '.kfp-upgrade/history.jsonl line 3: outcome: expected one of "succeeded"|"failed"|"rolled-back"|"failed-forward"|"interrupted"|"refused", got "done"',
      ],
    });
  });

  it("refuses to record an entry that does not fit the schema", async () => {
    await expect(appendHistory(appDir(), run({ startedAt: "yesterday" }))).rejects.toMatchObject({
      code: "INTERNAL",
      details: ["startedAt: Invalid ISO datetime"],
    });
  });
});

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { jobSummary, readDocuments } from "../../../../src/cli/github-action/job-summary.js";
import { FIXTURES_DIR } from "../../../support/app-dir.js";

// Real -o json output, recorded from the Action's step in test/e2e/github-action.e2e.test.ts: an upgrade 2.5.0 ->
// 2.14.4 (203 event lines), a run refused for an unknown tag (the error line), and `status`.
const fixture = (name: string) => readFileSync(path.join(FIXTURES_DIR, "github-action", name), "utf8");
const upgradeEvents = fixture("upgrade-events.jsonl");
const ARGS = ["upgrade", "--app-dir", "kfapp", "-o", "json", "--tag", "2.14.4", "--yes", "--no-backup"];

describe("jobSummary", () => {
  it("an upgrade: outcome, command line, release, a row per step with its time, the data claims and their PVs", () => {
    const summary = jobSummary({ stdout: upgradeEvents, exitCode: 0, args: ARGS });
    expect(summary).toMatch(/^## ✅ kfp-upgrade upgrade: succeeded\n\n`kfp-upgrade upgrade --app-dir kfapp/);
    expect(summary).toContain("| Release | 2.5.0 → 2.14.4 |");
    expect(summary).toContain("| Namespace | action-256d09a0 |");
    expect(summary).toContain("**Result:** upgrade of KFP 2.14.4 succeeded in namespace action-256d09a0");
    const rows = summary.split("\n").filter((line) => /^\| \d+ \|/.test(line));
    expect(rows).toHaveLength(23);
    expect(rows.every((row) => /\| ✅ .* \| \d+\.\ds \|$/.test(row))).toBe(true);
    expect(summary).toContain(
      "| mysql-pv-claim | pvc-41976272-1946-4fef-82f1-54e65dde851d | 0f535116-b59c-4145-9fa0-368f538a67db |",
    );
    expect(summary).toContain("<details><summary>Plan (23 steps)</summary>");
    expect(summary).toContain("Plan: upgrade KFP 2.5.0 -> 2.14.4 in namespace action-256d09a0");
    expect(summary).not.toContain("step-progress");
  });

  it("a dry run with --exit-code: the plan, open, and that it would change something; no step rows", () => {
    const planEvent = JSON.parse(upgradeEvents.split("\n")[0] ?? "") as { plan: unknown };
    const summary = jobSummary({
      stdout: `${JSON.stringify(planEvent.plan, null, 2)}\n`,
      exitCode: 2,
      args: ["upgrade", "--tag", "2.14.4", "--dry-run", "--exit-code"],
    });
    expect(summary).toMatch(/^## ✅ kfp-upgrade upgrade: planned \(exit 2\)/);
    expect(summary).toContain("The plan would change something (`--exit-code`).");
    expect(summary).toContain("<details open><summary>Plan (23 steps)</summary>");
    expect(summary).not.toContain("### Steps");
  });

  it("an interrupted run (its output cut after a step started): that step is not finished", () => {
    const lines = upgradeEvents.split("\n");
    const cut = lines.findIndex((line, i) => i > 10 && line.startsWith('{"type":"step-start"'));
    const summary = jobSummary({ stdout: lines.slice(0, cut + 1).join("\n"), exitCode: 130, args: ARGS });
    expect(summary).toMatch(/^## ❌ kfp-upgrade upgrade: interrupted \(exit 130\)/);
    expect(summary).toMatch(/\| ⏹ not finished \| +\|\n/);
    expect(summary).not.toContain("### Data claims");
  });

  it("an error: its code, exit code and hint, as Markdown that HTML in messages cannot break", () => {
    const summary = jobSummary({
      stdout: fixture("error.jsonl"),
      exitCode: 2,
      args: ["upgrade", "--tag", "9.9.9"],
    });
    expect(summary).toContain("## ❌ kfp-upgrade upgrade: failed (exit 2)");
    expect(summary).toContain(
      "**Error TAG_UNKNOWN** (exit 2): KFP 9.9.9 is newer than the catalogue; the newest backend release is 2.17.0",
    );
    expect(summary).toContain(
      "Hint: Put a rendered bundle for it under --manifests DIR/9.9.9/, or use 2.17.0",
    );
    const html = jobSummary({
      stdout: JSON.stringify({
        type: "error",
        code: "X",
        exitCode: 3,
        message: "<img src=x> a|b",
        details: [],
      }),
      exitCode: 3,
      args: ["status"],
    });
    expect(html).toContain("&lt;img src=x&gt; a|b");
  });

  it("a command's document (status) goes in as JSON", () => {
    const summary = jobSummary({
      stdout: fixture("status.json"),
      exitCode: 0,
      args: ["status", "-o", "json"],
    });
    expect(summary).toMatch(/^## ✅ kfp-upgrade status: done\n/);
    expect(summary).toContain(
      '<details><summary>Output</summary>\n\n```json\n{\n  "context": "kfp-upgrade-e2e"',
    );
  });

  it("readDocuments: one pretty document, or one per line, skipping what is not JSON", () => {
    expect(readDocuments('{\n  "a": 1\n}\n')).toEqual([{ a: 1 }]);
    expect(readDocuments('{"a":1}\nnot json\n{"b":2}\n')).toEqual([{ a: 1 }, { b: 2 }]);
    expect(readDocuments("")).toEqual([]);
  });
});

describe("write-job-summary (the Action's summary step)", () => {
  it("appends the summary to $GITHUB_STEP_SUMMARY, keeping what earlier steps wrote", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "kfp-upgrade-summary-"));
    const summaryFile = path.join(dir, "summary.md");
    const eventsFile = path.join(dir, "events.jsonl");
    writeFileSync(summaryFile, "# earlier step\n");
    writeFileSync(eventsFile, fixture("error.jsonl"));
    execFileSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "src/cli/github-action/write-job-summary.ts",
        eventsFile,
        "2",
        "--",
        "upgrade",
        "--tag",
        "9.9.9",
      ],
      {
        cwd: path.resolve(import.meta.dirname, "../../../.."),
        env: { ...process.env, GITHUB_STEP_SUMMARY: summaryFile },
      },
    );
    const written = readFileSync(summaryFile, "utf8");
    expect(written).toMatch(/^# earlier step\n## ❌ kfp-upgrade upgrade: failed \(exit 2\)\n/);
    expect(written).toContain("`kfp-upgrade upgrade --tag 9.9.9`");
  }, 30_000);
});

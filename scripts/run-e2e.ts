// Runs the end-to-end suite as several vitest processes at once, each with its own local control plane (the tests
// mostly wait on kwok's simulated pods, so two clusters on two cores finish in little more than half the time).
// Files are spread by their last measured durations (test/e2e/durations.json; a new file counts as the median),
// longest first onto the least loaded shard. Each shard prints its own vitest summary, prefixed with its number.
//
//   tsx scripts/run-e2e.ts                      # every file, KFP_UPGRADE_E2E_SHARDS shards (default 3)
//   tsx scripts/run-e2e.ts test/e2e/x.e2e.test.ts  # just these files, one vitest process
//   tsx scripts/run-e2e.ts --write-durations    # also record this run's per-file durations
import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { z } from "zod";

const E2E_DIR = "test/e2e";
const DURATIONS_FILE = path.join(E2E_DIR, "durations.json");
const durationsSchema = z.record(z.string(), z.number().nonnegative());
const vitestReportSchema = z.object({
  testResults: z.array(z.object({ name: z.string(), startTime: z.number(), endTime: z.number() })),
});

interface Shard {
  index: number;
  files: string[];
  expectedSeconds: number;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const writeDurations = args.includes("--write-durations");
  const explicit = args.filter((arg) => !arg.startsWith("--"));
  if (explicit.length > 0) return runVitest(explicit, null, null);

  const files = (await readdir(E2E_DIR))
    .filter((name) => name.endsWith(".e2e.test.ts"))
    .map((name) => path.join(E2E_DIR, name))
    .sort();
  const durations = await readDurations();
  // A shared dev cluster cannot host two shards: tests restart its apiserver and assume they are alone on it.
  const requested =
    process.env.KFP_UPGRADE_E2E_USE_DEV_CLUSTER === "1"
      ? 1
      : Number(process.env.KFP_UPGRADE_E2E_SHARDS ?? "3") || 3;
  const shardCount = Math.max(1, Math.min(files.length, requested));
  const shards = spread(files, durations, shardCount);
  for (const shard of shards) {
    process.stderr.write(
      `[run-e2e] shard ${shard.index}: ${shard.files.length} files, ~${Math.round(shard.expectedSeconds)} s expected: ${shard.files.map((f) => path.basename(f, ".e2e.test.ts")).join(", ")}\n`,
    );
  }
  const reportDir = await mkdtemp(path.join(tmpdir(), "kfp-upgrade-e2e-"));
  try {
    const codes = await Promise.all(
      shards.map((shard) =>
        runVitest(shard.files, shard.index, path.join(reportDir, `shard-${shard.index}.json`)),
      ),
    );
    const measured = await readMeasured(reportDir, shards);
    if (writeDurations) {
      await writeFile(
        DURATIONS_FILE,
        `${JSON.stringify(sortKeys({ ...durations, ...measured }), null, 2)}\n`,
      );
      process.stderr.write(`[run-e2e] wrote ${DURATIONS_FILE}\n`);
    }
    const failed = codes.filter((code) => code !== 0).length;
    process.stderr.write(
      `[run-e2e] ${shards.length} shards, ${failed === 0 ? "all passed" : `${failed} failed`}\n`,
    );
    return failed === 0 ? 0 : 1;
  } finally {
    await rm(reportDir, { recursive: true, force: true });
  }
}

/** Longest-processing-time-first: each file, longest first, onto the shard with the least expected time. */
function spread(files: string[], durations: Record<string, number>, count: number): Shard[] {
  const known = files.map((file) => durations[file]).filter((d): d is number => d !== undefined);
  const median =
    known.length > 0 ? ([...known].sort((a, b) => a - b)[Math.floor(known.length / 2)] ?? 60) : 60;
  const shards: Shard[] = Array.from({ length: count }, (_, i) => ({
    index: i + 1,
    files: [],
    expectedSeconds: 0,
  }));
  const weighted = files
    .map((file) => ({ file, seconds: durations[file] ?? median }))
    .sort((a, b) => b.seconds - a.seconds || (a.file < b.file ? -1 : 1));
  for (const { file, seconds } of weighted) {
    const lightest = shards.reduce((min, shard) =>
      shard.expectedSeconds < min.expectedSeconds ? shard : min,
    );
    lightest.files.push(file);
    lightest.expectedSeconds += seconds;
  }
  for (const shard of shards) shard.files.sort();
  return shards.filter((shard) => shard.files.length > 0);
}

function runVitest(files: string[], shard: number | null, reportFile: string | null): Promise<number> {
  const reporters = reportFile
    ? ["--reporter=default", "--reporter=json", `--outputFile.json=${reportFile}`]
    : [];
  // The local binary, not npx: inside the loopback-only network namespace npx cannot ask the registry anything.
  const child = spawn(
    "node_modules/.bin/vitest",
    ["run", "--config", "vitest.e2e.config.ts", ...reporters, ...files],
    {
      stdio: shard === null ? "inherit" : ["ignore", "pipe", "pipe"],
    },
  );
  if (shard !== null) {
    prefixLines(child.stdout, process.stdout, `[shard ${shard}] `);
    prefixLines(child.stderr, process.stderr, `[shard ${shard}] `);
  }
  return new Promise((resolve) => {
    child.on("close", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

function prefixLines(from: NodeJS.ReadableStream | null, to: NodeJS.WritableStream, prefix: string): void {
  if (!from) return;
  let pending = "";
  from.setEncoding("utf8");
  from.on("data", (chunk: string) => {
    const lines = (pending + chunk).split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) to.write(`${prefix}${line}\n`);
  });
  from.on("end", () => {
    if (pending) to.write(`${prefix}${pending}\n`);
  });
}

async function readDurations(): Promise<Record<string, number>> {
  const text = await readFile(DURATIONS_FILE, "utf8").catch(() => "{}");
  return durationsSchema.parse(JSON.parse(text));
}

async function readMeasured(reportDir: string, shards: Shard[]): Promise<Record<string, number>> {
  const measured: Record<string, number> = {};
  for (const shard of shards) {
    const text = await readFile(path.join(reportDir, `shard-${shard.index}.json`), "utf8").catch(() => null);
    if (text === null) continue;
    const parsed = vitestReportSchema.safeParse(JSON.parse(text));
    if (!parsed.success) continue;
    for (const result of parsed.data.testResults) {
      const file = path.relative(process.cwd(), result.name);
      measured[file] = Math.round((result.endTime - result.startTime) / 1000);
    }
  }
  for (const [file, seconds] of Object.entries(measured).sort(([, a], [, b]) => b - a)) {
    process.stderr.write(`[run-e2e] ${seconds} s ${file}\n`);
  }
  return measured;
}

function sortKeys(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1)));
}

process.exitCode = await main();

import { appendFileSync, readFileSync } from "node:fs";
import { jobSummary } from "./job-summary.js";

/**
 * The Action's summary step (action.yml): `node write-job-summary.js EVENTS_FILE EXIT_CODE -- ARGS…` appends the
 * Markdown summary of the run whose `-o json` output is in EVENTS_FILE to $GITHUB_STEP_SUMMARY.
 */
const [eventsFile, exitCode, separator, ...args] = process.argv.slice(2);
const summaryFile = process.env.GITHUB_STEP_SUMMARY;
if (!eventsFile || exitCode === undefined || separator !== "--" || !summaryFile) {
  process.stderr.write(
    "usage: GITHUB_STEP_SUMMARY=FILE node write-job-summary.js EVENTS_FILE EXIT_CODE -- ARGS…\n",
  );
  process.exitCode = 2;
} else {
  const summary = jobSummary({ stdout: readFileSync(eventsFile, "utf8"), exitCode: Number(exitCode), args });
  appendFileSync(summaryFile, `${summary}\n`);
}

import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import yaml from "js-yaml";
import { onTestFinished } from "vitest";
import { z } from "zod";

const REPO = fileURLToPath(new URL("../..", import.meta.url));

const actionSchema = z.object({
  inputs: z.record(z.string(), z.object({ description: z.string(), default: z.string() })),
  runs: z.object({
    using: z.literal("composite"),
    steps: z.array(
      z.object({
        id: z.string().optional(),
        run: z.string().optional(),
        shell: z.string().optional(),
        env: z.record(z.string(), z.string()).optional(),
      }),
    ),
  }),
});

export function readAction(): z.infer<typeof actionSchema> {
  return actionSchema.parse(yaml.load(readFileSync(path.join(REPO, "action.yml"), "utf8")));
}

export interface ActionRun {
  exitCode: number;
  /** What the step appended to $GITHUB_STEP_SUMMARY. */
  summary: string;
  /** The step's outputs ($GITHUB_OUTPUT). */
  outputs: Record<string, string>;
  /** kfp-upgrade's -o json output (the `events` output's file). */
  events: string;
  stderr: string;
}

/**
 * Runs action.yml's `run` step as GitHub's runner does: its `env` with `${{ inputs.* }}` (the defaults, overridden by
 * `inputs`) and `${{ github.action_path }}` (this checkout) filled in, in bash, with fresh $GITHUB_STEP_SUMMARY and
 * $GITHUB_OUTPUT files. The setup steps (setup-node, npm ci, build) are the test run's own `npm run build`.
 */
export function runActionStep(
  inputs: Record<string, string>,
  env: Record<string, string>,
): Promise<ActionRun> {
  const action = readAction();
  const step = action.runs.steps.find((s) => s.id === "run");
  if (!step?.run || step.shell !== "bash") throw new Error("action.yml has no bash step with id run");
  const values = Object.fromEntries(
    Object.entries(action.inputs).map(([name, input]) => [name, inputs[name] ?? input.default]),
  );
  const expand = (text: string) =>
    text.replace(/\$\{\{\s*([\w.-]+)\s*\}\}/g, (_, expression: string) => {
      if (expression === "github.action_path") return REPO;
      const input = /^inputs\.(.+)$/.exec(expression)?.[1];
      if (input !== undefined && input in values) return values[input] ?? "";
      throw new Error(`action.yml uses \${{ ${expression} }}, which this test does not provide`);
    });
  const dir = mkdtempSync(path.join(tmpdir(), "kfp-upgrade-action-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const summaryFile = path.join(dir, "step-summary.md");
  const outputFile = path.join(dir, "output");
  writeFileSync(summaryFile, "");
  writeFileSync(outputFile, "");
  const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(v)]));
  return new Promise((resolve) => {
    execFile(
      "bash",
      ["-e", "-c", step.run ?? ""],
      {
        cwd: env.GITHUB_WORKSPACE ?? dir,
        env: {
          PATH: process.env.PATH ?? "",
          HOME: process.env.HOME ?? "/root",
          NO_COLOR: "1",
          RUNNER_TEMP: dir,
          GITHUB_STEP_SUMMARY: summaryFile,
          GITHUB_OUTPUT: outputFile,
          ...env,
          ...stepEnv,
        },
        maxBuffer: 64 * 1024 * 1024,
        timeout: 300_000,
      },
      (error, _stdout, stderr) => {
        const outputs = Object.fromEntries(
          readFileSync(outputFile, "utf8")
            .split("\n")
            .filter((line) => line.includes("="))
            .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
        );
        resolve({
          exitCode: error ? (typeof error.code === "number" ? error.code : 1) : 0,
          summary: readFileSync(summaryFile, "utf8"),
          outputs,
          events: outputs.events ? readFileSync(outputs.events, "utf8") : "",
          stderr,
        });
      },
    );
  });
}

import { execFile } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import yaml from "js-yaml";
import { describe, expect, it, onTestFinished } from "vitest";
import { z } from "zod";
import { e2eCluster } from "../support/e2e-cluster.js";
import { runActionStep } from "../support/github-action.js";
import { testNamespace, timed, unavailableDeployments } from "../support/kfp-install.js";
import { schemaProblems } from "../support/published-schemas.js";
import { readmeExample } from "../support/readme-examples.js";
import { runCli, SHARED_MANIFESTS } from "../support/run-cli.js";

// Issue 13: the README's three places (a terminal, CI with the GitHub Action, a scripted rebuild), each example run
// as written against the local control plane; every -o json output on the way is checked against schema/ with ajv.

const BIN = fileURLToPath(new URL("../../bin/kfp-upgrade.js", import.meta.url));

/** A `kfp-upgrade` on PATH that runs the build, as `npm link` installs it. */
function shimPath(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "kfp-upgrade-bin-"));
  writeFileSync(path.join(dir, "kfp-upgrade"), `#!/bin/sh\nexec node ${JSON.stringify(BIN)} "$@"\n`);
  chmodSync(path.join(dir, "kfp-upgrade"), 0o755);
  return `${dir}:${process.env.PATH ?? ""}`;
}

function bash(
  script: string,
  cwd: string,
  env: Record<string, string>,
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      "bash",
      ["-c", script],
      { cwd, env, timeout: 300_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({
          exitCode: error ? (typeof error.code === "number" ? error.code : 1) : 0,
          stdout,
          stderr,
        }),
    );
  });
}

/** Each line of `-o json` output validates as an event (or, for one document, as `single`). */
function expectValidOutput(stdout: string, single?: string): void {
  try {
    const document: unknown = JSON.parse(stdout);
    expect(schemaProblems(single ?? "event", document)).toEqual([]);
    return;
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
  }
  const lines = stdout.split("\n").filter((line) => line !== "");
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) expect(schemaProblems("event", JSON.parse(line)), line.slice(0, 200)).toEqual([]);
}

const workflowSchema = z.object({
  jobs: z.object({
    upgrade: z.object({
      steps: z.array(
        z.object({
          id: z.string().optional(),
          if: z.string().optional(),
          uses: z.string().optional(),
          run: z.string().optional(),
          with: z.record(z.string(), z.union([z.string(), z.boolean(), z.number()])).optional(),
        }),
      ),
    }),
  }),
});

/** GitHub's `if:` for the forms the README's workflow uses: `steps.ID.outputs.exit-code ==|!= 'N'`, joined by &&. */
function condition(expression: string | undefined, exitCodes: Record<string, string>): boolean {
  if (expression === undefined) return true;
  return expression.split("&&").every((part) => {
    const match = /^\s*steps\.([\w-]+)\.outputs\.exit-code\s*(==|!=)\s*'(\d+)'\s*$/.exec(part);
    if (!match) throw new Error(`the test cannot evaluate if: ${expression}`);
    const [, id = "", operator, value] = match;
    return operator === "==" ? exitCodes[id] === value : exitCodes[id] !== value;
  });
}

describe("the README's three places", () => {
  it("a terminal, the GitHub Action's workflow and a scripted rebuild, each as the README writes it", async () => {
    await timed("three places (terminal, action, rebuild)", async () => {
      const namespace = testNamespace("action");
      const workspace = mkdtempSync(path.join(tmpdir(), "kfp-upgrade-workspace-"));
      onTestFinished(() => rmSync(workspace, { recursive: true, force: true }));
      const kfapp = path.join(workspace, "kfapp");
      mkdirSync(kfapp);
      const env = {
        PATH: shimPath(),
        HOME: process.env.HOME ?? "/root",
        NO_COLOR: "1",
        KUBECONFIG: e2eCluster().kubeconfigPath,
        KFP_UPGRADE_MANIFESTS: SHARED_MANIFESTS,
      };
      const deploy = await runCli(
        ["deploy", "--tag", "2.5.0", "--manifests", SHARED_MANIFESTS, "-n", namespace],
        {
          appDir: kfapp,
        },
      );
      expect(deploy.exitCode, deploy.stderr).toBe(0);
      expectValidOutput(deploy.stdout);

      // A terminal: every line in the KFAPP directory; the last one asks, so without a terminal it changes nothing.
      const terminal = readmeExample("**A terminal**", "sh").split("\n");
      const completes = await bash(
        `${terminal[0]}\nCOMP_WORDS=(kfp-upgrade upgrade --tag 2.1); COMP_CWORD=3; _kfp_upgrade; printf '%s\\n' "\${COMPREPLY[@]}"`,
        kfapp,
        env,
      );
      expect(completes.exitCode, completes.stderr).toBe(0);
      expect(completes.stdout.split("\n")).toEqual(expect.arrayContaining(["2.14.4", "2.17.0"]));
      const status = await bash(terminal[1] ?? "", kfapp, env);
      expect(status.exitCode, status.stderr).toBe(0);
      expect(status.stdout).toContain("KFP:        2.5.0");
      const dryRun = await bash(terminal[2] ?? "", kfapp, env);
      expect(dryRun.exitCode, dryRun.stderr).toBe(0);
      expect(dryRun.stdout).toContain(`Plan: upgrade KFP 2.5.0 -> 2.14.4 in namespace ${namespace}`);
      const asks = await bash(`${terminal[3]} < /dev/null`, kfapp, env);
      expect(asks.stderr).toContain("NOT_CONFIRMED");
      expect(asks.exitCode).toBe(2);

      // CI: the workflow's kfp-upgrade steps, through action.yml's own shell step.
      const workflow = workflowSchema.parse(yaml.load(readmeExample("**CI**", "yaml")));
      const steps = workflow.jobs.upgrade.steps;
      const exitCodes: Record<string, string> = {};
      const summaries: string[] = [];
      for (const step of steps) {
        if (!condition(step.if, exitCodes)) continue;
        if (step.run !== undefined && step.uses === undefined) {
          if (step.run.startsWith("exit 1"))
            throw new Error(`the workflow would fail here: ${JSON.stringify(exitCodes)}`);
          continue; // writing the kubeconfig from a secret: the test's KUBECONFIG is the cluster's
        }
        if (step.uses !== "./.kfp-upgrade") continue;
        const inputs = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, String(v)]));
        const run = await runActionStep(inputs, { ...env, GITHUB_WORKSPACE: workspace });
        if (step.id) exitCodes[step.id] = run.outputs["exit-code"] ?? "";
        expect(run.outputs["exit-code"]).toBe(String(run.exitCode));
        expectValidOutput(run.events, inputs.command === "status" ? "status" : "plan");
        summaries.push(run.summary);
      }
      expect(exitCodes.plan).toBe("2");
      const [plan, upgrade, status2] = summaries;
      expect(summaries).toHaveLength(3);
      expect(plan).toContain("## ✅ kfp-upgrade upgrade: planned (exit 2)");
      expect(plan).toContain("| Release | 2.5.0 → 2.14.4 |");
      expect(plan).toContain("The plan would change something (`--exit-code`).");
      expect(plan).toContain("<details open><summary>Plan (");
      expect(plan).toContain(`Plan: upgrade KFP 2.5.0 -> 2.14.4 in namespace ${namespace}`);
      expect(upgrade).toContain("## ✅ kfp-upgrade upgrade: succeeded");
      expect(upgrade).toContain("### Steps");
      expect(upgrade).toMatch(/\| 1 \| .+ \| ✅ .+ \| \d+\.\ds \|/);
      expect(upgrade).toMatch(
        /### Data claims\n\n\| Claim \| PV \| PV uid \|\n\|---\|---\|---\|\n\| mysql-pv-claim \| pvc-/,
      );
      expect(status2).toContain("## ✅ kfp-upgrade status: done");
      expect(status2).toContain('"installedVersion": "2.14.4"');
      expect(await unavailableDeployments(namespace)).toEqual([]);

      // A failed run: the summary names the error, its code and hint; the error line validates as an event.
      const failed = await runActionStep(
        { command: "upgrade", tag: "9.9.9", "app-dir": "kfapp" },
        { ...env, GITHUB_WORKSPACE: workspace },
      );
      expect(failed.exitCode).toBe(2);
      expect(failed.summary).toContain("## ❌ kfp-upgrade upgrade: failed (exit 2)");
      expect(failed.summary).toMatch(/\*\*Error \w+\*\* \(exit 2\): /);
      expectValidOutput(failed.events, "error");

      // The other documents of this install, against their schemas.
      for (const [command, schema] of [
        ["history", "history"],
        ["backups", "backups"],
      ] as const) {
        const run = await runCli([command], { appDir: kfapp });
        expect(run.exitCode, run.stderr).toBe(0);
        expect(schemaProblems(schema, run.json), command).toEqual([]);
      }
      const again = await runCli(["upgrade", "--tag", "2.14.4", "--dry-run", "--exit-code"], {
        appDir: kfapp,
      });
      expect(again.exitCode, again.stderr).toBe(0);
      expect(schemaProblems("plan", again.json)).toEqual([]);

      // A scripted rebuild, after KFP was uninstalled (its data kept).
      const uninstall = await runCli(["uninstall"], { appDir: kfapp });
      expect(uninstall.exitCode, uninstall.stderr).toBe(0);
      expectValidOutput(uninstall.stdout);
      const rebuild = await bash(readmeExample("**A scripted rebuild**", "sh"), workspace, env);
      expect(rebuild.exitCode, rebuild.stderr).toBe(0);
      expect(rebuild.stdout.trim().split("\n")).toEqual(["true", "true"]);
      expectValidOutput(readFileSync(path.join(workspace, "reinstall.jsonl"), "utf8"));
      expect(await unavailableDeployments(namespace)).toEqual([]);
    });
  }, 900_000);
});

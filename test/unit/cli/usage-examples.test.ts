import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { main } from "../../../src/cli/main.js";
import { buildProgram } from "../../../src/cli/program.js";
import { COMMAND_EXAMPLES, FLAG_EXAMPLES, withUsageExample } from "../../../src/cli/usage-examples.js";
import { appDir } from "../../support/app-dir.js";
import { fakeStreams } from "./fake-streams.js";

function commands(command: Command, path = ""): [string, Command][] {
  return command.commands.flatMap((sub) => {
    const subPath = path ? `${path} ${sub.name()}` : sub.name();
    return [[subPath, sub] as [string, Command], ...commands(sub, subPath)];
  });
}

async function usageError(...args: string[]): Promise<{ exitCode: number; stderr: string }> {
  const streams = fakeStreams({ env: { KUBECONFIG: "/nonexistent/kubeconfig" } });
  const exitCode = await main([...args, "--app-dir", appDir()], streams);
  return { exitCode, stderr: streams.stderr.text() };
}

describe("usage examples", () => {
  const program = buildProgram(async () => {});

  it("every flag that takes a value, and every command with arguments or without subcommands, has an example", () => {
    const all: Command[] = [program, ...commands(program).map(([, c]) => c)];
    const flags = all.flatMap((c) =>
      c.options.filter((o) => o.required || o.optional).map((o) => o.long ?? ""),
    );
    expect(flags.filter((flag) => FLAG_EXAMPLES[flag] === undefined)).toEqual([]);
    const leaves = commands(program)
      .filter(([, c]) => c.commands.length === 0)
      .map(([path]) => path);
    expect(leaves.filter((path) => COMMAND_EXAMPLES[path] === undefined)).toEqual([]);
    for (const example of Object.values(COMMAND_EXAMPLES)) expect(example).toMatch(/^kfp-upgrade /);
  });

  it.each([
    [["upgrade", "--tag"], "error: option '--tag <tag>' argument missing\n  e.g. --tag 2.14.4\n"],
    [["status", "-o", "xml"], "Allowed choices are text, yaml, json.\n  e.g. -o json\n"],
    [
      ["upgrade", "--strategy", "fast"],
      "Allowed choices are auto, manifests, images.\n  e.g. --strategy images\n",
    ],
    [["release", "pull"], "error: required option '--out <dir>' not specified\n  e.g. --out ./bundles\n"],
    [
      ["params", "set"],
      "error: missing required argument 'name'\n  e.g. kfp-upgrade params set mysqlPvName kfp-mysql\n",
    ],
    [
      ["upgrade", "2.14.4"],
      "error: too many arguments for 'upgrade'. Expected 0 arguments but got 1.\n  e.g. kfp-upgrade upgrade --tag 2.14.4 --dry-run\n",
    ],
    [
      ["upgrad"],
      "error: unknown command 'upgrad'\n  e.g. kfp-upgrade upgrade --tag 2.14.4 (kfp-upgrade --help lists the commands)\n(Did you mean upgrade?)",
    ],
    [["--bogus"], "error: unknown option '--bogus'\n  e.g. kfp-upgrade upgrade --tag 2.14.4"],
    [
      ["deploy", "--mysql-pv", ""],
      "error: --mysql-pv: expected a value, got an empty one, e.g. --mysql-pv kfp-mysql\n",
    ],
    [
      ["status", "--kfp-endpoint", "not a url"],
      "error: --kfp-endpoint: expected a URL, e.g. --kfp-endpoint https://kfp.example.com\n",
    ],
    [
      ["upgrade", "--timeout", "soon"],
      'error: --timeout: expected a duration such as 90s, 10m or 1h (or whole seconds), got "soon"\n',
    ],
    [["upgrade", "--exit-code"], "e.g. upgrade --tag 2.14.4 --dry-run=server --exit-code"],
  ])("kfp-upgrade %j: exit 2, saying what was expected with an example", async (args, expected) => {
    const run = await usageError(...args);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(expected);
  });

  it("leaves a message alone when it has nothing to add", () => {
    expect(withUsageExample("error: something else\n", "no such command")).toBe("error: something else\n");
  });

  it("--help does not claim the app's context is the default: it is the kubeconfig's current one", async () => {
    const streams = fakeStreams();
    await main(["--help"], streams);
    const help = streams.stdout.text().replace(/\s+/g, " ");
    expect(help).toContain("--context <name> kubeconfig context (default: the current one;");
    expect(help).not.toMatch(/default: the app's context/);
  });
});

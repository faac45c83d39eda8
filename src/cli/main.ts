import { setMaxListeners } from "node:events";
import { type Command, CommanderError } from "commander";
import { EXIT_CODES, InternalError, isKfpError, type KfpError, UsageError } from "../errors.js";
import type { CommandDeps } from "./command-deps.js";
import type { Output, OutputStreams } from "./output.js";
import { buildProgram, COMPLETE_COMMAND, expandDryRun } from "./program.js";
import { withUsageExample } from "./usage-examples.js";

/**
 * Runs the CLI and returns the exit code; the only place that maps errors to exit codes. SIGINT/SIGTERM abort the
 * run's signal: the executor finishes the API call in flight, journals and releases its lock, and we exit 130.
 */
export async function main(argv: string[], streams: OutputStreams = process): Promise<number> {
  const controller = new AbortController();
  // Every concurrent wait listens to the one run signal; 14 Deployments are not a leak.
  setMaxListeners(0, controller.signal);
  const onSignal = () => controller.abort(new Error("interrupted by signal"));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  let exitCode: number = EXIT_CODES.ok;
  // Output (chalk, js-yaml, the JSON schemas) loads with the first command that runs, never for --help.
  let output: Output | undefined;
  const program = buildProgram(async (_name, run, global) => {
    const { Output } = await import("./output.js");
    output = new Output(streams, global.output, global.quiet, global.verbose);
    const deps: CommandDeps = {
      output,
      env: streams.env,
      signal: controller.signal,
      confirm: async (question) =>
        (await import("./confirm-on-terminal.js")).confirmOnTerminal(question, streams),
      ask: async (question) => (await import("./ask-on-terminal.js")).askOnTerminal(question, streams),
      now: () => new Date(),
    };
    const result = await run(global, deps);
    output.result(result);
    exitCode = result.exitCode ?? EXIT_CODES.ok;
  });
  // Commander copies these settings to a subcommand only when it is created, and buildProgram has created them
  // all by now: set them on every command, or a subcommand's usage error calls process.exit(1) itself.
  const configure = (command: Command, path: string): void => {
    command.exitOverride();
    command.configureOutput({
      writeOut: (text) => streams.stdout.write(text),
      writeErr: (text) => streams.stderr.write(text),
      // Every usage error says what was expected, with an example.
      outputError: (text, write) => write(withUsageExample(text, path)),
    });
    for (const sub of command.commands) configure(sub, path ? `${path} ${sub.name()}` : sub.name());
  };
  configure(program, "");
  if (argv[0] === COMPLETE_COMMAND) {
    // The shell's completion function asks here on every TAB: candidates on stdout, one per line, never an error.
    const { completeWords } = await import("./completion/complete-words.js");
    const { completionSources } = await import("./completion/completion-sources.js");
    const words = argv.slice(1);
    const kubeconfig = words[words.indexOf("--kubeconfig") + 1];
    const candidates = completeWords(
      program,
      words,
      completionSources(streams.env, words.includes("--kubeconfig") ? kubeconfig : undefined),
    );
    if (candidates.length > 0) streams.stdout.write(`${candidates.join("\n")}\n`);
    return EXIT_CODES.ok;
  }
  try {
    await program.parseAsync(expandDryRun(argv), { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return EXIT_CODES.ok;
      return EXIT_CODES.usage;
    }
    const failure = asKfpError(error);
    const { Output } = await import("./output.js");
    (output ?? new Output(streams, "text", false, false)).error(failure);
    return failure.exitCode;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

function asKfpError(error: unknown): KfpError {
  if (isKfpError(error)) return error;
  if (error instanceof SyntaxError || error instanceof TypeError || error instanceof RangeError) {
    return new InternalError(error.message, { cause: error });
  }
  if (error instanceof Error) return new InternalError(error.message, { cause: error });
  return new UsageError("UNKNOWN", String(error));
}

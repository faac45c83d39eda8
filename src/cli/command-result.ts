import type { ExitCode } from "../errors.js";

/**
 * What every command returns: `data` is what `-o json|yaml` prints, `text` what `-o text` prints. Commands never
 * write to stdout or call process.exit themselves; `src/cli/main.ts` does.
 */
export interface CommandResult {
  data: unknown;
  text: string;
  exitCode?: ExitCode;
}

export type OutputFormat = "text" | "yaml" | "json";

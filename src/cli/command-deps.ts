import type { Output } from "./output.js";

/** What a command may use besides its options: injected so tests can drive commands without a terminal. */
export interface CommandDeps {
  output: Output;
  env: NodeJS.ProcessEnv;
  /** Aborted on SIGINT/SIGTERM: the executor finishes the current call, journals, releases the lock. */
  signal: AbortSignal;
  /** Asks on a TTY; without one, mutating commands need --yes. */
  confirm(question: string): Promise<boolean>;
  /** What the user typed on a TTY (a namespace's name, for `uninstall --delete-data`); null without one. */
  ask?(question: string): Promise<string | null>;
  now(): Date;
}

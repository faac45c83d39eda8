import type { ChildProcess } from "node:child_process";
import type { CliEvent } from "./run-cli.js";

export interface EventTrigger {
  /** Pass as `runCli(…, { onSpawn })`: watches the child's `-o json` event lines on stdout. */
  onSpawn(child: ChildProcess): void;
  /** The CLI process, once spawned. */
  readonly child: ChildProcess | undefined;
  /** The matching event, once `act` has finished; rejects when the CLI never printed one or `act` failed. */
  done(): Promise<CliEvent>;
}

/**
 * Runs `act` (send a signal, stop the API server, delete the namespace) the first time the CLI prints an event
 * that `match`es, so a fault lands at a known point of the run rather than after a guessed delay.
 */
export function whenEvent(
  match: (event: CliEvent) => boolean,
  act: (child: ChildProcess, event: CliEvent) => Promise<void> | void,
): EventTrigger {
  let child: ChildProcess | undefined;
  let fired: Promise<CliEvent> | undefined;
  let buffered = "";
  return {
    get child() {
      return child;
    },
    onSpawn(spawned) {
      child = spawned;
      spawned.stdout?.on("data", (chunk: Buffer | string) => {
        if (fired) return;
        buffered += chunk.toString();
        const lines = buffered.split("\n");
        buffered = lines.pop() ?? "";
        for (const line of lines) {
          const event = parseEvent(line);
          if (!event || !match(event)) continue;
          fired = Promise.resolve(act(spawned, event)).then(() => event);
          // Awaited by done(); this branch only keeps a failing act from being an unhandled rejection meanwhile.
          fired.catch(() => {});
          return;
        }
      });
    },
    done() {
      return fired ?? Promise.reject(new Error("the CLI never printed the event the test waited for"));
    },
  };
}

function parseEvent(line: string): CliEvent | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    const value = JSON.parse(line) as CliEvent;
    return typeof value.type === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The first step of a wait for Deployments to roll out: the run is then inside its longest step. */
export const rolloutWaitStarted = (event: CliEvent): boolean =>
  event.type === "step-start" && event.kind === "waitRollout";

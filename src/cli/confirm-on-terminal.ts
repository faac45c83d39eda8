import { createInterface } from "node:readline/promises";
import type { OutputStreams } from "./output.js";

/** Asks "question [y/N]" on a terminal; false without one, so scripts must pass --yes. */
export async function confirmOnTerminal(question: string, streams: OutputStreams): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: streams.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

import { createInterface } from "node:readline/promises";
import type { OutputStreams } from "./output.js";

/** Asks `question` on a terminal and returns what was typed (trimmed); null without a terminal. */
export async function askOnTerminal(question: string, streams: OutputStreams): Promise<string | null> {
  if (!process.stdin.isTTY) return null;
  const rl = createInterface({ input: process.stdin, output: streams.stderr });
  try {
    return (await rl.question(`${question} `)).trim();
  } finally {
    rl.close();
  }
}

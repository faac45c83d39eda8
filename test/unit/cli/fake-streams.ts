import type { OutputStreams } from "../../../src/cli/output.js";

export interface FakeStream {
  isTTY: boolean;
  write(chunk: string | Uint8Array): boolean;
  text(): string;
}

function fakeStream(isTTY: boolean): FakeStream {
  const chunks: string[] = [];
  return {
    isTTY,
    write(chunk) {
      chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      return true;
    },
    text: () => chunks.join(""),
  };
}

/** stdout, stderr and env for `main()` and `Output`: writes are kept in memory, nothing reaches the terminal. */
export function fakeStreams(options: { env?: NodeJS.ProcessEnv; isTTY?: boolean } = {}): OutputStreams & {
  stdout: FakeStream;
  stderr: FakeStream;
} {
  return {
    stdout: fakeStream(options.isTTY ?? false),
    stderr: fakeStream(options.isTTY ?? false),
    env: options.env ?? {},
  } as OutputStreams & { stdout: FakeStream; stderr: FakeStream };
}

import type { ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";

/**
 * Appends a child's stdout and stderr to `logPath`, after `header`. The file is closed on the child's `close`, once
 * both pipes are drained: on `exit` output can still be in flight, and writing it to an ended stream raises
 * ERR_STREAM_WRITE_AFTER_END, which with no listener kills the whole process (the data-store simulator did die
 * so). A failing log write is passed to `onError` instead of being thrown. Resolves once the file is closed.
 */
export function logChildOutput(
  child: ChildProcess,
  logPath: string,
  header: string,
  onError: (error: Error) => void,
): Promise<void> {
  const log = createWriteStream(logPath, { flags: "a" });
  const closed = new Promise<void>((resolve) => log.once("close", () => resolve()));
  log.on("error", onError);
  log.write(header);
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  child.once("close", () => log.end());
  return closed;
}

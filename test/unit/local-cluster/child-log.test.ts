import { spawn } from "node:child_process";
import { mkdtemp, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { logChildOutput } from "../../../local-cluster/child-log.js";

const BYTES = 3_000_000;

describe("logChildOutput", () => {
  it("keeps every byte a child writes right before it exits, and throws nothing", async () => {
    // Ending the log on `exit` instead of `close` loses this race most times (17 of 20 children, each write after
    // the end an uncaught ERR_STREAM_WRITE_AFTER_END); vitest fails a test file on any uncaught error.
    const dir = await mkdtemp(path.join(os.tmpdir(), "kfp-child-log-"));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const errors: Error[] = [];
    const header = "$ sh -c ...\n";
    const logs = Array.from({ length: 8 }, async (_, index) => {
      const child = spawn("sh", ["-c", `head -c ${BYTES} /dev/zero | tr '\\0' x; echo done >&2; exit 3`], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      const logPath = path.join(dir, `${index}.log`);
      await logChildOutput(child, logPath, header, (error) => errors.push(error));
      return (await stat(logPath)).size;
    });
    expect(await Promise.all(logs)).toEqual(Array(8).fill(header.length + BYTES + "done\n".length));
    expect(errors).toEqual([]);
  });

  it("passes a log that cannot be written to onError instead of throwing", async () => {
    const child = spawn("sh", ["-c", "echo hello"], { stdio: ["ignore", "pipe", "pipe"] });
    const errors: Error[] = [];
    await Promise.race([
      logChildOutput(child, "/nonexistent-dir/x.log", "header\n", (error) => errors.push(error)),
      new Promise((resolve) => child.once("close", resolve)),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(errors.map((error) => (error as NodeJS.ErrnoException).code)).toEqual(["ENOENT"]);
  });
});

import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { onTestFinished } from "vitest";

export const FIXTURES_DIR = fileURLToPath(new URL("../fixtures/", import.meta.url));

/**
 * A temporary KFAPP directory holding `files` (relative path -> content), removed when the test finishes.
 * `appDir({"kfp-app.yaml": "..."})`.
 */
export function appDir(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), "kfp-app-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  writeFiles(dir, files);
  return dir;
}

/** A temporary copy of `test/fixtures/<name>`, with `files` added or replaced, removed when the test finishes. */
export function appDirFromFixture(name: string, files: Record<string, string> = {}): string {
  const dir = appDir();
  cpSync(path.join(FIXTURES_DIR, name), dir, { recursive: true });
  writeFiles(dir, files);
  return dir;
}

function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [relative, content] of Object.entries(files)) {
    const file = path.join(dir, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
}

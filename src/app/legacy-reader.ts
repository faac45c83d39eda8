import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { readOptionalFile } from "./read-optional-file.js";

/** Reads files of a legacy KFAPP relative to its directory, and remembers which ones existed for the notes. */
export class LegacyReader {
  readonly files: string[] = [];

  constructor(readonly dir: string) {}

  async read(relative: string): Promise<string | undefined> {
    const text = await readOptionalFile(path.join(this.dir, relative));
    if (text !== undefined) this.files.push(relative);
    return text;
  }

  /** Names of the subdirectories of `relative`, sorted; none when it does not exist. */
  async directories(relative: string): Promise<string[]> {
    const entries = await readdir(path.join(this.dir, relative), { withFileTypes: true }).catch(() => []);
    return entries
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
  }

  async isDirectory(relative: string): Promise<boolean> {
    return (await stat(path.join(this.dir, relative)).catch(() => undefined))?.isDirectory() ?? false;
  }
}

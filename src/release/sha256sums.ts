import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { ConfigError } from "../errors.js";

export const SHA256SUMS = "SHA256SUMS";

export function sha256(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/** `sha256sum` format (`<hex>  <name>`, one line per file, names sorted), so `sha256sum -c SHA256SUMS` checks it. */
export function formatSha256Sums(files: ReadonlyMap<string, Uint8Array | string>): string {
  return [...files.keys()]
    .sort()
    .map((name) => `${sha256(files.get(name) ?? "")}  ${name}\n`)
    .join("");
}

/** Parses a SHA256SUMS file; a line that is not `<64 hex> [ *]<name>` is an error naming the line. */
export function parseSha256Sums(text: string, source: string): Map<string, string> {
  const sums = new Map<string, string>();
  text.split("\n").forEach((line, index) => {
    if (line.trim() === "") return;
    const match = /^([0-9a-f]{64}) [ *](.+)$/i.exec(line);
    if (!match?.[1] || !match[2]) {
      throw new ConfigError("CHECKSUMS_INVALID", `${source} line ${index + 1} is not "<sha256>  <file>"`);
    }
    sums.set(match[2], match[1].toLowerCase());
  });
  return sums;
}

export interface SumsCheck {
  ok: boolean;
  /** One line per file that is missing, changed, or a YAML file the sums do not list. */
  problems: string[];
}

/**
 * Checks every file SHA256SUMS lists, and that no YAML file beside it is unlisted (a bundle loads every *.yaml, so an
 * added file would change the release as surely as an edited one). Null when the directory has no SHA256SUMS.
 */
export async function checkSha256Sums(dir: string): Promise<SumsCheck | null> {
  const sumsFile = path.join(dir, SHA256SUMS);
  const text = await readFile(sumsFile, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return null;
    throw error;
  });
  if (text === null) return null;
  const sums = parseSha256Sums(text, sumsFile);
  const problems: string[] = [];
  for (const [name, expected] of sums) {
    if (name.includes("/") || name.includes("\\") || name === "..") {
      problems.push(`${name}: SHA256SUMS may only name files of its own directory`);
      continue;
    }
    const data = await readFile(path.join(dir, name)).catch(() => null);
    if (data === null) problems.push(`${path.join(dir, name)}: listed in SHA256SUMS but missing`);
    else if (sha256(data) !== expected)
      problems.push(`${path.join(dir, name)}: sha256 ${sha256(data)} differs from SHA256SUMS (${expected})`);
  }
  for (const name of await readdir(dir)) {
    if (/\.ya?ml$/i.test(name) && !sums.has(name))
      problems.push(`${path.join(dir, name)}: not listed in SHA256SUMS`);
  }
  return { ok: problems.length === 0, problems };
}

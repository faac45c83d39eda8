import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { kfpUpgradeCacheDir } from "./release-cache.js";

/** A YAML document that parsed to a value: where it was in its file, and the value. */
export interface ParsedDocument {
  /** 1-based among the file's documents. */
  index: number;
  /** 1-based line of the document's first line. */
  line: number;
  value: unknown;
}

// Bump when what is stored (or how js-yaml is called) changes: old entries are then never read again.
const FORMAT = 1;

const cachedFileSchema = z.object({
  format: z.literal(FORMAT),
  documents: z.array(z.object({ index: z.number().int(), line: z.number().int(), value: z.unknown() })),
});

/**
 * `${XDG_CACHE_HOME:-~/.cache}/kfp-upgrade/parsed-yaml`: each bundle file's parsed documents as JSON, named by the
 * SHA-256 of the file's text, so a changed file is a new name and an entry can never be stale. Parsing 2.17.0's
 * 940 KB of YAML costs about 200 ms in a fresh process; JSON.parse of the same values about a tenth of that.
 */
export function parsedYamlCacheDir(env: NodeJS.ProcessEnv): string {
  return path.join(kfpUpgradeCacheDir(env), "parsed-yaml");
}

function entryPath(dir: string, text: string): string {
  const digest = createHash("sha256").update(`${FORMAT}\0`).update(text).digest("hex");
  return path.join(dir, `${digest}.json`);
}

/** The documents stored for exactly this text, or undefined (no entry, or one that does not read back whole). */
export async function readParsedYaml(dir: string, text: string): Promise<ParsedDocument[] | undefined> {
  const stored = await readFile(entryPath(dir, text), "utf8").catch(() => undefined);
  if (stored === undefined) return undefined;
  try {
    const parsed = cachedFileSchema.safeParse(JSON.parse(stored));
    return parsed.success ? parsed.data.documents : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Stores the documents of a file that parsed without error. Values JSON cannot carry exactly (a YAML timestamp
 * js-yaml made a Date, .nan, .inf, binary) are never stored: that file is parsed again next time. Best effort: a
 * cache that cannot be written changes nothing but speed.
 */
export async function writeParsedYaml(dir: string, text: string, documents: ParsedDocument[]): Promise<void> {
  if (!documents.every((document) => isJsonValue(document.value))) return;
  const target = entryPath(dir, text);
  const temporary = `${target}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(temporary, JSON.stringify({ format: FORMAT, documents }));
    // rename is atomic: a concurrent reader sees the whole entry or none.
    await rename(temporary, target);
  } catch {
    await rm(temporary, { force: true }).catch(() => undefined);
  }
}

/** True when JSON.parse(JSON.stringify(value)) gives back an equal value. */
export function isJsonValue(value: unknown): boolean {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isJsonValue);
  if (typeof value !== "object") return false;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  return Object.values(value).every(isJsonValue);
}

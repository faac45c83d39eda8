import { ConfigError } from "../../errors.js";

export interface TarEntry {
  /** The path as the archive names it (pax `path` and GNU long names applied), `/`-separated. */
  path: string;
  type: "file" | "directory" | "symlink" | "other";
  /** Executable bits etc.; only the permission bits. */
  mode: number;
  /** Symlink target. */
  linkTarget: string;
  data: Uint8Array;
}

const BLOCK = 512;
const decoder = new TextDecoder();

/**
 * Reads an uncompressed tar archive (POSIX ustar with pax headers, as `git archive` and GitHub write it; GNU long
 * names too). Every header's checksum is verified and a truncated archive is an error, so a damaged download is
 * never half-used. `source` names the archive in errors.
 */
export function readTar(archive: Uint8Array, source: string): TarEntry[] {
  const entries: TarEntry[] = [];
  let offset = 0;
  let pending: { path?: string; linkpath?: string } = {};
  const fail = (what: string) =>
    new ConfigError("ARCHIVE_CORRUPT", `${source} is not a valid tar archive: ${what}`, {
      hint: "Fetch it again; if it keeps failing, the release source serves a damaged or different file",
    });

  while (offset + BLOCK <= archive.length) {
    const header = archive.subarray(offset, offset + BLOCK);
    if (header.every((byte) => byte === 0)) return entries;
    const expected = readOctal(header, 148, 8);
    if (expected === undefined || expected !== headerChecksum(header)) {
      throw fail(`header checksum mismatch at byte ${offset}`);
    }
    const size = readSize(header);
    if (size === undefined) throw fail(`unreadable size at byte ${offset}`);
    const dataStart = offset + BLOCK;
    if (dataStart + size > archive.length)
      throw fail(`truncated: an entry at byte ${offset} needs ${size} bytes`);
    const data = archive.subarray(dataStart, dataStart + size);
    offset = dataStart + Math.ceil(size / BLOCK) * BLOCK;

    const flag = String.fromCharCode(header[156] ?? 0);
    // A global header (`g`) carries git's commit id in GitHub archives; it names no file.
    if (flag === "g") continue;
    if (flag === "x") {
      pending = { ...pending, ...parsePax(data) };
      continue;
    }
    if (flag === "L") {
      pending.path = cString(data);
      continue;
    }
    if (flag === "K") {
      pending.linkpath = cString(data);
      continue;
    }
    const prefix = cString(header.subarray(345, 500));
    const name = cString(header.subarray(0, 100));
    const ustar = decoder.decode(header.subarray(257, 262)) === "ustar";
    const path = pending.path ?? (ustar && prefix ? `${prefix}/${name}` : name);
    entries.push({
      path,
      type: typeOf(flag),
      mode: (readOctal(header, 100, 8) ?? 0o644) & 0o7777,
      linkTarget: pending.linkpath ?? cString(header.subarray(157, 257)),
      data,
    });
    pending = {};
  }
  if (offset !== archive.length) throw fail("it ends in the middle of a block");
  // Some writers end without the two zero blocks; every entry read so far was complete and checksummed.
  return entries;
}

function typeOf(flag: string): TarEntry["type"] {
  if (flag === "0" || flag === "\0" || flag === "7") return "file";
  if (flag === "5") return "directory";
  if (flag === "2") return "symlink";
  return "other";
}

function headerChecksum(header: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (header[i] ?? 0);
  return sum;
}

function cString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return decoder.decode(end === -1 ? bytes : bytes.subarray(0, end));
}

function readOctal(header: Uint8Array, start: number, length: number): number | undefined {
  const text = cString(header.subarray(start, start + length)).trim();
  if (!/^[0-7]+$/.test(text)) return undefined;
  return Number.parseInt(text, 8);
}

/** Sizes over 8 GiB use GNU base-256 (high bit set); anything else is octal. */
function readSize(header: Uint8Array): number | undefined {
  if (((header[124] ?? 0) & 0x80) !== 0) {
    let value = 0;
    for (let i = 125; i < 136; i++) value = value * 256 + (header[i] ?? 0);
    return value;
  }
  return readOctal(header, 124, 12);
}

/** pax records: `<length> <key>=<value>\n`, length counting the whole record. */
function parsePax(data: Uint8Array): { path?: string; linkpath?: string } {
  const records: { path?: string; linkpath?: string } = {};
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    if (space === -1) break;
    const length = Number.parseInt(decoder.decode(data.subarray(offset, space)), 10);
    if (!Number.isInteger(length) || length <= 0) break;
    const record = decoder.decode(data.subarray(space + 1, offset + length - 1));
    const equals = record.indexOf("=");
    const key = record.slice(0, equals);
    const value = record.slice(equals + 1);
    if (key === "path") records.path = value;
    if (key === "linkpath") records.linkpath = value;
    offset += length;
  }
  return records;
}

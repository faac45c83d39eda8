import { InternalError } from "../errors.js";

/** A KFP version as its git tags spell it: `1.8.5`, `2.0.0-rc.2`. No `v`. */
export interface ParsedVersion {
  major: number;
  minor: number;
  patch: number;
  prerelease: string[];
}

const VERSION_PATTERN = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*))?$/;

export function parseVersion(version: string): ParsedVersion | undefined {
  const match = VERSION_PATTERN.exec(version);
  if (!match) return undefined;
  const [, major = "", minor = "", patch = "", prerelease] = match;
  return {
    major: Number(major),
    minor: Number(minor),
    patch: Number(patch),
    prerelease: prerelease ? prerelease.split(".") : [],
  };
}

export function isVersion(value: string): boolean {
  return parseVersion(value) !== undefined;
}

/** Semver order: negative when a < b, 0 when equal, positive when a > b; a prerelease sorts before its release. */
export function compareVersions(a: string, b: string): number {
  const left = parseVersion(a);
  const right = parseVersion(b);
  if (!left || !right) throw new InternalError(`compareVersions got a non-version: "${left ? b : a}"`);
  return (
    left.major - right.major ||
    left.minor - right.minor ||
    left.patch - right.patch ||
    comparePrerelease(left.prerelease, right.prerelease)
  );
}

function comparePrerelease(left: string[], right: string[]): number {
  if (left.length === 0 || right.length === 0) return right.length - left.length;
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const l = left[i];
    const r = right[i];
    if (l === undefined) return -1;
    if (r === undefined) return 1;
    if (l === r) continue;
    const ln = /^\d+$/.test(l) ? Number(l) : undefined;
    const rn = /^\d+$/.test(r) ? Number(r) : undefined;
    if (ln !== undefined && rn !== undefined) return ln - rn;
    if (ln !== undefined) return -1;
    if (rn !== undefined) return 1;
    return l < r ? -1 : 1;
  }
  return 0;
}

/** `from <= version < before`, either bound optional. */
export function inRange(version: string, range: { since?: string; before?: string }): boolean {
  if (range.since !== undefined && compareVersions(version, range.since) < 0) return false;
  if (range.before !== undefined && compareVersions(version, range.before) >= 0) return false;
  return true;
}

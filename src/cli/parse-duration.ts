import { z } from "zod";

/** `90s`, `10m`, `1h30m`, `1.5h` or bare seconds (`600`), as kubectl's and Helm's `--timeout` take them. */
const DURATION = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?$/;

/** Whole seconds (rounded up), or undefined when `text` is not a positive duration. */
export function parseDurationSeconds(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) > 0 ? Number(trimmed) : undefined;
  const match = DURATION.exec(trimmed);
  if (!match || trimmed === "") return undefined;
  const [, hours = "0", minutes = "0", seconds = "0"] = match;
  const total = Number(hours) * 3600 + Number(minutes) * 60 + Number(seconds);
  return total > 0 ? Math.ceil(total) : undefined;
}

/** A `--timeout`-style flag: a duration (or whole seconds), as whole seconds. */
export const durationSecondsSchema = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const seconds = typeof value === "number" ? value : parseDurationSeconds(value);
  if (seconds === undefined || !Number.isInteger(seconds) || seconds <= 0) {
    ctx.addIssue({
      code: "custom",
      message: `expected a duration such as 90s, 10m or 1h (or whole seconds), got "${value}"`,
    });
    return z.NEVER;
  }
  return seconds;
});

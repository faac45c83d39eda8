import type { z } from "zod";
import { UsageError } from "../errors.js";

/** Commander has parsed; zod validates, reporting every bad option at once. */
export function parseOptions<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map(
    (issue) => `--${kebab(issue.path.map(String).join("."))}: ${issue.message}`,
  );
  throw new UsageError(
    "OPTIONS_INVALID",
    details.length === 1 ? (details[0] ?? "invalid option") : "invalid options",
    {
      details: details.length === 1 ? [] : details,
      hint: "Run the command with --help for the accepted values.",
    },
  );
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

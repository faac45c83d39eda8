import type { z } from "zod";
import { UsageError } from "../errors.js";
import { flagExample } from "./usage-examples.js";

/** Commander has parsed; zod validates, reporting every bad option at once. */
export function parseOptions<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((issue) => {
    const flag = `--${kebab(issue.path.map(String).join("."))}`;
    // zod's own words ("Too small: expected string to have >=1 characters") are not a user's.
    const message =
      issue.code === "too_small" && issue.origin === "string"
        ? "expected a value, got an empty one"
        : issue.code === "invalid_format" && issue.format === "url"
          ? "expected a URL"
          : issue.message;
    const example = flagExample(flag);
    return `${flag}: ${message}${example && !message.includes("e.g.") && !message.includes("such as") ? `, e.g. ${example}` : ""}`;
  });
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

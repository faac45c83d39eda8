import type { z } from "zod";

/** `storage.mysql.pvName: Required`, one line per issue, all at once. */
export function formatZodIssues(
  error: z.ZodError,
  locate?: (path: PropertyKey[]) => string | undefined,
): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.length > 0 ? issue.path.map(String).join(".") : "(root)";
    const where = locate?.(issue.path);
    return `${path}: ${issue.message}${where ? ` (${where})` : ""}`;
  });
}

import { z } from "zod";
import type { KfpError } from "../../errors.js";

/**
 * With `-o json` (or yaml) a failure is also a document on stdout, after any events: the same stable code, exit
 * code, message, details and hint that stderr shows (schema/error.schema.json).
 */
export const errorOutputSchema = z.object({
  type: z.literal("error"),
  code: z.string(),
  exitCode: z.number().int(),
  message: z.string(),
  details: z.array(z.string()),
  hint: z.string().optional(),
});
export type ErrorOutput = z.infer<typeof errorOutputSchema>;

export function errorOutput(error: KfpError): ErrorOutput {
  return {
    type: "error",
    code: error.code,
    exitCode: error.exitCode,
    message: error.message,
    details: error.details,
    ...(error.hint ? { hint: error.hint } : {}),
  };
}

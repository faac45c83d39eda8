import { z } from "zod";
import { objectChangeSchema } from "../../plan/object-change.js";
import { PLAN_API_VERSION } from "../../plan/plan.js";

/** What `kfp-upgrade diff -o json` prints: each object of the first hop classified, with its unified diff. */
export const diffOutputSchema = z.strictObject({
  apiVersion: z.literal(PLAN_API_VERSION),
  kind: z.literal("Diff"),
  namespace: z.string(),
  from: z.string().nullable(),
  to: z.string(),
  objects: z.array(
    objectChangeSchema.extend({
      /** The unified diff, live object against the server-side dry run's answer; Secrets' values redacted. */
      diff: z.string().nullable(),
      /** The name the diff's `---`/`+++` lines use. */
      file: z.string(),
    }),
  ),
});
export type DiffOutput = z.infer<typeof diffOutputSchema>;

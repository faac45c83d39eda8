import { z } from "zod";
import { historyEntrySchema } from "../../app/history.js";
import { executionEventSchema } from "../../execute/execution-event-schema.js";
import { checkReportSchema } from "../../plan/check-report.js";
import { planJsonSchema } from "../../plan/plan-json-schema.js";
import { backupsOutputSchema } from "./backups-output.js";
import { diffOutputSchema } from "./diff-output.js";
import { errorOutputSchema } from "./error-output.js";
import {
  completionOutputSchema,
  paramsOutputSchema,
  releaseOutputSchema,
  resumeOutputSchema,
} from "./other-outputs.js";
import { statusOutputSchema } from "./status-output.js";
import { versionsOutputSchema } from "./versions-output.js";

const SCHEMAS = {
  /** One line of `-o json` while a plan runs: an executor event, or the error that ended the run. */
  event: {
    title: "kfp-upgrade -o json event (one per line while a plan runs)",
    schema: z.union([executionEventSchema, errorOutputSchema]),
  },
  error: { title: "kfp-upgrade -o json error", schema: errorOutputSchema },
  status: { title: "kfp-upgrade status -o json", schema: statusOutputSchema },
  versions: { title: "kfp-upgrade versions -o json", schema: versionsOutputSchema },
  history: { title: "kfp-upgrade history -o json", schema: z.array(historyEntrySchema) },
  backups: { title: "kfp-upgrade backups -o json", schema: backupsOutputSchema },
  params: { title: "kfp-upgrade params -o json", schema: paramsOutputSchema },
  release: { title: "kfp-upgrade release pull|images -o json", schema: releaseOutputSchema },
  completion: { title: "kfp-upgrade completion -o json", schema: completionOutputSchema },
  check: { title: "kfp-upgrade check --to T -o json", schema: checkReportSchema },
  diff: { title: "kfp-upgrade diff -o json", schema: diffOutputSchema },
  resume: { title: "kfp-upgrade resume -o json (nothing to resume)", schema: resumeOutputSchema },
} as const;

export type SchemaName = "plan" | keyof typeof SCHEMAS;

/**
 * Every JSON Schema published in schema/ (`<name>.schema.json`), generated from the zod types the CLI's outputs are
 * typed with: the plan, each event, each command's `-o json` document and the error document.
 */
export function publishedJsonSchemas(): Record<SchemaName, Record<string, unknown>> {
  const published: Partial<Record<SchemaName, Record<string, unknown>>> = { plan: planJsonSchema() };
  for (const [name, { title, schema }] of Object.entries(SCHEMAS)) {
    published[name as keyof typeof SCHEMAS] = {
      ...z.toJSONSchema(schema, { target: "draft-2020-12", unrepresentable: "any" }),
      $id: `https://kfp-upgrade.dev/schema/${name}.schema.json`,
      title,
    };
  }
  return published as Record<SchemaName, Record<string, unknown>>;
}

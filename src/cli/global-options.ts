import { z } from "zod";
import { imageRegistrySchema, releaseArchiveSourceSchema } from "../app/kfp-app.js";
import { durationSecondsSchema } from "./parse-duration.js";

const globalOptionsObject = z.object({
  appDir: z.string().default("."),
  kubeconfig: z.string().optional(),
  context: z.string().optional(),
  namespace: z.string().optional(),
  dryRun: z.boolean().default(false),
  /** With --dry-run: exit 0 when the plan changes nothing, 2 when it would change something; with check, its verdict. */
  exitCode: z.boolean().default(false),
  output: z.enum(["text", "yaml", "json"]).default("text"),
  yes: z.boolean().default(false),
  /** Seconds; the flag takes `90s`, `10m`, `1h` or bare seconds. */
  timeout: durationSecondsSchema.default(600),
  quiet: z.boolean().default(false),
  verbose: z.boolean().default(false),
  manifests: z.string().optional(),
  releaseSource: releaseArchiveSourceSchema.optional(),
  imageRegistry: imageRegistrySchema.optional(),
});

/** Flags every command accepts; commander parses them once on the program, zod validates them here. */
export const globalOptionsSchema = globalOptionsObject.superRefine((options, ctx) => {
  if (options.exitCode && !options.dryRun) {
    ctx.addIssue({
      code: "custom",
      path: ["exitCode"],
      message:
        "goes with --dry-run (a run that applies its plan exits by its outcome) or with check, e.g. upgrade --tag 2.14.4 --dry-run --exit-code",
    });
  }
});

/** `check` changes nothing, so its --exit-code (0 clear, 2 refused, 3 warnings only) needs no --dry-run. */
export const checkGlobalOptionsSchema = globalOptionsObject;

export type GlobalOptions = z.infer<typeof globalOptionsSchema>;

export const storageFlagsSchema = z.object({
  mysqlPv: z.string().min(1).optional(),
  minioPv: z.string().min(1).optional(),
  mysqlPd: z.string().min(1).optional(),
  minioPd: z.string().min(1).optional(),
  gcpDeployment: z.string().min(1).optional(),
  storageClass: z.string().min(1).optional(),
});
export type StorageFlags = z.infer<typeof storageFlagsSchema>;

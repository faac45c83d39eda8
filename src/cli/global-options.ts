import { z } from "zod";
import { imageRegistrySchema, releaseArchiveSourceSchema } from "../app/kfp-app.js";
import { durationSecondsSchema } from "./parse-duration.js";

const globalOptionsObject = z.object({
  appDir: z.string().default("."),
  kubeconfig: z.string().optional(),
  context: z.string().optional(),
  namespace: z.string().optional(),
  dryRun: z.boolean().default(false),
  /**
   * `--dry-run=client` (what a bare `--dry-run` means): the plan from what the cluster holds, read-only;
   * `--dry-run=server` also sends every write of the first hop as a server-side dry run and classifies each
   * object (needs write rights). Set through `expandDryRun`.
   */
  dryRunMode: z.enum(["client", "server"]).optional(),
  /** With --dry-run (or diff): exit 0 when the plan changes nothing, 2 when it would change something; with check, its verdict. */
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

type GlobalOptionsInput = z.infer<typeof globalOptionsObject>;

function withDryRunMode({ dryRun, dryRunMode, ...options }: GlobalOptionsInput) {
  return {
    ...options,
    dryRun: dryRun || dryRunMode !== undefined,
    /** `--dry-run=server`: the plan classified by a server-side dry run, as every run that applies does. */
    serverDryRun: dryRunMode === "server",
  };
}

/** Flags every command accepts; commander parses them once on the program, zod validates them here. */
export const globalOptionsSchema = globalOptionsObject
  .superRefine((options, ctx) => {
    if (options.exitCode && !options.dryRun && options.dryRunMode === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["exitCode"],
        message:
          "goes with --dry-run, diff or check (a run that applies its plan exits by its outcome), e.g. upgrade --tag 2.14.4 --dry-run=server --exit-code",
      });
    }
  })
  .transform(withDryRunMode);

/** `check` changes nothing, so its --exit-code (0 clear, 2 refused, 3 warnings only) needs no --dry-run. */
export const checkGlobalOptionsSchema = globalOptionsObject.transform(withDryRunMode);
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

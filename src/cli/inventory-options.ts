import { z } from "zod";

/** `--kfp-endpoint`, `--kfp-user`, `--kfp-namespaces`: how to reach KFP's own API (upgrade, reinstall, status). */
export const kfpApiOptionsSchema = z.object({
  kfpEndpoint: z.url({ protocol: /^https?$/ }).optional(),
  kfpUser: z.string().min(1).optional(),
  /** Comma-separated profile namespaces of a multi-user install. */
  kfpNamespaces: z
    .string()
    .min(1)
    .transform((value) =>
      value
        .split(",")
        .map((ns) => ns.trim())
        .filter((ns) => ns !== ""),
    )
    .optional(),
});
export type KfpApiOptions = z.infer<typeof kfpApiOptionsSchema>;

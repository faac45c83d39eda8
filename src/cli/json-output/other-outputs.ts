import { z } from "zod";

/** `params list -o json`: every parameter, its value (null: unset) and where kfp-app.yaml keeps it. */
export const paramsListOutputSchema = z.array(
  z.object({ name: z.string(), value: z.string().nullable(), path: z.string() }),
);

/** Every form `kfp-upgrade params … -o json` prints (schema/params.schema.json). */
export const paramsOutputSchema = z.union([
  paramsListOutputSchema,
  /** `params get NAME`. */
  z.object({ name: z.string(), value: z.string().nullable() }),
  /** `params set|unset`: the file written, and the ksonnet app it was imported from, if it was. */
  z.object({
    name: z.string(),
    value: z.string().nullable(),
    file: z.string(),
    importedFrom: z.string().nullable(),
  }),
]);

/** `release pull -o json` and `release images -o json` (schema/release.schema.json). */
export const releaseOutputSchema = z.union([
  z.object({
    out: z.string(),
    releases: z.array(
      z.object({ version: z.string(), dir: z.string(), url: z.string(), archiveSha256: z.string() }),
    ),
  }),
  z.array(z.string()),
]);

/** `completion SHELL -o json` (schema/completion.schema.json). */
export const completionOutputSchema = z.object({
  shell: z.enum(["bash", "zsh", "fish"]),
  script: z.string(),
});

/** `resume -o json` when there is nothing to resume (a resumed run prints events). */
export const resumeOutputSchema = z.object({ resumed: z.literal(false) });

import type { z } from "zod";
import { formatZodIssues } from "../format-zod-issues.js";
import { KfpApiError } from "./kfp-api-error.js";
import type { KfpHeaders, KfpQuery, KfpTransport } from "./kfp-transport.js";

/** One GET, its answer checked against the API definition's schema (`invalid-answer`, every issue listed). */
export async function readAnswer<S extends z.ZodType>(
  transport: KfpTransport,
  path: string,
  query: KfpQuery,
  headers: KfpHeaders,
  schema: S,
): Promise<z.infer<S>> {
  const answer = await transport.get(path, query, headers);
  const parsed = schema.safeParse(answer ?? {});
  if (parsed.success) return parsed.data;
  throw new KfpApiError(
    "invalid-answer",
    path,
    `GET ${path} at ${transport.target}: the answer is not what KFP's API definition describes`,
    {
      details: formatZodIssues(parsed.error),
      hint: "Is this KFP's API server? If it is, this release answers in a shape kfp-upgrade does not know: report it.",
    },
  );
}

import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  v1ListExperimentsSchema,
  v1ListJobsSchema,
  v1ListPipelinesSchema,
  v1ListPipelineVersionsSchema,
  v1ListRunsSchema,
} from "../../../src/kfp/v1beta1-answers.js";
import {
  v2ListExperimentsSchema,
  v2ListPipelinesSchema,
  v2ListPipelineVersionsSchema,
  v2ListRecurringRunsSchema,
  v2ListRunsSchema,
} from "../../../src/kfp/v2beta1-answers.js";

// The answers a real KFP 2.0.5 API server gave (recorded by scripts/record-kfp-api-fixtures.ts on the local control
// plane, at page_size=2): every list answer must parse with the schemas the inventory reader uses, and each page's
// next_page_token must be the token the next recorded request sent.

const DIR = path.resolve(import.meta.dirname, "../../fixtures/kfp-api/2.0.5");

interface Recorded {
  file: string;
  path: string;
  status: number;
}
const index = JSON.parse(readFileSync(path.join(DIR, "index.json"), "utf8")) as {
  server: { tag_name: string };
  files: Recorded[];
};
const bodyOf = (file: string): unknown => JSON.parse(readFileSync(path.join(DIR, file), "utf8"));

const SCHEMAS: [RegExp, z.ZodType<{ next_page_token?: string | undefined }>][] = [
  [/^\/apis\/v2beta1\/experiments$/, v2ListExperimentsSchema],
  [/^\/apis\/v2beta1\/pipelines$/, v2ListPipelinesSchema],
  [/^\/apis\/v2beta1\/pipelines\/[^/]+\/versions$/, v2ListPipelineVersionsSchema],
  [/^\/apis\/v2beta1\/runs$/, v2ListRunsSchema],
  [/^\/apis\/v2beta1\/recurringruns$/, v2ListRecurringRunsSchema],
  [/^\/apis\/v1beta1\/experiments$/, v1ListExperimentsSchema],
  [/^\/apis\/v1beta1\/pipelines$/, v1ListPipelinesSchema],
  [/^\/apis\/v1beta1\/pipeline_versions$/, v1ListPipelineVersionsSchema],
  [/^\/apis\/v1beta1\/runs$/, v1ListRunsSchema],
  [/^\/apis\/v1beta1\/jobs$/, v1ListJobsSchema],
];

const lists = index.files
  .filter((recorded) => !recorded.path.includes("/healthz"))
  .map((recorded) => {
    const url = new URL(recorded.path, "http://kfp");
    const schema = SCHEMAS.find(([pattern]) => pattern.test(url.pathname))?.[1];
    return { ...recorded, name: recorded.file, url, schema };
  });

describe("real KFP 2.0.5 answers", () => {
  it("come from a 2.0.5 server and cover every list endpoint the reader calls", () => {
    expect(index.server.tag_name).toBe("2.0.5");
    expect(lists.filter((list) => list.schema === undefined).map((list) => list.path)).toEqual([]);
    expect(new Set(lists.map((list) => list.schema)).size).toBe(SCHEMAS.length);
  });

  it.each(lists)("$name parses with the reader's schema", ({ file, status, schema }) => {
    expect(status).toBe(200);
    const parsed = schema?.safeParse(bodyOf(file));
    expect(parsed?.success, JSON.stringify(parsed?.error?.issues)).toBe(true);
    // Nothing dropped: every listed object came through, with its id (KFP lists one array per answer).
    const [key, items] = Object.entries(bodyOf(file) as Record<string, unknown>).find(([, value]) =>
      Array.isArray(value),
    ) ?? ["", []];
    expect((items as unknown[]).length).toBeGreaterThan(0);
    const kept = ((parsed?.data ?? {}) as Record<string, unknown>)[key] as Record<string, unknown>[];
    expect(kept).toHaveLength((items as unknown[]).length);
    for (const item of kept)
      expect(
        Object.entries(item).some(([k, v]) => k.endsWith("id") && typeof v === "string" && v !== ""),
      ).toBe(true);
  });

  it.each(
    lists.filter(
      (list) =>
        list.file.endsWith(".page-1.json") &&
        lists.some((other) => other.file === list.file.replace("page-1", "page-2")),
    ),
  )("$name links to its second page by next_page_token", ({ file, schema }) => {
    const first = schema?.parse(bodyOf(file));
    const second = lists.find((other) => other.file === file.replace("page-1", "page-2"));
    expect(first?.next_page_token).toBeTruthy();
    expect(second?.url.searchParams.get("page_token")).toBe(first?.next_page_token);
    expect(schema?.parse(bodyOf(second?.file ?? "")).next_page_token ?? "").toBe("");
  });
});

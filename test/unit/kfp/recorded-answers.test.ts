import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { inventoryCounts, type KfpInventory } from "../../../src/kfp/inventory.js";
import { readInventory } from "../../../src/kfp/read-inventory.js";
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
import { type KfpApiFixture, kfpBehindServiceProxy, sentRequests } from "./kfp-api-fixture.js";

// The answers a real KFP 2.0.5 API server gave (recorded by scripts/record-kfp-api-fixtures.ts on the local control
// plane, at page_size=2, for what KFP's upgrade test creates): every list answer must parse with the schemas the
// inventory reader uses, each page's next_page_token must be the token the next recorded request sent, and the
// whole readInventory, replayed against them through the fake service proxy, must read every recorded page.

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

/** The recorded answers as exchanges the fake service proxy serves (a request with no recorded answer fails). */
const recorded: KfpApiFixture = {
  source: "scripts/record-kfp-api-fixtures.ts against the real 2.0.5 API server",
  exchanges: index.files.map((file) => {
    const url = new URL(file.path, "http://kfp");
    return {
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      status: file.status,
      body: bodyOf(file.file),
    };
  }),
};

/** The recorded requests of one API version, as `sentRequests` spells them, in the order they were recorded. */
const recordedRequests = (api: string) =>
  index.files
    .map((file) => new URL(file.path, "http://kfp"))
    .filter((url) => url.pathname.startsWith(`/apis/${api}/`))
    .map((url) => `${url.pathname}${url.search === "" ? "" : `?${url.searchParams.toString()}`}`);

const ids = (inventory: KfpInventory) => ({
  experiments: inventory.experiments.map((e) => e.id).sort(),
  pipelines: inventory.pipelines.map((p) => p.id).sort(),
  pipelineVersions: inventory.pipelineVersions.map((v) => `${v.pipelineId}/${v.id}`).sort(),
  runs: inventory.runs.map((r) => `${r.experimentId}/${r.id}`).sort(),
  recurringRuns: inventory.recurringRuns.map((r) => `${r.experimentId}/${r.id}`).sort(),
});

describe("readInventory replayed against the real 2.0.5 answers", () => {
  // What the recorder created: 3 experiments (and KFP's Default), 3 pipelines with 2 versions each (the upload's
  // and upload_version's), a run and a recurring run.
  const COUNTS = { experiments: 4, pipelines: 3, pipelineVersions: 6, runs: 1, recurringRuns: 1 };

  it("v2beta1: reads every recorded page, in the recorder's order, and counts the whole set", async () => {
    const { fake, transport } = kfpBehindServiceProxy(recorded);
    const inventory = await readInventory(transport, { kfpVersion: "2.0.5", pageSize: 2 });
    expect(sentRequests(fake)).toEqual(recordedRequests("v2beta1"));
    expect(inventory).toMatchObject({
      api: "v2beta1",
      serverTag: "2.0.5",
      multiUser: false,
      namespaces: null,
    });
    expect(inventoryCounts(inventory)).toEqual(COUNTS);
    expect(inventory.experiments.map((e) => e.name).sort()).toEqual([
      "Default",
      "moonshot",
      "prediction",
      "training",
    ]);
    expect(inventory.runs).toEqual([expect.objectContaining({ name: "hello world", state: "PENDING" })]);
  });

  it("v1beta1 (a 1.x install's API, served by the same 2.0.5 server): the same objects, by the same ids", async () => {
    const v2 = await readInventory(kfpBehindServiceProxy(recorded).transport, {
      kfpVersion: "2.0.5",
      pageSize: 2,
    });
    const { fake, transport } = kfpBehindServiceProxy(recorded);
    const v1 = await readInventory(transport, { kfpVersion: "1.8.5", pageSize: 2 });
    expect(sentRequests(fake)).toEqual(recordedRequests("v1beta1"));
    expect(v1.api).toBe("v1beta1");
    expect(inventoryCounts(v1)).toEqual(COUNTS);
    expect(ids(v1)).toEqual(ids(v2));
  });
});

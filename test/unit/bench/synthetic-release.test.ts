import { readFileSync } from "node:fs";
import path from "node:path";
import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { type BundleDocument, COPY_LABEL, multiplyRelease } from "../../../bench/synthetic-release.js";

const bundle = path.resolve(
  import.meta.dirname,
  "../../../../shared/kfp-manifests/2.14.4/platform-agnostic.yaml",
);
const documents = yaml.loadAll(readFileSync(bundle, "utf8")) as BundleDocument[];
const names = (docs: BundleDocument[], kind: string) =>
  docs.filter((d) => d.kind === kind).map((d) => d.metadata?.name ?? "");

describe("multiplyRelease", () => {
  it("factor 1 is the release as it is", () => {
    expect(multiplyRelease(documents, 1)).toEqual(documents);
  });

  it("copies every component under new names, but not the data stores or their claims", () => {
    const four = multiplyRelease(documents, 4);
    const deployments = names(documents, "Deployment");
    const copied = deployments.filter((name) => !["mysql", "minio", "ml-pipeline"].includes(name));
    expect(names(four, "Deployment")).toEqual([
      ...deployments,
      ...[1, 2, 3].flatMap((i) => copied.map((name) => `${name}-x${i}`)),
    ]);
    expect(names(four, "PersistentVolumeClaim")).toEqual(names(documents, "PersistentVolumeClaim"));
    const keys = four.map((d) => `${d.kind}/${d.metadata?.name}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("gives each copied Deployment and Service a selector of its own, matched by its pod template", () => {
    const two = multiplyRelease(documents, 2);
    const deployment = two.find((d) => d.kind === "Deployment" && d.metadata?.name === "cache-server-x1");
    const spec = deployment?.spec as {
      selector: { matchLabels: Record<string, string> };
      template: { metadata: { labels: Record<string, string> } };
    };
    expect(spec.selector.matchLabels[COPY_LABEL]).toBe("x1");
    expect(spec.template.metadata.labels).toEqual(expect.objectContaining(spec.selector.matchLabels));
    const original = documents.find((d) => d.kind === "Deployment" && d.metadata?.name === "cache-server");
    expect(
      (original?.spec as unknown as typeof spec | undefined)?.selector.matchLabels[COPY_LABEL],
    ).toBeUndefined();
    expect(original).toBeDefined();
    const service = two.find((d) => d.kind === "Service" && d.metadata?.name === "cache-server-x1");
    expect((service?.spec as { selector: Record<string, string> } | undefined)?.selector[COPY_LABEL]).toBe(
      "x1",
    );
  });

  it("refuses a factor that is not a positive integer", () => {
    expect(() => multiplyRelease(documents, 0)).toThrow("positive integer");
  });
});

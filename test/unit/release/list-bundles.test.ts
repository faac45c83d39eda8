import path from "node:path";
import { describe, expect, it } from "vitest";
import { listBundles } from "../../../src/release/list-bundles.js";
import { FIXTURE_BUNDLES, SHARED_MANIFESTS, sharedBundles } from "./shared-bundles.js";

describe("listBundles", () => {
  it("loads every shared bundle, once per variant, with no warnings", async () => {
    const listings = await listBundles(SHARED_MANIFESTS);
    expect(listings.map((listing) => `${listing.version} ${listing.variant}`).sort()).toEqual(
      sharedBundles()
        .map((bundle) => bundle.name)
        .sort(),
    );
    expect(listings.filter((listing) => listing.error || listing.warnings.length > 0)).toEqual([]);
    expect(listings.find((listing) => listing.version === "2.17.0")?.images).toContain(
      "seaweedfs[seaweedfs] ghcr.io/chrislusf/seaweedfs:4.34",
    );
  });

  it("lists good and bad bundles side by side, skipping what is no version", async () => {
    const mixed = path.join(FIXTURE_BUNDLES, "mixed");
    const listings = await listBundles(mixed);
    expect(listings.map((listing) => [listing.version, listing.error?.code ?? "ok"])).toEqual([
      ["2.0.5", "BUNDLE_INVALID"],
      ["3.0.0", "ok"],
    ]);
    expect(listings[0]?.error?.details).toEqual([
      `${mixed}/v2.0.5/app.yaml document 1 at line 1 (deployment/ml-pipeline -n kubeflow): spec.selector: a Deployment needs selector.matchLabels or matchExpressions`,
    ]);
  });

  it("refuses a directory it cannot read", async () => {
    await expect(listBundles(path.join(FIXTURE_BUNDLES, "nowhere"))).rejects.toMatchObject({
      code: "MANIFESTS_DIR_MISSING",
    });
  });
});

import { describe, expect, it } from "vitest";
import { buildReleaseInfo } from "../../../src/release/build-release-info.js";
import { CATALOGUE, type Catalogue } from "../../../src/release/catalogue.js";
import { compareVersions } from "../../../src/release/compare-versions.js";
import { pathFor } from "../../../src/release/path-for.js";

const hopsOf = (from: string, to: string, hasBundle?: (version: string) => boolean) =>
  pathFor(from, to, hasBundle ? { hasBundle } : {}).hops.map((hop) => [
    hop.from,
    hop.to,
    `${hop.mysqlSeries.from}→${hop.mysqlSeries.to}`,
  ]);

describe("pathFor moves MySQL one series at a time, through the newest release of each", () => {
  const cases = [
    {
      name: "1.8.5 (5.7) → 2.14.4 (8.4) via 2.5.0 (8.0)",
      from: "1.8.5",
      to: "2.14.4",
      hops: [
        ["1.8.5", "2.5.0", "5.7→8.0"],
        ["2.5.0", "2.14.4", "8.0→8.4"],
      ],
    },
    {
      name: "1.0.4 (5.6) → 2.5.0 (8.0) via 1.8.5 (5.7)",
      from: "1.0.4",
      to: "2.5.0",
      hops: [
        ["1.0.4", "1.8.5", "5.6→5.7"],
        ["1.8.5", "2.5.0", "5.7→8.0"],
      ],
    },
    {
      name: "1.4.1 (5.6) → 2.0.5 (8.0) via 1.8.5",
      from: "1.4.1",
      to: "2.0.5",
      hops: [
        ["1.4.1", "1.8.5", "5.6→5.7"],
        ["1.8.5", "2.0.5", "5.7→8.0"],
      ],
    },
    {
      name: "2.14.4 → 2.17.0 in one hop",
      from: "2.14.4",
      to: "2.17.0",
      hops: [["2.14.4", "2.17.0", "8.4→8.4"]],
    },
    {
      name: "one series step needs no stop",
      from: "1.4.1",
      to: "1.8.5",
      hops: [["1.4.1", "1.8.5", "5.6→5.7"]],
    },
    {
      name: "0.1.16 (ksonnet, 5.6) → 2.17.0 crosses every series",
      from: "0.1.16",
      to: "2.17.0",
      hops: [
        ["0.1.16", "1.8.5", "5.6→5.7"],
        ["1.8.5", "2.5.0", "5.7→8.0"],
        ["2.5.0", "2.17.0", "8.0→8.4"],
      ],
    },
    { name: "from == to: nothing to do", from: "2.5.0", to: "2.5.0", hops: [] },
  ];
  it.each(cases)("$name", ({ from, to, hops }) => {
    expect(hopsOf(from, to)).toEqual(hops);
  });

  it("prefers an intermediate release whose bundle is on disk", () => {
    expect(hopsOf("1.8.5", "2.14.4", (version) => version === "2.0.5")).toEqual([
      ["1.8.5", "2.0.5", "5.7→8.0"],
      ["2.0.5", "2.14.4", "8.0→8.4"],
    ]);
  });

  it("never stops outside the range, even when the newest of a series lies beyond the target", () => {
    expect(hopsOf("1.0.4", "1.8.0")).toEqual([["1.0.4", "1.8.0", "5.6→5.7"]]);
    expect(hopsOf("1.4.1", "2.0.0")).toEqual([
      ["1.4.1", "1.8.5", "5.6→5.7"],
      ["1.8.5", "2.0.0", "5.7→8.0"],
    ]);
  });
});

describe("pathFor flags", () => {
  const cases = [
    {
      name: "2.14.4 → 2.17.0 switches the object store",
      from: "2.14.4",
      to: "2.17.0",
      objectStoreSwitch: true,
      schemaOneWay: true,
    },
    {
      name: "1.8.5 → 2.15.0 switches on its last hop",
      from: "1.8.5",
      to: "2.15.0",
      objectStoreSwitch: true,
      schemaOneWay: true,
    },
    {
      name: "2.15.0 → 2.17.0 stays on SeaweedFS",
      from: "2.15.0",
      to: "2.17.0",
      objectStoreSwitch: false,
      schemaOneWay: true,
    },
    {
      name: "1.8.5 → 2.14.4 stays on MinIO",
      from: "1.8.5",
      to: "2.14.4",
      objectStoreSwitch: false,
      schemaOneWay: false,
    },
    {
      name: "no hops, no flags",
      from: "2.17.0",
      to: "2.17.0",
      objectStoreSwitch: false,
      schemaOneWay: false,
    },
  ];
  it.each(cases)("$name", ({ from, to, objectStoreSwitch, schemaOneWay }) => {
    expect(pathFor(from, to)).toMatchObject({ objectStoreSwitch, schemaOneWay });
  });

  it("explains each hop", () => {
    expect(pathFor("2.3.0", "2.15.0").hops.map((hop) => hop.reason)).toEqual([
      "the target release; MySQL 8.0 → 8.4 (in-place data directory upgrade); the object store moves from MinIO " +
        "to SeaweedFS: artifacts must be copied over; the API server's one-way schema migration runs: back up the database first",
    ]);
    expect(pathFor("1.8.5", "2.14.4").hops[0]?.reason).toBe(
      "MySQL moves one series at a time; 2.5.0 is the newest release on MySQL 8.0; MySQL 5.7 → 8.0 (in-place data directory upgrade)",
    );
  });
});

describe("pathFor refuses", () => {
  const cases = [
    { name: "a downgrade", from: "2.14.4", to: "2.5.0", code: "DOWNGRADE", exitCode: 4 },
    { name: "a patch downgrade", from: "1.8.5", to: "1.8.4", code: "DOWNGRADE", exitCode: 4 },
    {
      name: "a downgrade across the SeaweedFS switch",
      from: "2.17.0",
      to: "2.14.4",
      code: "DOWNGRADE",
      exitCode: 4,
    },
    {
      name: "something that is no version",
      from: "v1.8.5",
      to: "2.0.5",
      code: "VERSION_INVALID",
      exitCode: 2,
    },
  ];
  it.each(cases)("$name", ({ from, to, code, exitCode }) => {
    expect(() => pathFor(from, to)).toThrow(expect.objectContaining({ code, exitCode }));
  });

  it("points a downgrade at the backup, citing kubeflow/pipelines#3636", () => {
    expect(() => pathFor("2.14.4", "2.5.0")).toThrow(
      expect.objectContaining({
        message: "Refusing to downgrade KFP 2.14.4 to 2.5.0",
        hint: expect.stringContaining("kubeflow/pipelines#3636"),
      }),
    );
  });
});

describe("pathFor from the series on the data", () => {
  it("starts from the running MySQL series, not the catalogue's guess, and says which hops need a bundle", () => {
    const path = pathFor("2.5.0", "2.14.4", { fromSeries: "8.4", hasBundle: () => false });
    expect(path.hops).toMatchObject([
      {
        from: "2.5.0",
        to: "2.14.4",
        mysqlSeries: { from: "8.4", to: "8.4" },
        needsBundle: false,
        hasBundle: false,
      },
    ]);
    expect(pathFor("1.8.5", "2.14.4").hops.map((hop) => [hop.to, hop.needsBundle, hop.hasBundle])).toEqual([
      ["2.5.0", true, null],
      ["2.14.4", true, null],
    ]);
  });

  it("refuses when no release between runs the series the data needs next", () => {
    expect(() => pathFor("2.5.0", "2.14.4", { fromSeries: "5.7" })).toThrow(
      "No KFP release between 2.5.0 and 2.14.4 runs MySQL 8.0",
    );
  });
});

describe("pathFor routes ≤ 2.17 → 3.x through the newest 2.18.x", () => {
  // A synthetic 3.0.0 entry (and 2.18.x entries, whatever the shipped catalogue holds): no fake 3.0 is shipped.
  const withReleases = (...versions: string[]): Catalogue => ({
    releases: [
      ...CATALOGUE.releases.filter((release) => !versions.includes(release.version)),
      ...versions.map((version) => buildReleaseInfo(version)),
    ].sort((a, b) => compareVersions(a.version, b.version)),
    sdkOnly: CATALOGUE.sdkOnly,
  });
  const without218 = (catalogue: Catalogue): Catalogue => ({
    ...catalogue,
    releases: catalogue.releases.filter((release) => !release.version.startsWith("2.18.")),
  });
  const catalogue = withReleases("2.18.0", "2.18.1", "3.0.0");
  const why =
    "KFP 3.0 removes ML Metadata and refuses to start unless KFP 2.18's recurring-run adoption ran (`recurring_run_adoption id=legacy-2.18 ready=true` in the API server's log)";

  it.each([
    { name: "2.17.0 → 3.0.0 via 2.18.1", from: "2.17.0", hops: ["2.17.0 → 2.18.1", "2.18.1 → 3.0.0"] },
    {
      name: "2.5.0 (MySQL 8.0) → 3.0.0 via 2.18.1, which moves MySQL to 8.4 too",
      from: "2.5.0",
      hops: ["2.5.0 → 2.18.1", "2.18.1 → 3.0.0"],
    },
    {
      name: "1.8.5 (MySQL 5.7) → 3.0.0 via 2.5.0 (MySQL 8.0) and 2.18.1",
      from: "1.8.5",
      hops: ["1.8.5 → 2.5.0", "2.5.0 → 2.18.1", "2.18.1 → 3.0.0"],
    },
    { name: "2.18.0 → 3.0.0 in one hop (already on 2.18)", from: "2.18.0", hops: ["2.18.0 → 3.0.0"] },
  ])("$name", ({ from, hops }) => {
    expect(pathFor(from, "3.0.0", { catalogue }).hops.map((hop) => `${hop.from} → ${hop.to}`)).toEqual(hops);
  });

  it("says why it stops at 2.18.x", () => {
    const [first] = pathFor("2.17.0", "3.0.0", { catalogue }).hops;
    expect(first?.reason).toBe(
      `${why}: the path goes through the newest KFP 2.18.x, 2.18.1; MySQL stays on 8.4`,
    );
    const [fromMysql80] = pathFor("2.5.0", "3.0.0", { catalogue }).hops;
    expect(fromMysql80?.reason).toBe(
      `${why}: the path goes through the newest KFP 2.18.x, 2.18.1; MySQL 8.0 → 8.4 (in-place data directory upgrade); the object store moves from MinIO to SeaweedFS: artifacts must be copied over; the API server's one-way schema migration runs: back up the database first`,
    );
  });

  it("prefers a 2.18.x whose bundle is on disk", () => {
    const hops = pathFor("2.17.0", "3.0.0", { catalogue, hasBundle: (v) => v === "2.18.0" }).hops;
    expect(hops.map((hop) => hop.to)).toEqual(["2.18.0", "3.0.0"]);
  });

  it("does not route a path that ends before 3.0", () => {
    expect(pathFor("2.14.4", "2.18.1", { catalogue }).hops.map((hop) => hop.to)).toEqual(["2.18.1"]);
    expect(pathFor("2.14.4", "2.17.0", { catalogue }).hops.map((hop) => hop.to)).toEqual(["2.17.0"]);
  });

  it("refuses a path to 3.x when no 2.18.x release is known, saying why", () => {
    expect(() => pathFor("2.17.0", "3.0.0", { catalogue: without218(catalogue) })).toThrow(
      expect.objectContaining({
        code: "NO_UPGRADE_PATH",
        exitCode: 4,
        message: "No KFP 2.18.x release is known between 2.17.0 and 3.0.0",
        hint: `${why}, so the path goes through KFP 2.18.x: add the bundle of a 2.18.x release under --manifests`,
      }),
    );
  });
});

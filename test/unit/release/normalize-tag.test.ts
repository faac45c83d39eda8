import { describe, expect, it } from "vitest";
import { CATALOGUE } from "../../../src/release/catalogue.js";
import { resolveTag } from "../../../src/release/normalize-tag.js";

describe("resolveTag accepts", () => {
  const cases = [
    { name: "a KFP version", input: "2.14.3", version: "2.14.3", note: undefined },
    { name: "an early 0.1.x version", input: "0.1.12", version: "0.1.12", note: undefined },
    { name: "surrounding blanks", input: " 1.8.5\n", version: "1.8.5", note: undefined },
    {
      name: "latest, the newest backend release",
      input: "latest",
      version: "2.18.1",
      note: "latest is KFP 2.18.1",
    },
    { name: "LATEST in capitals", input: "LATEST", version: "2.18.1", note: "latest is KFP 2.18.1" },
    {
      name: "a v-prefixed version that is no kubeflow/kubeflow tag",
      input: "v0.1.12",
      version: "0.1.12",
      note: 'read "v0.1.12" as KFP 0.1.12 (KFP tags have no `v`)',
    },
    {
      name: "the docs' upgrade_kfp.sh commit, in full",
      input: "a1afdd6c4b297b56dd103a8bb939ddeae67c2c92",
      version: "0.1.12",
      note: "kubeflow/kubeflow commit a1afdd6c4 (pipelines branch, as upgrade_kfp.sh took it) pins KFP 0.1.12",
    },
    {
      name: "a 7-digit commit prefix",
      input: "6064e9a",
      version: "0.1.16",
      note: "kubeflow/kubeflow commit 6064e9a75 (pipelines branch, as upgrade_kfp.sh took it) pins KFP 0.1.16",
    },
    {
      name: "a commit prefix in capitals",
      input: "5C90486438C7",
      version: "0.1.21",
      note: "kubeflow/kubeflow commit 5c9048643 (pipelines branch, as upgrade_kfp.sh took it) pins KFP 0.1.21",
    },
  ];
  it.each(cases)("$name", ({ input, version, note }) => {
    expect(resolveTag(input)).toEqual(note === undefined ? { version } : { version, note });
  });

  it.each(CATALOGUE.releases.filter((release) => release.kubeflowCommit))(
    "the §1.2 commit of $version",
    ({ version, kubeflowCommit }) => {
      expect(resolveTag(kubeflowCommit ?? "").version).toBe(version);
    },
  );
});

describe("resolveTag and the v0.1.x trap: kubeflow/kubeflow tags are Kubeflow releases, not KFP ones", () => {
  const cases = [
    { name: "v0.1.0", input: "v0.1.0", version: "0.1.0" },
    { name: "v0.1.2", input: "v0.1.2", version: "0.1.2" },
    { name: "v0.1.3", input: "v0.1.3", version: "0.1.3" },
    { name: "V0.1.1 in capitals", input: "V0.1.1", version: "0.1.1" },
  ];
  it.each(cases)("$name is read as KFP with a note", ({ input, version }) => {
    const { version: resolved, note } = resolveTag(input);
    expect(resolved).toBe(version);
    expect(note).toBe(
      `"${input}" is also a kubeflow/kubeflow tag: in upgrade_kfp.sh it would have meant Kubeflow ${version}, ` +
        `which has no kubeflow/pipeline package at all. kfp-upgrade reads it as KFP ${version} (KFP tags have no \`v\`)`,
    );
  });

  it("v0.5.0 says which KFP Kubeflow 0.5.0 pinned, and how to get it", () => {
    expect(resolveTag("v0.5.0").note).toBe(
      '"v0.5.0" is also a kubeflow/kubeflow tag: in upgrade_kfp.sh it would have meant Kubeflow 0.5.0, whose ' +
        "kubeflow/pipeline package pins KFP 0.1.16. kfp-upgrade reads it as KFP 0.5.0 (KFP tags have no `v`); " +
        "pass --tag 0.1.16 if you meant Kubeflow's",
    );
  });

  it("0.1.2 without a v is plain KFP, with no note", () => {
    expect(resolveTag("0.1.2")).toEqual({ version: "0.1.2" });
  });
});

describe("resolveTag refuses", () => {
  const cases = [
    {
      name: "an SDK-only 1.8.x tag (its manifests carry 1.7.0 images)",
      input: "1.8.15",
      code: "TAG_SDK_ONLY",
      message:
        "KFP 1.8.15 is an SDK-only release with no backend of its own; the nearest backend releases are 1.8.5 (below) and 2.0.0 (above)",
    },
    {
      name: "the last SDK-only 1.8.x tag",
      input: "1.8.22",
      code: "TAG_SDK_ONLY",
      message:
        "KFP 1.8.22 is an SDK-only release with no backend of its own; the nearest backend releases are 1.8.5 (below) and 2.0.0 (above)",
    },
    {
      name: "an sdk-2.x version",
      input: "2.9.0",
      code: "TAG_SDK_ONLY",
      message:
        "KFP 2.9.0 is an SDK-only release with no backend of its own; the nearest backend releases are 2.5.0 (below) and 2.14.0 (above)",
    },
    {
      name: "an sdk- tag spelled as such",
      input: "sdk-2.15.1",
      code: "TAG_SDK_ONLY",
      message:
        "KFP 2.15.1 is an SDK-only release with no backend of its own; the nearest backend releases are 2.15.0 (below) and 2.16.0 (above)",
    },
    {
      name: "1.8.9, which never existed",
      input: "1.8.9",
      code: "TAG_UNKNOWN",
      message:
        "KFP 1.8.9 was never released; the nearest backend releases are 1.8.5 (below) and 2.0.0 (above)",
    },
    {
      name: "2.7.3, in the 2.6–2.13 gap",
      input: "2.7.3",
      code: "TAG_UNKNOWN",
      message:
        "KFP 2.7.3 was never released; the nearest backend releases are 2.5.0 (below) and 2.14.0 (above)",
    },
    {
      name: "0.1.15, which has no tag",
      input: "0.1.15",
      code: "TAG_UNKNOWN",
      message:
        "KFP 0.1.15 was never released; the nearest backend releases are 0.1.14 (below) and 0.1.16 (above)",
    },
    {
      name: "0.1.28, which has no tag",
      input: "v0.1.28",
      code: "TAG_UNKNOWN",
      message:
        "KFP 0.1.28 was never released; the nearest backend releases are 0.1.27 (below) and 0.1.29 (above)",
    },
    {
      name: "a version newer than the catalogue",
      input: "2.19.0",
      code: "TAG_UNKNOWN",
      message: "KFP 2.19.0 is newer than the catalogue; the newest backend release is 2.18.1",
    },
    {
      name: "a version older than 0.1",
      input: "0.0.42",
      code: "TAG_UNKNOWN",
      message: "KFP 0.0.42 predates 0.1; the oldest backend release is 0.1.0",
    },
    {
      name: "a Kubeflow tag with no KFP release of that number",
      input: "v0.6.0",
      code: "TAG_UNKNOWN",
      message:
        '"v0.6.0" is a kubeflow/kubeflow tag (it pins KFP 0.1.22), not a KFP release; the nearest backend releases are 0.5.1 (below) and 1.0.0 (above)',
    },
    {
      name: "a prerelease without a bundle",
      input: "2.0.0-rc.2",
      code: "TAG_PRERELEASE",
      message: "KFP 2.0.0-rc.2 is a prerelease; the catalogue holds final releases only",
    },
    {
      name: "garbage",
      input: "pipelines-latest",
      code: "TAG_INVALID",
      message: '"pipelines-latest" is not a KFP version, `latest` or a kubeflow/kubeflow commit',
    },
    {
      name: "an empty tag",
      input: "  ",
      code: "TAG_INVALID",
      message: '"" is not a KFP version, `latest` or a kubeflow/kubeflow commit',
    },
    {
      name: "a hex string that is no known commit",
      input: "deadbeef",
      code: "TAG_UNKNOWN_COMMIT",
      message: '"deadbeef" is not a kubeflow/kubeflow pipelines-branch commit that changed the KFP images',
    },
    {
      name: "a commit prefix shorter than 7 digits",
      input: "a1afdd",
      code: "TAG_INVALID",
      message: '"a1afdd" is not a KFP version, `latest` or a kubeflow/kubeflow commit',
    },
  ];
  it.each(cases)("$name", ({ input, code, message }) => {
    expect(() => resolveTag(input)).toThrow(expect.objectContaining({ code, message, exitCode: 2 }));
  });

  const hints = [
    {
      name: "a partial version points at the newest patch",
      input: "2.14",
      hint: "Did you mean 2.14.4, the newest 2.14.x?",
    },
    {
      name: "a Kubeflow tag points at what it pinned",
      input: "v0.7.1",
      hint: "Pass --tag 0.1.22 to install what it pinned",
    },
    { name: "garbage lists the accepted forms", input: "x", hint: expect.stringContaining("`latest`") },
    {
      name: "an unknown commit lists the known ones",
      input: "0000000",
      hint: expect.stringContaining("a1afdd6c4 = 0.1.12"),
    },
  ];
  it.each(hints)("$name", ({ input, hint }) => {
    expect(() => resolveTag(input)).toThrow(expect.objectContaining({ hint }));
  });
});

describe("resolveTag with bundles on disk", () => {
  it("accepts a version the catalogue does not know when a bundle has it", () => {
    expect(resolveTag("3.0.0", CATALOGUE, { hasBundle: (version) => version === "3.0.0" })).toEqual({
      version: "3.0.0",
      note: "KFP 3.0.0 is not in the catalogue; its bundle alone describes it",
    });
  });

  it("accepts a prerelease with a bundle", () => {
    expect(resolveTag("2.0.0-rc.2", CATALOGUE, { hasBundle: () => true }).version).toBe("2.0.0-rc.2");
  });

  it("still refuses an SDK-only version: a bundle of it holds another release's images", () => {
    expect(() => resolveTag("1.8.15", CATALOGUE, { hasBundle: () => true })).toThrow(
      expect.objectContaining({ code: "TAG_SDK_ONLY" }),
    );
  });
});

import { describe, expect, it } from "vitest";
import { completeWords } from "../../../../src/cli/completion/complete-words.js";
import { buildProgram } from "../../../../src/cli/program.js";

const program = buildProgram(async () => {});
const sources = {
  tags: () => ["2.17.0", "2.16.1", "2.15.0", "2.14.4", "2.5.0", "2.1.0", "1.8.5"],
  contexts: () => ["prod", "staging", "kind-dev"],
};
const complete = (...words: string[]) => completeWords(program, words, sources);

describe("completeWords", () => {
  it("commands by prefix, flags of the command and the program's", () => {
    expect(complete("up")).toEqual(["upgrade"]);
    expect(complete("re")).toEqual(expect.arrayContaining(["reinstall", "resume", "release"]));
    expect(complete("upgrade", "--st")).toEqual(["--strategy"]);
    expect(complete("upgrade", "--kube")).toEqual(["--kubeconfig"]);
    expect(complete("upgrade", "--")).toEqual(
      expect.arrayContaining(["--tag", "--yes", "--dry-run", "--migration-timeout"]),
    );
  });

  it("--tag completes releases (latest too), --context the kubeconfig's contexts, choices their values", () => {
    expect(complete("upgrade", "--tag", "2.1")).toEqual(["2.17.0", "2.16.1", "2.15.0", "2.14.4", "2.1.0"]);
    expect(complete("deploy", "--tag", "")).toContain("latest");
    expect(complete("--context", "st")).toEqual(["staging"]);
    expect(complete("status", "-o", "")).toEqual(["text", "yaml", "json"]);
    expect(complete("upgrade", "--strategy", "m")).toEqual(["manifests"]);
  });

  it("a flag's value is skipped when finding the command; a path flag's value is left to the shell", () => {
    expect(complete("--app-dir", "upgrade", "st")).toEqual(["status"]);
    expect(complete("-n", "kubeflow", "upgrade", "--tag", "2.5")).toEqual(["2.5.0"]);
    expect(complete("upgrade", "--kubeconfig", "")).toEqual([]);
    expect(complete("upgrade", "--tag", "2.5.0", "")).toEqual([]);
  });
});
